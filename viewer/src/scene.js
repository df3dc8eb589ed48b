/* The 3D stage: WebGL 2 renderer, the dance floor with its markings (the top view's
 * drawing laid on it as a texture, fading into the background), a hemisphere light and a sun whose soft shadow map
 * follows the couple. */

import * as THREE from "three";
import { drawFloorPlan } from "./floorplan.js";

const BACKGROUND = "#e4e1da";
const GROUND = "#dcd5c7";
const MARGIN_M = 4; // floor beyond the dance floor's edges (one plane: fill is dear in software)
const SHADOW_HALF_M = 4;
const tmpSize = new THREE.Vector2();
const SUN_OFFSET = new THREE.Vector3(2.5, -3.5, 8);

/** Whether WebGL renders in software here (SwiftShader, llvmpipe): then the view draws
 *  fewer pixels, a smaller floor texture and a smaller shadow map, to keep its pace
 *  (unless the page's address ends in `?quality=high`, as for a screenshot). */
function softwareWebGL() {
  if (new URLSearchParams(window.location.search).get("quality") === "high") return false;
  const gl = document.createElement("canvas").getContext("webgl2");
  if (!gl) return false;
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  const name = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : "";
  const lose = gl.getExtension("WEBGL_lose_context");
  if (lose) lose.loseContext();
  return /swiftshader|llvmpipe|software/i.test(name);
}

/** The floor's markings as a texture on a plane `floorW + 2 MARGIN_M` wide, at most
 *  `maxPx` pixels a side. */
function floorTexture(floorW, floorD, maxAnisotropy, maxPx) {
  const wM = floorW + 2 * MARGIN_M;
  const dM = floorD + 2 * MARGIN_M;
  const s = Math.max(8, Math.min(128, maxPx / Math.max(wM, dM)));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(wM * s);
  canvas.height = Math.round(dM * s);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = GROUND;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  drawFloorPlan(ctx, { floorW, floorD, cx: canvas.width / 2, cy: canvas.height / 2, s, u: s / 40 });
  const tex = new THREE.CanvasTexture(canvas);
  tex.colorSpace = THREE.SRGBColorSpace;
  tex.anisotropy = Math.min(4, maxAnisotropy);
  return { tex, wM, dM };
}

/** The stage on `canvas`, or null (with the reason in `error`) where WebGL 2 is missing. */
export function createStage(canvas, data) {
  const software = softwareWebGL();
  let renderer;
  try {
    renderer = new THREE.WebGLRenderer({ canvas, antialias: !software });
  } catch (err) {
    return { stage: null, error: err };
  }
  renderer.setPixelRatio(software ? 0.5 : Math.min(2, window.devicePixelRatio || 1));
  // Shadow maps cost most of a frame in software; there bodies.js lays soft blobs instead.
  renderer.shadowMap.enabled = !software;
  renderer.shadowMap.type = THREE.PCFShadowMap;
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(BACKGROUND);
  scene.fog = new THREE.Fog(BACKGROUND, 9, 22);

  const { tex, wM, dM } = floorTexture(
    data.floorW,
    data.floorD,
    software ? 1 : renderer.capabilities.getMaxAnisotropy(),
    software ? 1024 : 4096
  );
  const floor = new THREE.Mesh(
    new THREE.PlaneGeometry(wM, dM),
    new THREE.MeshLambertMaterial({ map: tex })
  );
  floor.receiveShadow = true;
  scene.add(floor);

  scene.add(new THREE.HemisphereLight("#ffffff", "#b8a98c", 1.6));
  const sun = new THREE.DirectionalLight("#fff6e8", 2.2);
  sun.castShadow = true;
  const mapPx = software ? 512 : 2048;
  sun.shadow.mapSize.set(mapPx, mapPx);
  sun.shadow.radius = software ? 2 : 5;
  sun.shadow.bias = -0.0004;
  sun.shadow.normalBias = 0.02;
  Object.assign(sun.shadow.camera, {
    left: -SHADOW_HALF_M,
    right: SHADOW_HALF_M,
    top: SHADOW_HALF_M,
    bottom: -SHADOW_HALF_M,
    near: 0.5,
    far: 30,
  });
  sun.shadow.camera.layers.enableAll(); // heads cast shadows too
  scene.add(sun, sun.target);
  // The canvas's box, kept by an observer: reading clientWidth every frame would make the
  // browser lay out the page again after each change of the text around it.
  const box = { w: canvas.clientWidth, h: canvas.clientHeight };
  if (window.ResizeObserver) {
    new ResizeObserver((entries) => {
      const r = entries[entries.length - 1].contentRect;
      box.w = r.width;
      box.h = r.height;
    }).observe(canvas);
  }

  return {
    stage: {
      renderer,
      scene,
      software,
      /** Centre the sun and its shadow map on the floor point (x, y). */
      focus(x, y) {
        sun.target.position.set(x, y, 0);
        sun.position.set(x, y, 0).add(SUN_OFFSET);
      },
      /** Match the drawing buffer to the canvas box; returns its aspect ratio. */
      resize() {
        const w = Math.max(1, Math.round(window.ResizeObserver ? box.w : canvas.clientWidth));
        const h = Math.max(1, Math.round(window.ResizeObserver ? box.h : canvas.clientHeight));
        const size = renderer.getSize(tmpSize);
        if (size.x !== w || size.y !== h) renderer.setSize(w, h, false);
        return w / h;
      },
      render(camera) {
        renderer.render(scene, camera);
      },
    },
    error: null,
  };
}
