/* The dance floor's markings drawn on a 2D canvas: boards, a metre grid, the centre mark,
 * the line of dance (counter-clockwise seen from above) and the audience's side. The top
 * view draws them, and the 3D view lays the same drawing on its floor as a texture. */

import { gridLines } from "./data.js";

const INK = "rgba(120, 96, 60, ";

/** Draw the floor of `floorW` x `floorD` metres centred on (cx, cy) at `s` px a metre;
 *  `u` scales line widths and lettering (1 on screen). Screen y grows toward the audience. */
export function drawFloorPlan(ctx, { floorW, floorD, cx, cy, s, u = 1 }) {
  const X = (x) => cx + x * s;
  const Y = (y) => cy - y * s;
  const fx0 = X(-floorW / 2);
  const fy0 = Y(floorD / 2);
  const fw = floorW * s;
  const fh = floorD * s;
  ctx.fillStyle = "#f6efe2";
  ctx.fillRect(fx0, fy0, fw, fh);
  ctx.strokeStyle = INK + "0.10)";
  ctx.lineWidth = u;
  ctx.beginPath();
  for (const gx of gridLines(floorW / 2)) {
    ctx.moveTo(Math.round(X(gx)) + 0.5, fy0);
    ctx.lineTo(Math.round(X(gx)) + 0.5, fy0 + fh);
  }
  for (const gy of gridLines(floorD / 2)) {
    ctx.moveTo(fx0, Math.round(Y(gy)) + 0.5);
    ctx.lineTo(fx0 + fw, Math.round(Y(gy)) + 0.5);
  }
  ctx.stroke();
  ctx.strokeStyle = "#b9ab93";
  ctx.lineWidth = 1.5 * u;
  ctx.strokeRect(fx0, fy0, fw, fh);
  ctx.strokeStyle = "#8a7f6c";
  ctx.lineWidth = 3 * u;
  ctx.beginPath();
  ctx.moveTo(fx0, fy0 + fh);
  ctx.lineTo(fx0 + fw, fy0 + fh);
  ctx.stroke();
  ctx.strokeStyle = INK + "0.35)";
  ctx.lineWidth = 1.5 * u;
  ctx.beginPath();
  ctx.moveTo(X(-0.15), Y(0));
  ctx.lineTo(X(0.15), Y(0));
  ctx.moveTo(X(0), Y(-0.15));
  ctx.lineTo(X(0), Y(0.15));
  ctx.stroke();
  drawLineOfDance(ctx, floorW, floorD, cx, cy, s, u);
  ctx.fillStyle = "#8a7f6c";
  ctx.font = "600 " + 11 * u + "px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  ctx.fillText("AUDIENCE", cx, fy0 + fh + 5 * u);
  ctx.textAlign = "left";
  ctx.font = 11 * u + "px system-ui, sans-serif";
  ctx.fillText(floorW + " m × " + floorD + " m", fx0, fy0 + fh + 5 * u);
}

/** The line of dance: a dashed ellipse 0.8 m inside the floor's edges with arrows. */
function drawLineOfDance(ctx, floorW, floorD, cx, cy, s, u) {
  const rx = Math.max(0.5, floorW / 2 - 0.8);
  const ry = Math.max(0.5, floorD / 2 - 0.8);
  ctx.save();
  ctx.strokeStyle = INK + "0.35)";
  ctx.lineWidth = 1.5 * u;
  ctx.setLineDash([6 * u, 6 * u]);
  ctx.beginPath();
  ctx.ellipse(cx, cy, rx * s, ry * s, 0, 0, Math.PI * 2);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = INK + "0.55)";
  for (let q = 0; q < 8; q++) {
    const phi = (q * Math.PI) / 4;
    const px = cx + rx * Math.cos(phi) * s;
    const py = cy - ry * Math.sin(phi) * s;
    // Screen-space tangent of increasing phi (counter-clockwise in world = on screen).
    let tx = -rx * Math.sin(phi);
    let ty = -ry * Math.cos(phi);
    const tl = Math.hypot(tx, ty) || 1;
    tx /= tl;
    ty /= tl;
    const a = 7 * u;
    ctx.beginPath();
    ctx.moveTo(px + tx * a, py + ty * a);
    ctx.lineTo(px - tx * a - ty * a * 0.6, py - ty * a + tx * a * 0.6);
    ctx.lineTo(px - tx * a + ty * a * 0.6, py - ty * a - tx * a * 0.6);
    ctx.closePath();
    ctx.fill();
  }
  ctx.font = 11 * u + "px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "bottom";
  ctx.fillText("line of dance ↺", cx, cy - ry * s - 5 * u);
  ctx.restore();
}
