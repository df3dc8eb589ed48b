/* Looping a stretch to practise it: the current figure, or bars A to B (typed, or dragged
 * on the timeline). When the clock passes the loop's end it jumps back to its start. */

import { activeSpan, lastLE } from "./data.js";

/** The loop controls: `button` loops the figure, `fromInput`/`toInput` and `barsBtn` loop
 *  bars; `label` says what loops. `seekTo(t)` jumps, `onChange()` asks for a redraw. */
export function createLoop({ audio, data, duration, seekTo, onChange, button, barsBtn, fromInput, toInput, label }) {
  let loop = null; // { kind: "figure" | "bars", start_s, end_s, text }
  const nBars = data.bars.length;
  for (const input of [fromInput, toInput]) {
    input.min = "1";
    input.max = String(Math.max(1, nBars));
  }
  fromInput.value = "1";
  toInput.value = String(Math.min(4, Math.max(1, nBars)));

  function set(next) {
    loop = next;
    button.classList.toggle("on", !!loop && loop.kind === "figure");
    barsBtn.classList.toggle("on", !!loop && loop.kind === "bars");
    button.setAttribute("aria-pressed", String(!!loop && loop.kind === "figure"));
    barsBtn.setAttribute("aria-pressed", String(!!loop && loop.kind === "bars"));
    label.textContent = loop ? "looping " + loop.text : "";
    if (loop && (audio.currentTime < loop.start_s || audio.currentTime >= loop.end_s)) seekTo(loop.start_s);
    onChange();
  }
  /** Loop the figure danced now (between figures, the next one); again: stop looping. */
  function toggleFigure() {
    if (loop && loop.kind === "figure") return set(null);
    const t = audio.currentTime;
    const fig = activeSpan(data.figures, t) || data.figures[lastLE(data.figures, t, "start_s") + 1];
    if (!fig) return set(null);
    set({ kind: "figure", start_s: fig.start_s, end_s: fig.end_s, text: String(fig.name || "the figure") });
  }
  /** Loop bars a to b (numbers as the bar counter shows them, inclusive); again: stop. */
  function toggleBars(a = Number(fromInput.value), b = Number(toInput.value)) {
    if (loop && loop.kind === "bars") return set(null);
    const from = data.bars.findIndex((bar) => bar.n >= Math.min(a, b));
    const to = data.bars.findIndex((bar) => bar.n > Math.max(a, b));
    if (from < 0) return set(null);
    const end = to >= 0 ? data.bars[to].start_s : duration();
    set({ kind: "bars", start_s: data.bars[from].start_s, end_s: end, text: "bars " + data.bars[from].n + "–" + Math.max(a, b) });
  }
  /** Loop the bars of indices i to j of `data.bars` (inclusive, either order; as dragged on
   *  the timeline): the bar inputs show them, B or Esc stops. */
  function loopBarSpan(i, j) {
    const [a, b] = [Math.min(i, j), Math.max(i, j)];
    if (a < 0 || b >= nBars) return;
    const from = data.bars[a];
    const end = b + 1 < nBars ? data.bars[b + 1].start_s : duration();
    fromInput.value = String(from.n);
    toInput.value = String(data.bars[b].n);
    const text = a === b ? "bar " + from.n : "bars " + from.n + "–" + data.bars[b].n;
    set({ kind: "bars", start_s: from.start_s, end_s: end, text });
  }
  button.addEventListener("click", () => {
    toggleFigure();
    button.blur();
  });
  barsBtn.addEventListener("click", () => {
    toggleBars();
    barsBtn.blur();
  });
  audio.addEventListener("ended", () => {
    if (!loop) return;
    seekTo(loop.start_s);
    audio.play().catch(() => {});
  });
  return {
    toggleFigure,
    toggleBars,
    loopBarSpan,
    clear: () => set(null),
    /** The loop ({kind, start_s, end_s}) or null. */
    get current() {
      return loop;
    },
    /** Called with the clock's time: past the loop's end, jump back to its start. */
    check(t) {
      if (loop && t >= loop.end_s) {
        seekTo(loop.start_s);
        return true;
      }
      return false;
    },
  };
}
