/* The timeline strip under the seek bar, in rows: sections (tinted by dance, named),
 * phrases, beats (bar lines taller) and figure blocks (named); the loop shaded and the
 * playhead. A click on a section, phrase or figure jumps to its start, on the beats row to
 * the nearest beat; a drag loops the whole bars it crosses (shown while dragging). */

import { fitCanvas } from "./canvas.js";
import { activeSpan, lastLE } from "./data.js";

const SECTION_TINTS = ["#dfe7f1", "#f1e3df", "#e2efe2", "#ece2f1", "#f1ecdc"];
// Rows as fractions of the strip's height: [top, bottom).
const ROWS = { sections: [0, 0.28], phrases: [0.28, 0.4], beats: [0.4, 0.56], figures: [0.56, 1] };
const DRAG_PX = 4;

/** The row at fraction y (0 top, 1 bottom) of the strip. */
function rowAt(y) {
  for (const [name, [a, b]] of Object.entries(ROWS)) if (y >= a && y < b) return name;
  return "figures";
}

/** Names in blocks, clipped to the block; `fill` the text colour. */
function label(ctx, text, x0, x1, y0, y1, fill) {
  if (x1 - x0 < 30 || !text) return;
  ctx.save();
  ctx.beginPath();
  ctx.rect(x0, y0, x1 - x0 - 2, y1 - y0);
  ctx.clip();
  ctx.fillStyle = fill;
  ctx.fillText(text, x0 + 4, (y0 + y1) / 2);
  ctx.restore();
}

function paint(ctx, data, w, h, X) {
  const y = (row) => [ROWS[row][0] * h, ROWS[row][1] * h];
  ctx.fillStyle = "#f1efe9";
  ctx.fillRect(0, 0, w, h);
  ctx.font = "10px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  const dances = [];
  const [s0, s1] = y("sections");
  for (const s of data.sections) {
    if (!dances.includes(s.dance)) dances.push(s.dance);
    ctx.fillStyle = SECTION_TINTS[dances.indexOf(s.dance) % SECTION_TINTS.length];
    ctx.fillRect(X(s.start_s), 0, Math.max(1, X(s.end_s) - X(s.start_s)), h);
    ctx.fillStyle = "rgba(29,35,43,0.25)";
    ctx.fillRect(X(s.start_s), s0, 1, s1 - s0);
    label(ctx, String(s.dance || "") + (s.meter ? " " + s.meter + "/4" : ""), X(s.start_s), X(s.end_s), s0, s1, "#5a6270");
  }
  const [p0, p1] = y("phrases");
  data.phrases.forEach((p, i) => {
    ctx.fillStyle = i % 2 ? "rgba(214,158,46,0.55)" : "rgba(214,158,46,0.3)";
    ctx.fillRect(X(p.start_s), p0 + 1, Math.max(1, X(p.end_s) - X(p.start_s) - 1), p1 - p0 - 2);
  });
  const [b0, b1] = y("beats");
  data.beats.forEach((b, i) => {
    const down = Number(data.beatInBar[i]) === 1;
    ctx.fillStyle = down ? "rgba(29,35,43,0.5)" : "rgba(29,35,43,0.18)";
    ctx.fillRect(Math.round(X(b)), down ? b0 : (b0 + b1) / 2, 1, down ? b1 - b0 : (b1 - b0) / 2);
  });
  const [f0, f1] = y("figures");
  ctx.font = "11px system-ui, sans-serif";
  data.figures.forEach((fg, i) => {
    const x0 = X(fg.start_s);
    const x1 = X(fg.end_s);
    ctx.fillStyle = i % 2 ? "rgba(29,35,43,0.13)" : "rgba(29,35,43,0.06)";
    ctx.fillRect(x0, f0, Math.max(1, x1 - x0 - 1), f1 - f0);
    label(ctx, String(fg.name || ""), x0, x1, f0, f1, "#3a4250");
  });
}

/** The time span of bars i to j (indices of `bars`, inclusive, either order); the last
 *  bar ends at `end_s`. */
function barSpan(bars, i, j, end_s) {
  const [a, b] = [Math.min(i, j), Math.max(i, j)];
  return { start_s: bars[a].start_s, end_s: b + 1 < bars.length ? bars[b + 1].start_s : end_s };
}

