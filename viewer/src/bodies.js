/* The dancers as bodies: per dancer a set of tapered capsules on the rig's joints (hips,
 * belly, chest, shoulders, neck, upper arms, forearms, hands, thighs, shins, feet), an
 * ellipsoid head with hair and a nose (to see where the dancer faces), and for the
 * follower a skirt. Each frame every piece is placed from the joint positions alone.
 *
 * Radii follow the capsules of `pasdeux.capsules` (BONE_CAPSULES, capsule_radii_m) that
 * the motion stage keeps apart, a little shaped (tapered, flatter front to back in the
 * torso) to read as a body. The head pieces of dancer i are on layer HEAD_LAYER + i only,
 * so that camera from dancer i's eyes can leave them out.
 */

import * as THREE from "three";
import { facing, headCentre, jointAt } from "./data.js";

export const HEAD_LAYER = 1;

const SKIN = "#d9a88a";
const LOOK = {
  leader: { lower: "#2c3038", shins: "#2c3038", sleeves: true, shoe: "#16171a", hair: "#2b2220", skirt: false },
  follower: { lower: null, shins: SKIN, sleeves: false, shoe: "#9a7b4f", hair: "#5b3a24", skirt: true },
};

/** The body's pieces: joint keys at both ends, radius at each end (m), front-to-back
 *  flattening, what they are dressed in, and which line (shoulders or hips) is "right". */
function pieces(JI, look) {
  const lower = look.lower ? "lower" : "shirt";
  const arm = look.sleeves ? "shirt" : "skin";
  const spine = JI.spine >= 0 ? "spine" : "chest";
  return [
    { a: "lHip", b: "rHip", ra: 0.1, rb: 0.1, depth: 0.78, dress: lower, hips: true },
    { a: "pelvis", b: spine, ra: 0.11, rb: 0.1, depth: 0.72, dress: "shirt", hips: true },
    { a: spine, b: "neck", ra: 0.1, rb: 0.12, depth: 0.62, dress: "shirt" },
    { a: "lSh", b: "rSh", ra: 0.055, rb: 0.055, depth: 1, dress: "shirt" },
    { a: "neck", b: "head", ra: 0.045, rb: 0.045, depth: 1, dress: "skin" },
    { a: "lSh", b: "lEl", ra: 0.048, rb: 0.04, depth: 1, dress: arm },
    { a: "rSh", b: "rEl", ra: 0.048, rb: 0.04, depth: 1, dress: arm },
    { a: "lEl", b: "lWr", ra: 0.038, rb: 0.03, depth: 1, dress: arm },
    { a: "rEl", b: "rWr", ra: 0.038, rb: 0.03, depth: 1, dress: arm },
    { a: "lWr", b: "lFinger", ra: 0.035, rb: 0.03, depth: 0.6, dress: "skin" },
    { a: "rWr", b: "rFinger", ra: 0.035, rb: 0.03, depth: 0.6, dress: "skin" },
    { a: "lHip", b: "lKnee", ra: 0.075, rb: 0.052, depth: 1, dress: lower === "lower" ? "lower" : "skin", hips: true },
    { a: "rHip", b: "rKnee", ra: 0.075, rb: 0.052, depth: 1, dress: lower === "lower" ? "lower" : "skin", hips: true },
    { a: "lKnee", b: "lAn", ra: 0.05, rb: 0.038, depth: 1, dress: "shins", hips: true },
    { a: "rKnee", b: "rAn", ra: 0.05, rb: 0.038, depth: 1, dress: "shins", hips: true },
    { a: "lAn", b: "lToe", ra: 0.042, rb: 0.035, depth: 1, dress: "shoe", hips: true },
    { a: "rAn", b: "rToe", ra: 0.042, rb: 0.035, depth: 1, dress: "shoe", hips: true },
  ];
}

const tmp = {
  x: new THREE.Vector3(),
  y: new THREE.Vector3(),
  z: new THREE.Vector3(),
  p: new THREE.Vector3(),
  m: new THREE.Matrix4(),
};

/** Instances of one geometry in one draw call, each with its colour (a mesh per piece
 *  would be a hundred draw calls a frame, too many for software WebGL). */
class Pool {
  constructor(group, geometry, capacity, { layer = 0, side = THREE.FrontSide } = {}) {
    const material = new THREE.MeshLambertMaterial({ color: "#ffffff", side });
    this.mesh = new THREE.InstancedMesh(geometry, material, Math.max(1, capacity));
    this.mesh.count = 0;
    this.mesh.castShadow = true;
    this.mesh.receiveShadow = true;
    this.mesh.frustumCulled = false; // the instances move; their bounds are not kept
    this.mesh.layers.set(layer);
    group.add(this.mesh);
  }
  /** A new instance of `color`: the slot to `place`. */
  add(color) {
    const i = this.mesh.count++;
    this.mesh.setColorAt(i, new THREE.Color(color));
    return { mesh: this.mesh, i };
  }
}

