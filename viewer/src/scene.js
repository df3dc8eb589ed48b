/* The 3D stage: WebGL 2 renderer, the dance floor with its markings (the top view's
 * drawing laid on it as a texture), a hemisphere light and a sun whose soft shadow map
 * follows the couple. */

import * as THREE from "three";
import { drawFloorPlan } from "./floorplan.js";

const BACKGROUND = "#e6e9ee";
const GROUND = "#dcd5c7";
const MARGIN_M = 1.2; // floor texture beyond the floor's edges (the audience label)
const SHADOW_HALF_M = 4;
const SUN_OFFSET = new THREE.Vector3(2.5, -3.5, 8);

/** The floor's markings as a texture on a plane `floorW + 2 MARGIN_M` wide. */
function floorTexture(floorW, floorD, maxAnisotropy) {
  const wM = floorW + 2 * MARGIN_M;
  const dM = floorD + 2 * MARGIN_M;
  const s = Math.max(8, Math.min(128, 4096 / Math.max(wM, dM)));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(wM * s);
  canvas.height = Math.round(dM * s);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = GROUND;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  drawFloorPlan(ctx, { floorW, floorD, cx: canvas.width / 2, cy: canvas.height / 2, s, u: s / 40 });
  const tex = new THREE.CanvasTexture(canvas);
  tex.colorSpace = THREE.SRGBColorSpace;
  tex.anisotropy = maxAnisotropy;
  return { tex, wM, dM };
}

/** The stage on `canvas`, or null (with the reason in `error`) where WebGL 2 is missing. */
export function createStage(canvas, data) {
  let renderer;
  try {
    renderer = new THREE.WebGLRenderer({ canvas, antialias: true });
  } catch (err) {
    return { stage: null, error: err };
  }
  renderer.setPixelRatio(Math.min(2, window.devicePixelRatio || 1));
  renderer.shadowMap.enabled = true;
  renderer.shadowMap.type = THREE.PCFShadowMap;
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(BACKGROUND);
  scene.fog = new THREE.Fog(BACKGROUND, 18, 45);

  const { tex, wM, dM } = floorTexture(data.floorW, data.floorD, renderer.capabilities.getMaxAnisotropy());
  const floor = new THREE.Mesh(
    new THREE.PlaneGeometry(wM, dM),
    new THREE.MeshStandardMaterial({ map: tex, roughness: 0.55, metalness: 0 })
  );
  floor.receiveShadow = true;
  scene.add(floor);
  const ground = new THREE.Mesh(
    new THREE.PlaneGeometry(200, 200),
    new THREE.MeshStandardMaterial({ color: GROUND, roughness: 0.9 })
  );
  ground.position.z = -0.005;
  ground.receiveShadow = true;
  scene.add(ground);

  scene.add(new THREE.HemisphereLight("#ffffff", "#b8a98c", 1.6));
  const sun = new THREE.DirectionalLight("#fff6e8", 2.2);
  sun.castShadow = true;
  sun.shadow.mapSize.set(2048, 2048);
  sun.shadow.radius = 5;
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

  return {
    stage: {
      renderer,
      scene,
      /** Centre the sun and its shadow map on the floor point (x, y). */
      focus(x, y) {
        sun.target.position.set(x, y, 0);
        sun.position.set(x, y, 0).add(SUN_OFFSET);
      },
      /** Match the drawing buffer to the canvas box; returns its aspect ratio. */
      resize() {
        const w = Math.max(1, canvas.clientWidth);
        const h = Math.max(1, canvas.clientHeight);
        renderer.setSize(w, h, false);
        return w / h;
      },
      render(camera) {
        renderer.render(scene, camera);
      },
    },
    error: null,
  };
}
