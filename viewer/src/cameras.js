/* The 3D view's cameras: "follow" (orbit round the couple as it travels, the default),
 * "orbit" (orbit round a fixed point), "top" (straight down on the couple, audience at the
 * bottom) and each dancer's eyes. Drag to orbit, wheel to zoom, double-click to reset. */

import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import { facing, headCentre } from "./data.js";
import { HEAD_LAYER } from "./bodies.js";

const DEFAULT = { yaw: -Math.PI / 2 + 0.45, pitch: 0.28, dist: 4.6, height: 0.95 };
const TOP_FOV_DEG = 40;
const TOP_SPAN_M = 5;

/** The camera modes for `data`'s dancers, as [value, label] pairs. */
export function cameraModes(data) {
  const modes = [
    ["follow", "Follow the couple"],
    ["orbit", "Orbit"],
    ["top", "Top view"],
  ];
  data.dancers.forEach((d, i) => modes.push(["eyes" + i, d.role + "'s eyes"]));
  return modes;
}

/** The cameras of the view on `canvas`; `onChange()` is called when the user moves one. */
export function createCameras(canvas, data, onChange) {
  const layersAll = (cam) => {
    for (let i = 0; i < data.dancers.length; i++) cam.layers.enable(HEAD_LAYER + i);
    return cam;
  };
  const main = layersAll(new THREE.PerspectiveCamera(40, 1, 0.05, 200));
  main.up.set(0, 0, 1);
  const top = layersAll(new THREE.PerspectiveCamera(TOP_FOV_DEG, 1, 0.5, 200));
  top.up.set(0, 1, 0);
  const eyes = new THREE.PerspectiveCamera(75, 1, 0.03, 200);
  eyes.up.set(0, 0, 1);
  const controls = new OrbitControls(main, canvas);
  controls.maxPolarAngle = Math.PI / 2 - 0.03;
  controls.minDistance = 1;
  controls.maxDistance = 40;
  controls.addEventListener("change", onChange);
  let mode = "follow";
  const focus = new THREE.Vector3(0, 0, DEFAULT.height);

  function reset() {
    const { yaw, pitch, dist } = DEFAULT;
    controls.target.copy(focus);
    main.position.set(
      focus.x + dist * Math.cos(pitch) * Math.cos(yaw),
      focus.y + dist * Math.cos(pitch) * Math.sin(yaw),
      focus.z + dist * Math.sin(pitch)
    );
    controls.update();
  }
  reset();
  canvas.addEventListener("dblclick", () => {
    reset();
    onChange();
  });

  /** Aim the camera of the current mode at frame f, the couple's centre at (cx, cy). */
  function aim(f, cx, cy) {
    if (mode === "follow") {
      const dx = cx - controls.target.x;
      const dy = cy - controls.target.y;
      controls.target.x += dx;
      controls.target.y += dy;
      main.position.x += dx;
      main.position.y += dy;
      controls.update();
    } else if (mode === "top") {
      const h = TOP_SPAN_M / 2 / Math.tan((TOP_FOV_DEG * Math.PI) / 360);
      top.position.set(cx, cy, h);
      top.lookAt(cx, cy, 0);
    } else if (mode.startsWith("eyes")) {
      aimEyes(Number(mode.slice(4)), f);
    }
    focus.set(cx, cy, DEFAULT.height);
  }
  function aimEyes(i, f) {
    const d = data.dancers[i];
    if (!d || data.JI.head < 0) return;
    const c = headCentre(data, d, f);
    const fw = facing(data, d, f) || [0, 1];
    eyes.position.set(c[0] + fw[0] * 0.07, c[1] + fw[1] * 0.07, c[2]);
    eyes.lookAt(c[0] + fw[0] * 2, c[1] + fw[1] * 2, c[2] - 0.45);
    eyes.layers.set(0);
    for (let k = 0; k < data.dancers.length; k++) if (k !== i) eyes.layers.enable(HEAD_LAYER + k);
  }
  return {
    aim,
    get mode() {
      return mode;
    },
    setMode(m) {
      mode = m;
      controls.enabled = mode === "follow" || mode === "orbit";
      onChange();
    },
    /** The camera to render with. */
    active() {
      if (mode === "top") return top;
      if (mode.startsWith("eyes")) return eyes;
      return main;
    },
    setAspect(aspect) {
      for (const cam of [main, top, eyes]) {
        cam.aspect = aspect;
        cam.updateProjectionMatrix();
      }
    },
  };
}