/** Place instance `slot` with its local axes along unit x, y, z scaled by sx, sy, sz at p. */
function place(slot, x, y, z, sx, sy, sz, p) {
  tmp.m.set(
    x.x * sx, y.x * sy, z.x * sz, p.x,
    x.y * sx, y.y * sy, z.y * sz, p.y,
    x.z * sx, y.z * sy, z.z * sz, p.z,
    0, 0, 0, 1
  );
  slot.mesh.setMatrixAt(slot.i, tmp.m);
  slot.mesh.instanceMatrix.needsUpdate = true;
}

/** Unit y along a->b, z toward `fwd` made square to it (else world up), x = y x z. */
function frameAlong(a, b, fwd) {
  const { x, y, z } = tmp;
  y.set(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
  const len = y.length();
  if (len < 1e-6) y.set(0, 0, 1);
  else y.multiplyScalar(1 / len);
  z.set(fwd[0], fwd[1], 0);
  z.addScaledVector(y, -z.dot(y));
  if (z.lengthSq() < 1e-6) {
    z.set(0, 0, 1).addScaledVector(y, -y.z);
    if (z.lengthSq() < 1e-6) z.set(1, 0, 0);
  }
  z.normalize();
  x.crossVectors(y, z);
  return len;
}

/** The look of dancer d (index i): its role's, else by turns. */
const lookOf = (d, i) => LOOK[d.role] || LOOK[i % 2 ? "follower" : "leader"];

/** One dancer's body made of instances of `pools`, dressed for its role. */
function createBody(pools, data, d, index) {
  const look = lookOf(d, index);
  const dress = {
    shirt: d.color,
    lower: look.lower || d.color,
    shins: look.shins,
    skin: SKIN,
    shoe: look.shoe,
    hair: look.hair,
  };
  const parts = [];
  pieces(data.JI, look).forEach((spec, k) => {
    const ja = data.JI[spec.a];
    const jb = data.JI[spec.b];
    if (ja < 0) return;
    const color = dress[spec.dress];
    const cyl = jb >= 0 ? pools.cylinders[k].add(color) : null;
    const endA = pools.spheres.add(color);
    const endB = jb >= 0 ? pools.spheres.add(color) : null;
    parts.push({ ...spec, ja, jb, cyl, endA, endB });
  });
  const head = {};
  if (data.JI.head >= 0) {
    const heads = pools.heads[index];
    head.skull = heads.add(SKIN);
    head.hair = heads.add(look.hair);
    head.nose = heads.add(SKIN);
    if (look.skirt) head.bun = heads.add(look.hair);
  }
  const skirt = look.skirt && data.JI.lHip >= 0 ? pools.skirts.add(d.color) : null;
  return { d, parts, head, skirt };
}

/** Pose one body at frame f. */
function poseBody(body, data, f) {
  const { J } = data;
  const d = body.d;
  const up = [0, 0, 1];
  const fwdSh = facing(data, d, f) || [0, 1];
  const fwdHips = hipsFacing(data, d, f) || fwdSh;
  const { x, y, z, p } = tmp;
  for (const part of body.parts) {
    const a = jointAt(d, J, f, part.ja);
    const b = part.jb >= 0 ? jointAt(d, J, f, part.jb) : a;
    const len = frameAlong(a, b, part.hips ? fwdHips : fwdSh);
    if (part.cyl) {
      p.set((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2);
      place(part.cyl, x, y, z, part.ra, Math.max(len, 1e-4), part.ra * part.depth, p);
    }
    p.set(a[0], a[1], a[2]);
    place(part.endA, x, y, z, part.ra, part.ra, part.ra * part.depth, p);
    if (part.endB) {
      p.set(b[0], b[1], b[2]);
      place(part.endB, x, y, z, part.rb, part.rb, part.rb * part.depth, p);
    }
  }
  if (body.head.skull) poseHead(body.head, data, d, f, fwdSh);
  if (body.skirt) {
    const pel = jointAt(d, J, f, data.JI.pelvis);
    frameAlong([0, 0, 0], up, fwdHips);
    p.set(pel[0], pel[1], pel[2] - 0.24);
    place(body.skirt, x, y, z, 1, 1, 0.85, p);
  }
}

/** Every slot of one body, to hide it. */
function slotsOf(body) {
  const out = [];
  for (const part of body.parts) out.push(part.cyl, part.endA, part.endB);
  out.push(...Object.values(body.head), body.skirt);
  return out.filter(Boolean);
}

/** Hide one body: its instances scaled to nothing. */
function hideBody(body) {
  tmp.m.makeScale(0, 0, 0);
  for (const slot of slotsOf(body)) {
    slot.mesh.setMatrixAt(slot.i, tmp.m);
    slot.mesh.instanceMatrix.needsUpdate = true;
  }
}

/** The direction the hips face (from the hip joints), or null. */
function hipsFacing(data, d, f) {
  const { J, JI } = data;
  if (JI.lHip < 0 || JI.rHip < 0) return null;
  const l = jointAt(d, J, f, JI.lHip);
  const r = jointAt(d, J, f, JI.rHip);
  const n = Math.hypot(r[0] - l[0], r[1] - l[1]);
  return n > 1e-6 ? [-(r[1] - l[1]) / n, (r[0] - l[0]) / n] : null;
}

function poseHead(head, data, d, f, fwd) {
  const c = headCentre(data, d, f);
  const base = jointAt(d, data.J, f, data.JI.head);
  const axisTop = data.JI.headTop >= 0 ? jointAt(d, data.J, f, data.JI.headTop) : [base[0], base[1], base[2] + 1];
  frameAlong(base, axisTop, fwd);
  const { x, y, z, p } = tmp;
  const at = (u, v, w) => p.set(c[0], c[1], c[2]).addScaledVector(x, u).addScaledVector(y, v).addScaledVector(z, w);
  place(head.skull, x, y, z, 0.078, 0.105, 0.095, at(0, 0, 0));
  place(head.hair, x, y, z, 0.083, 0.1, 0.092, at(0, 0.018, -0.016));
  place(head.nose, x, y, z, 0.016, 0.022, 0.02, at(0, -0.01, 0.092));
  if (head.bun) place(head.bun, x, y, z, 0.045, 0.045, 0.045, at(0, 0.035, -0.1));
}

/** A soft round shadow texture: dark in the middle, clear at the rim. */
function blobTexture() {
  const c = document.createElement("canvas");
  c.width = c.height = 64;
  const ctx = c.getContext("2d");
  const g = ctx.createRadialGradient(32, 32, 0, 32, 32, 32);
  g.addColorStop(0, "rgba(40, 32, 20, 0.5)");
  g.addColorStop(0.6, "rgba(40, 32, 20, 0.25)");
  g.addColorStop(1, "rgba(40, 32, 20, 0)");
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, 64, 64);
  return new THREE.CanvasTexture(c);
}

/** Soft shadows on the floor under each dancer's feet and body, for where the renderer
 *  has no shadow map (software WebGL): `update(f)` moves them. */
function createBlobs(group, data) {
  const { J, JI } = data;
  const material = new THREE.MeshBasicMaterial({ map: blobTexture(), transparent: true, depthWrite: false });
  const spots = [
    [JI.pelvis, 0.34],
    [JI.lAn, 0.13],
    [JI.rAn, 0.13],
  ].filter(([j]) => j >= 0);
  const blobs = new THREE.InstancedMesh(new THREE.PlaneGeometry(2, 2), material, spots.length * data.dancers.length);
  blobs.frustumCulled = false;
  blobs.renderOrder = -1;
  group.add(blobs);
  return (f, hidden) => {
    let i = 0;
    for (const [k, d] of data.dancers.entries()) {
      for (const [j, r] of spots) {
        const p = jointAt(d, J, f, j);
        const s = hidden.has(k) ? 0 : r * (1 - Math.min(0.5, p[2] / 4)); // smaller as the joint rises
        tmp.m.makeScale(s, s, 1).setPosition(p[0], p[1], 0.003);
        blobs.setMatrixAt(i++, tmp.m);
      }
    }
    blobs.instanceMatrix.needsUpdate = true;
  };
}

/** Both dancers' bodies, added to `scene`; `update(f)` poses them at frame f. With
 *  `blobShadows`, soft blobs on the floor stand for their shadows. */
export function createBodies(scene, data, { blobShadows = false } = {}) {
  const group = new THREE.Group();
  group.name = "bodies";
  scene.add(group);
  const n = data.dancers.length;
  const sphere = new THREE.SphereGeometry(1, 20, 14);
  const pools = {
    spheres: new Pool(group, sphere, 2 * pieces(data.JI, LOOK.leader).length * n),
    // a tapered open cylinder per piece, shared by the dancers (the same rig)
    cylinders: pieces(data.JI, LOOK.leader).map(
      (spec) => new Pool(group, new THREE.CylinderGeometry(spec.rb / spec.ra, 1, 1, 20, 1, true), n)
    ),
    heads: data.dancers.map((d, i) => new Pool(group, sphere, 4, { layer: HEAD_LAYER + i })),
    skirts: new Pool(group, new THREE.CylinderGeometry(0.15, 0.3, 0.5, 28, 1, true), n, {
      side: THREE.DoubleSide,
    }),
  };
  const bodies = data.dancers.map((d, i) => createBody(pools, data, d, i));
  const moveBlobs = blobShadows && data.J ? createBlobs(group, data) : null;
  const hidden = new Set(); // indices of the dancers not shown
  return {
    update(f) {
      if (data.J === 0) return;
      bodies.forEach((body, i) => (hidden.has(i) ? hideBody(body) : poseBody(body, data, f)));
      if (moveBlobs) moveBlobs(f, hidden);
    },
    /** Show or hide dancer i. */
    setVisible(i, on) {
      if (on) hidden.delete(i);
      else hidden.add(i);
    },
  };
}
