/* What a dancer learns from: the current figure's counts large, the current one lit; the
 * dance's count and, where the dance counts the music otherwise (half time), the
 * music's; each role's step now and the next ones; the figure's footprint chart. A role
 * chosen shows only that role's steps and chart panel. */

import { activeSpan, lastLE } from "./data.js";

const NEXT_STEPS = 3;
const ROLES = ["leader", "follower"];

/** The step of `steps` (sorted by time) danced at t: the last that has landed, or -1. */
export function stepIndexAt(steps, t) {
  return lastLE(steps, t + 1e-6, "t");
}

/** The learning panel in `root` (elements found by their data-part). */
export function createLearning(root, data) {
  const part = (name) => root.querySelector('[data-part="' + name + '"]');
  const els = {
    counts: part("counts"),
    heard: part("heard"),
    beat: part("beat"),
    figure: part("figure"),
    next: part("next"),
    chart: part("chart"),
    steps: { leader: part("steps-leader"), follower: part("steps-follower") },
  };
  const charts = createCharts(data, els.chart);
  // where the dance counts the music otherwise, its count is the dance's, beside the music's
  if (data.heard) part("beat-label").textContent = "dance";
  let role = "both";
  let shown = { fig: undefined, step: undefined, role: undefined, heard: undefined, stepKey: undefined, beat: undefined };

  function showCounts(steps, k) {
    const spans = steps.map((s, i) => {
      const span = document.createElement("span");
      span.textContent = s.count || "·";
      if (i === k) span.className = "now";
      return span;
    });
    els.counts.replaceChildren(...spans);
  }
  // every step of the routine per role, in time order, each with its figure
  const routine = {};
  for (const r of ROLES) {
    routine[r] = data.figures.flatMap((fig) => fig.steps[r].map((st) => ({ ...st, fig })));
  }
  /** Role r's step landed last (the current figure's, else none) and the next ones, into
   *  the next figure too. */
  function showSteps(fig, t, r) {
    const all = routine[r];
    const k = stepIndexAt(all, t);
    const now = k >= 0 && all[k].fig === fig ? k : -1;
    const from = now >= 0 ? now : k + 1;
    const items = all.slice(from, from + 1 + NEXT_STEPS).map((st, i) => {
      const li = document.createElement("li");
      if (from + i === now) li.className = "now";
      else if (st.fig !== fig) li.className = "later";
      li.title = String(st.fig.name || "");
      const c = document.createElement("b");
      c.textContent = st.count;
      li.append(c, document.createTextNode(" " + st.text));
      return li;
    });
    ol(r).replaceChildren(...items);
  }
  const ol = (r) => els.steps[r];
  return {
    setRole(r) {
      role = r;
      root.dataset.role = r;
      shown = { ...shown, role: undefined, fig: undefined };
    },
    /** Show time t; returns what is shown: the figure, the step's count, the music's count. */
    show(t) {
      const fig = activeSpan(data.figures, t);
      const next = data.figures[lastLE(data.figures, t, "start_s") + 1];
      const countRole = role === "follower" ? "follower" : "leader";
      const steps = fig ? fig.steps[countRole] : [];
      const k = stepIndexAt(steps, t);
      const stepKeys = ROLES.map((r) => stepIndexAt(routine[r], t)).join(",");
      if (fig !== shown.fig || role !== shown.role) {
        els.figure.textContent = fig ? String(fig.name || "") : "—";
        els.next.textContent = next ? "next: " + String(next.name || "") : "";
        charts.show(fig, role);
      }
      if (fig !== shown.fig || role !== shown.role || k !== shown.step) showCounts(steps, k);
      if (fig !== shown.fig || role !== shown.role || stepKeys !== shown.stepKey) {
        for (const r of ROLES) showSteps(fig, t, r);
        charts.light(ROLES.map((r) => (fig ? fig.steps[r][stepIndexAt(fig.steps[r], t)] : null)));
      }
      const bi = lastLE(data.beats, t);
      const beat = bi >= 0 && data.beatInBar[bi] != null ? String(data.beatInBar[bi]) : "–";
      if (beat !== shown.beat) els.beat.textContent = beat;
      const heard = heardCount(data, t);
      if (heard !== shown.heard) {
        els.heard.textContent = heard === null ? "" : "music " + heard;
        els.heard.hidden = heard === null;
      }
      shown = { fig, step: k, role, heard, stepKey: stepKeys, beat };
      return { figure: fig ? String(fig.name || "") : "", step: k >= 0 ? steps[k].count : null, heardCount: heard };
    },
  };
}

/** The footprint charts in `box`: each figure's SVG parsed once, when first shown;
 *  `show(fig, role)` shows fig's chart, only the role's panel unless role is "both". */
function createCharts(data, box) {
  const parsed = new Map(); // chart key -> <svg> or null
  function chartFor(key) {
    if (!parsed.has(key)) {
      const text = data.charts[key];
      let svg = null;
      if (text) {
        const el = new DOMParser().parseFromString(String(text), "image/svg+xml").documentElement;
        if (el && el.nodeName === "svg") {
          svg = document.importNode(el, true);
          svg.dataset.viewBox = svg.getAttribute("viewBox") || "";
          svg.removeAttribute("width");
          svg.removeAttribute("height");
        }
      }
      parsed.set(key, svg);
    }
    return parsed.get(key);
  }
  let lit = [];
  return {
    /** Light the footprints of `steps` (per role, a step of the chart shown or null). */
    light(steps) {
      for (const el of lit) el.classList.remove("now");
      const svg = box.firstElementChild;
      lit = [];
      if (!svg) return;
      steps.forEach((st, k) => {
        const el = st ? svg.querySelector('[data-step="' + ROLES[k] + "-" + st.i + '"]') : null;
        if (el) lit.push(el);
      });
      for (const el of lit) el.classList.add("now");
    },
    show(fig, role) {
      const svg = fig ? chartFor(String(fig.chart || "")) : null;
      box.replaceChildren(...(svg ? [svg] : []));
      box.classList.toggle("empty", !svg);
      if (!svg) return;
      // the chart has the leader's panel left, the follower's right: show the role's half
      const [x, y, w, h] = svg.dataset.viewBox.split(/\s+/).map(Number);
      const half = w / 2;
      const view = role === "both" ? [x, y, w, h] : [x + (role === "follower" ? half : 0), y, half, h];
      svg.setAttribute("viewBox", view.join(" "));
    },
  };
}

/** The music's own count (as heard) at t, where the dance counts the music otherwise
 *  than it was heard (half or double time, other bars); else null. */
function heardCount(data, t) {
  if (!data.heard) return null;
  const i = lastLE(data.heard.beats, t);
  return i < 0 ? null : Number(data.heard.beatInBar[i]);
}
