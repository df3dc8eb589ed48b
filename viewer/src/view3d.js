/* The 3D view: stage, bodies and cameras put together; draws frame f on demand. */

import { createBodies } from "./bodies.js";
import { cameraModes, createCameras } from "./cameras.js";
import { jointAt } from "./data.js";
import { createStage } from "./scene.js";

/** The 3D view on `canvas` with a camera menu in `select`, or null where WebGL 2 is
 *  missing (the reason goes to `showStatus`). `onChange()` asks for a redraw. */
export function createView3d({ canvas, select, data, onChange, showStatus }) {
  const { stage, error } = createStage(canvas, data);
  if (!stage) {
    select.disabled = true;
    showStatus("The 3D view needs WebGL 2, which this browser does not offer (" + error.message + ").");
    return null;
  }
  const bodies = createBodies(stage.scene, data, { blobShadows: stage.software });
  const cameras = createCameras(canvas, data, onChange);
  for (const [value, label] of cameraModes(data)) {
    const opt = document.createElement("option");
    opt.value = value;
    opt.textContent = label;
    select.append(opt);
  }
  select.value = cameras.mode;
  select.addEventListener("change", () => {
    cameras.setMode(select.value);
    select.blur();
  });
  let aspect = 0;
  // The renderer and scene, for tests and debugging.
  window.pasdeux3d = { renderer: stage.renderer, scene: stage.scene };

  /** The couple's centre on the floor at frame f (the mean of the pelvises). */
  function centre(f) {
    let sx = 0;
    let sy = 0;
    for (const d of data.dancers) {
      const p = jointAt(d, data.J, f, data.JI.pelvis);
      sx += p[0];
      sy += p[1];
    }
    const n = Math.max(1, data.dancers.length);
    return data.J ? [sx / n, sy / n] : [0, 0];
  }
  return {
    draw(f) {
      const a = stage.resize();
      if (a !== aspect) {
        aspect = a;
        cameras.setAspect(a);
      }
      bodies.update(f);
      const [cx, cy] = centre(f);
      cameras.aim(f, cx, cy);
      stage.focus(cx, cy);
      stage.render(cameras.active());
    },
    /** Show only the dancers whose index `show(i)` is true. */
    showDancers(show) {
      data.dancers.forEach((d, i) => bodies.setVisible(i, show(i)));
    },
    /** Pick camera mode by its index in the menu (keyboard shortcuts). */
    selectCamera(i) {
      const opt = select.options[i];
      if (!opt) return;
      select.value = opt.value;
      cameras.setMode(opt.value);
    },
    get camera() {
      return cameras.mode;
    },
    /** Whether WebGL renders in software here (see scene.js). */
    software: stage.software,
  };
}
