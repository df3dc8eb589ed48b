/* The timeline strip under the seek bar: sections tinted by dance, figure blocks with
 * their names, beat ticks (downbeats taller) and the playhead; click or drag to seek. */

import { fitCanvas } from "./canvas.js";

const SECTION_TINTS = ["#dfe7f1", "#f1e3df", "#e2efe2", "#ece2f1", "#f1ecdc"];

/** The strip on `canvas`; `duration()` is the song's length, `onSeek(t)` asks to jump. */
export function createTimeline(canvas, data, duration, onSeek) {
  let cache = null;
  function build() {
    const { w, h, dpr } = fitCanvas(canvas);
    const off = document.createElement("canvas");
    off.width = canvas.width;
    off.height = canvas.height;
    const ctx = off.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const dur = duration();
    const X = (t) => (Math.max(0, Math.min(dur, t)) / dur) * w;
    ctx.fillStyle = "#f1efe9";
    ctx.fillRect(0, 0, w, h);
    const dances = [];
    for (const s of data.sections) {
      if (!dances.includes(s.dance)) dances.push(s.dance);
      ctx.fillStyle = SECTION_TINTS[dances.indexOf(s.dance) % SECTION_TINTS.length];
      ctx.fillRect(X(s.start_s), 0, Math.max(1, X(s.end_s) - X(s.start_s)), h);
    }
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    data.figures.forEach((fg, i) => {
      const x0 = X(fg.start_s);
      const x1 = X(fg.end_s);
      ctx.fillStyle = i % 2 ? "rgba(29,35,43,0.10)" : "rgba(29,35,43,0.05)";
      ctx.fillRect(x0, h * 0.35, Math.max(1, x1 - x0 - 1), h * 0.65);
      const name = String(fg.name || "");
      if (x1 - x0 > 40 && name) {
        ctx.save();
        ctx.beginPath();
        ctx.rect(x0, 0, x1 - x0 - 2, h);
        ctx.clip();
        ctx.fillStyle = "#4a5260";
        ctx.fillText(name, x0 + 4, h * 0.67);
        ctx.restore();
      }
    });
    data.beats.forEach((b, i) => {
      const down = Number(data.beatInBar[i]) === 1;
      ctx.fillStyle = down ? "rgba(29,35,43,0.45)" : "rgba(29,35,43,0.15)";
      ctx.fillRect(Math.round(X(b)), 0, 1, down ? h * 0.35 : h * 0.2);
    });
    cache = { img: off, w, h, dpr, dur };
  }
  function draw(t) {
    if (!cache || cache.dur !== duration()) build();
    const ctx = canvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(cache.img, 0, 0);
    const x = (Math.max(0, Math.min(cache.dur, t)) / cache.dur) * cache.w;
    ctx.setTransform(cache.dpr, 0, 0, cache.dpr, 0, 0);
    ctx.fillStyle = "#d69e2e";
    ctx.fillRect(x - 1, 0, 2, cache.h);
  }
  function seekTo(e) {
    const r = canvas.getBoundingClientRect();
    onSeek(Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)) * duration());
  }
  let dragging = false;
  canvas.addEventListener("pointerdown", (e) => {
    dragging = true;
    canvas.setPointerCapture(e.pointerId);
    seekTo(e);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (dragging) seekTo(e);
  });
  canvas.addEventListener("pointerup", () => {
    dragging = false;
  });
  return {
    draw,
    invalidate() {
      cache = null;
    },
  };
}
