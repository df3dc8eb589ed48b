/* The 2D view of the floor from above: markings, fading foot trails, and each dancer as
 * footprints (filled on the floor, outlined when lifted), arms, hips, shoulders and head. */

import { fitCanvas } from "./canvas.js";
import { drawFloorPlan } from "./floorplan.js";
import { facing, headCentre, jointAt, mix, rgba } from "./data.js";

const TRAIL_S = 1.5;
const TRAIL_BANDS = 6;

/** The top view drawn on `canvas`; `draw(f)` returns each role's pelvis in canvas pixels. */
export function createTopView(canvas, data) {
  let size = fitCanvas(canvas);
  let shown = () => true; // which dancers (by index) are drawn
  const ctx = canvas.getContext("2d");
  let floor = null; // the floor plan drawn once per size, on its own canvas
  function draw(f) {
    const { w, h, dpr } = size;
    const margin = 26;
    const s = Math.max(1e-3, Math.min((w - 2 * margin) / data.floorW, (h - 2 * margin - 8) / data.floorD));
    const cx = w / 2;
    const cy = (h - 8) / 2;
    if (!floor || floor.width !== canvas.width || floor.height !== canvas.height) {
      floor = document.createElement("canvas");
      floor.width = canvas.width;
      floor.height = canvas.height;
      const fctx = floor.getContext("2d");
      fctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      fctx.fillStyle = "#ebe7df";
      fctx.fillRect(0, 0, w, h);
      drawFloorPlan(fctx, { floorW: data.floorW, floorD: data.floorD, cx, cy, s });
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(floor, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const view = { ctx, s, X: (x) => cx + x * s, Y: (y) => cy - y * s };
    const drawn = {};
    if (data.J === 0) return drawn;
    const dancers = data.dancers.filter((d, i) => shown(i));
    drawTrails(view, data, dancers, f);
    for (const d of dancers) {
      const pel = drawDancer(view, data, d, f);
      drawn[d.role] = [view.X(pel[0]) * dpr, view.Y(pel[1]) * dpr];
    }
    return drawn;
  }
  return {
    draw,
    resize() {
      size = fitCanvas(canvas);
      floor = null;
    },
    /** Draw only the dancers whose index `show(i)` is true. */
    showDancers(show) {
      shown = show;
    },
  };
}

/** Fading trails of each dancer's ankles over the last TRAIL_S seconds, in TRAIL_BANDS
 *  strokes of one alpha each (a stroke per segment would be a hundred a frame). */
function drawTrails({ ctx, X, Y }, data, dancers, f) {
  const { fps, J, JI } = data;
  const trailFrames = Math.max(2, Math.round(TRAIL_S * fps));
  const step = Math.max(1, Math.round(fps / 30));
  ctx.lineCap = "round";
  ctx.lineWidth = 2.5;
  for (const d of dancers) {
    const paths = Array.from({ length: TRAIL_BANDS }, () => new Path2D());
    for (const j of [JI.lAn, JI.rAn]) {
      if (j < 0) continue;
      let prev = null;
      for (let k = trailFrames; k >= 0; k -= step) {
        if (f - k < 0) continue;
        const p = jointAt(d, J, f - k, j);
        if (prev) {
          const band = Math.min(TRAIL_BANDS - 1, Math.floor((1 - k / trailFrames) * TRAIL_BANDS));
          paths[band].moveTo(X(prev[0]), Y(prev[1]));
          paths[band].lineTo(X(p[0]), Y(p[1]));
        }
        prev = p;
      }
    }
    paths.forEach((path, band) => {
      ctx.strokeStyle = rgba(d.color, (0.45 * (band + 0.5)) / TRAIL_BANDS);
      ctx.stroke(path);
    });
  }
}

/** Footprints, filled when the foot is on the floor and outlined when lifted. */
function drawFeet({ ctx, s, X, Y }, data, d, f) {
  const { J, JI } = data;
  for (const [an, toe] of [
    [JI.lAn, JI.lToe],
    [JI.rAn, JI.rToe],
  ]) {
    if (an < 0) continue;
    const a = jointAt(d, J, f, an);
    const t = toe >= 0 ? jointAt(d, J, f, toe) : null;
    let len = 0.2;
    let ang = 0;
    let mx = a[0];
    let my = a[1];
    if (t) {
      const dx = t[0] - a[0];
      const dy = t[1] - a[1];
      const n = Math.hypot(dx, dy) || 1;
      len = Math.max(0.12, Math.hypot(dx, dy) + 0.1);
      ang = Math.atan2(-dy, dx);
      mx = (a[0] + t[0]) / 2 - (dx / n) * 0.03;
      my = (a[1] + t[1]) / 2 - (dy / n) * 0.03;
    }
    const lift = Math.min(1, Math.max(0, (Math.min(a[2], t ? t[2] + 0.07 : a[2]) - 0.11) / 0.08));
    ctx.beginPath();
    ctx.ellipse(X(mx), Y(my), Math.max(3, (len / 2) * s), Math.max(2, 0.05 * s), ang, 0, Math.PI * 2);
    ctx.fillStyle = rgba(d.color, 0.85 * (1 - lift) + 0.08 * lift);
    ctx.fill();
    ctx.strokeStyle = d.color;
    ctx.lineWidth = 1.2;
    ctx.stroke();
  }
}

/** One dancer from above; returns the pelvis position. */
function drawDancer(view, data, d, f) {
  const { ctx, s, X, Y } = view;
  const { J, JI } = data;
  const P = (j) => jointAt(d, J, f, j);
  const line = (a, b, width, color) => {
    if (a < 0 || b < 0) return;
    const pa = P(a);
    const pb = P(b);
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.beginPath();
    ctx.moveTo(X(pa[0]), Y(pa[1]));
    ctx.lineTo(X(pb[0]), Y(pb[1]));
    ctx.stroke();
  };
  drawFeet(view, data, d, f);
  ctx.lineCap = "round";
  const armW = Math.max(1.2, 0.03 * s);
  const armC = rgba(d.color, 0.5);
  line(JI.lSh, JI.lEl, armW, armC);
  line(JI.lEl, JI.lWr, armW, armC);
  line(JI.rSh, JI.rEl, armW, armC);
  line(JI.rEl, JI.rWr, armW, armC);
  line(JI.lHip, JI.rHip, Math.max(2, 0.05 * s), rgba(d.color, 0.55));
  line(JI.lSh, JI.rSh, Math.max(4, 0.1 * s), d.color);
  const pel = P(JI.pelvis);
  ctx.beginPath();
  ctx.arc(X(pel[0]), Y(pel[1]), Math.max(3, 0.07 * s), 0, Math.PI * 2);
  ctx.fillStyle = d.color;
  ctx.fill();
  ctx.strokeStyle = "#fff";
  ctx.lineWidth = 1.5;
  ctx.stroke();
  if (JI.head < 0) return pel;
  const hd = headCentre(data, d, f);
  const hr = Math.max(4, 0.11 * s);
  ctx.beginPath();
  ctx.arc(X(hd[0]), Y(hd[1]), hr, 0, Math.PI * 2);
  ctx.fillStyle = mix(d.color, "#ffffff", 0.55);
  ctx.fill();
  ctx.strokeStyle = d.color;
  ctx.lineWidth = 2;
  ctx.stroke();
  const fw = facing(data, d, f);
  if (fw) {
    // A nose tick on the head, where the dancer faces.
    ctx.beginPath();
    ctx.moveTo(X(hd[0] + fw[0] * 0.06), Y(hd[1] + fw[1] * 0.06));
    ctx.lineTo(X(hd[0]) + fw[0] * (hr + 4), Y(hd[1]) - fw[1] * (hr + 4));
    ctx.lineWidth = 2.5;
    ctx.stroke();
  }
  return pel;
}