/** Shade the span [a, b) (pixels) over the strip's height with edges. */
function shade(ctx, a, b, h, fill, edge) {
  ctx.fillStyle = fill;
  ctx.fillRect(a, 0, Math.max(2, b - a), h);
  ctx.fillStyle = edge;
  ctx.fillRect(a, 0, 2, h);
  ctx.fillRect(Math.max(a, b - 2), 0, 2, h);
}

/** Where a click at `t` s on `row` jumps: the start of the span it is on, on the beats
 *  row the nearest beat. */
function jumpTarget(data, row, t) {
  if (row === "beats") {
    const i = lastLE(data.beats, t);
    const near = [i, i + 1].filter((k) => k >= 0 && k < data.beats.length);
    return near.length ? near.reduce((a, k) => (Math.abs(data.beats[k] - t) < Math.abs(a - t) ? data.beats[k] : a), Infinity) : t;
  }
  const span = activeSpan(data[row], t);
  return span ? Number(span.start_s) : t;
}

/** The pointer on the strip: a press and release without moving calls `onClick(e)`, a
 *  drag across bars calls `onLoopBars(i, j)` on release (indices of `data.bars`; the bar
 *  under the press and under the pointer), `onChange()` as it moves. Returns the drag
 *  under way ({from, to}, `to` null until the pointer moved) or null, as `pending()`. */
function bindBarDrag(canvas, data, timeAt, { onClick, onLoopBars, onChange }) {
  let drag = null; // { x, from, to }: the press's x and bar, and the bar under the pointer
  // the bar at time t (before the first bar: the first)
  const barAt = (t) => Math.max(0, lastLE(data.bars, t, "start_s"));
  canvas.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    drag = { x: e.clientX, from: barAt(timeAt(e)), to: null };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drag || !data.bars.length) return;
    if (drag.to === null && Math.abs(e.clientX - drag.x) <= DRAG_PX) return;
    const to = barAt(timeAt(e));
    if (to !== drag.to) {
      drag.to = to;
      onChange();
    }
  });
  canvas.addEventListener("pointerup", (e) => {
    if (!drag) return;
    const done = drag;
    drag = null;
    if (done.to === null) onClick(e);
    else onLoopBars(done.from, done.to);
  });
  canvas.addEventListener("pointercancel", () => {
    drag = null;
    onChange();
  });
  return () => (drag && drag.to !== null ? drag : null);
}

/** The strip on `canvas`; `duration()` is the song's length. `onSeek(t)` asks to jump,
 *  `onLoopBars(i, j)` to loop bars i to j (indices of `data.bars`), `onChange()` for a
 *  redraw (while a loop is being dragged). */
export function createTimeline(canvas, data, duration, { onSeek, onLoopBars, onChange }) {
  let cache = null;
  function build() {
    const { w, h, dpr } = fitCanvas(canvas);
    const off = document.createElement("canvas");
    off.width = canvas.width;
    off.height = canvas.height;
    const ctx = off.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const dur = duration();
    paint(ctx, data, w, h, (t) => (Math.max(0, Math.min(dur, t)) / dur) * w);
    cache = { img: off, w, h, dpr, dur };
  }
  const timeAt = (e) => {
    const r = canvas.getBoundingClientRect();
    return Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)) * duration();
  };
  const onClick = (e) => {
    const r = canvas.getBoundingClientRect();
    onSeek(jumpTarget(data, rowAt((e.clientY - r.top) / Math.max(1, r.height)), timeAt(e)));
  };
  const pending = bindBarDrag(canvas, data, timeAt, { onClick, onLoopBars, onChange });
  function draw(t, loop) {
    if (!cache || cache.dur !== duration()) build();
    const ctx = canvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(cache.img, 0, 0);
    const X = (s) => (Math.max(0, Math.min(cache.dur, s)) / cache.dur) * cache.w;
    ctx.setTransform(cache.dpr, 0, 0, cache.dpr, 0, 0);
    if (loop) shade(ctx, X(loop.start_s), X(loop.end_s), cache.h, "rgba(43,108,176,0.22)", "rgba(43,108,176,0.8)");
    const drag = pending();
    if (drag) {
      const span = barSpan(data.bars, drag.from, drag.to, cache.dur);
      shade(ctx, X(span.start_s), X(span.end_s), cache.h, "rgba(214,158,46,0.3)", "rgba(160,110,20,0.9)");
    }
    ctx.fillStyle = "#d69e2e";
    ctx.fillRect(X(t) - 1, 0, 2, cache.h);
  }
  return {
    draw,
    invalidate() {
      cache = null;
    },
  };
}
