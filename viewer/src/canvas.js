/* Sizing of 2D canvases to their box in device pixels. */

/** Make canvas `c` as many device pixels as its CSS box; its CSS size and pixel ratio. */
export function fitCanvas(c) {
  const r = c.getBoundingClientRect();
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(r.width * dpr));
  const h = Math.max(1, Math.round(r.height * dpr));
  if (c.width !== w || c.height !== h) {
    c.width = w;
    c.height = h;
  }
  return { w: r.width, h: r.height, dpr };
}
