/* pasdeux viewer: a leader and a follower dance in 3D and on a floor plan, in sync with
 * the song.
 *
 * The <audio id="audio"> element is the only clock: every animation frame reads
 * audio.currentTime and draws frame = min(n_frames - 1, floor(t * fps)).
 * Units: seconds and metres; floor x right, y away from the audience, z up.
 */

import { createCaption } from "./caption.js";
import { activeSpan, fmtTime, jointAt, lastLE, readPayload } from "./data.js";
import { createHelp } from "./help.js";
import { bindKeys, shortcuts } from "./keys.js";
import { createLearning } from "./learning.js";
import { createLoop } from "./loop.js";
import { createTimeline } from "./timeline.js";
import { createTopView } from "./topview.js";
import { createTransport } from "./transport.js";
import { createView3d } from "./view3d.js";

const el = (id) => document.getElementById(id);
const data = readPayload(document);
const audio = el("audio");
const duration = () => (isFinite(audio.duration) && audio.duration > 0 ? audio.duration : data.dataDuration);
let dirty = true;
const redraw = () => {
  dirty = true;
};

// The decoded positions, for tests and debugging: [x, y, z] of joint j of dancer i.
window.pasdeuxJoint = (i, f, j) => jointAt(data.dancers[i], data.J, f, j);

buildLegend(el("legend"), data.dancers);
const transport = createTransport({
  audio,
  playBtn: el("play"),
  seek: el("seek"),
  speedSelect: el("speed"),
  statusEl: el("status"),
  data,
  duration,
  onChange: () => {
    timeline.invalidate();
    redraw();
  },
});
const loop = createLoop({
  audio,
  data,
  duration,
  seekTo: transport.seekTo,
  onChange: redraw,
  button: el("loop-figure"),
  barsBtn: el("loop-bars"),
  fromInput: el("loop-from"),
  toInput: el("loop-to"),
  label: el("loop-label"),
});
const timeline = createTimeline(el("timeline"), data, duration, {
  onSeek: transport.seekTo,
  onLoopBars: loop.loopBarSpan,
  onChange: redraw,
});
const topView = createTopView(el("top"), data);
const learning = createLearning(el("lesson"), data);
const caption = createCaption(el("caption"));
const view3d = createView3d({
  canvas: el("view3d"),
  select: el("camera"),
  data,
  onChange: redraw,
  showStatus: transport.showStatus,
});

// ------------------------------------------------------------------ whose part is shown
const ROLE_CHOICES = ["both", "leader", "follower"];
let role = "both";
function setRole(r) {
  role = ROLE_CHOICES.includes(r) ? r : "both";
  el("role").value = role;
  const show = (i) => role === "both" || data.dancers[i].role === role;
  topView.showDancers(show);
  if (view3d) view3d.showDancers(show);
  learning.setRole(role);
  redraw();
}
el("role").addEventListener("change", () => {
  setRole(el("role").value);
  el("role").blur();
});

const keys = shortcuts({
  togglePlay: transport.togglePlay,
  stepBeat: transport.stepBeat,
  stepBar: transport.stepBar,
  seekTo: transport.seekTo,
  stepSpeed: transport.stepSpeed,
  toggleLoop: loop.toggleFigure,
  toggleBars: () => loop.toggleBars(),
  camera: (i) => {
    if (!view3d) return;
    view3d.selectCamera(i);
    el("camera").value = view3d.camera;
    redraw();
  },
  nextRole: () => setRole(ROLE_CHOICES[(ROLE_CHOICES.indexOf(role) + 1) % ROLE_CHOICES.length]),
  toggleHelp: () => help.toggle(),
  escape: () => (help.open ? help.close() : loop.clear()),
});
const help = createHelp(el("help"), keys, el("help-open"), [
  "On the timeline: a click jumps to the start of the section, phrase or figure under it (on the beats, to the nearest beat); a drag loops the whole bars it crosses (B or Esc stops).",
]);
bindKeys(document, keys);

function resizeAll() {
  topView.resize();
  timeline.invalidate();
  redraw();
}
if (window.ResizeObserver) {
  const ro = new ResizeObserver(resizeAll);
  for (const id of ["top", "view3d", "timeline"]) ro.observe(el(id));
}
window.addEventListener("resize", resizeAll);

function buildLegend(ul, dancers) {
  for (const d of dancers) {
    const li = document.createElement("li");
    const sw = document.createElement("span");
    sw.className = "swatch";
    sw.style.background = d.color;
    const name = document.createElement("span");
    name.className = "role";
    name.textContent = d.role;
    li.append(sw, name);
    ul.append(li);
  }
  const feet = document.createElement("li");
  const k1 = document.createElement("span");
  k1.className = "foot-key";
  const k2 = document.createElement("span");
  k2.className = "foot-key lifted";
  const txt = document.createElement("span");
  txt.textContent = "foot on floor / lifted";
  feet.append(k1, k2, txt);
  ul.append(feet);
}

// ------------------------------------------------------------------ text of the moment
const shown = {};
const nodes = {
  count: el("count"),
  bar: el("bar"),
  figure: el("figure"),
  counts: el("counts"),
  dance: el("dance"),
  meter: el("meter"),
  time: el("time"),
};
function setText(key, value) {
  if (shown[key] !== value) {
    shown[key] = value;
    nodes[key].textContent = value;
  }
}
function setClass(key, on) {
  if (shown[key] !== on) {
    shown[key] = on;
    nodes.count.classList.toggle(key, on);
  }
}

const frameAt = (t) => Math.min(data.nFrames - 1, Math.max(0, Math.floor(t * data.fps)));

/** Show time t: the count, bar, figure, dance and meter, the floor plan and the timeline. */
function show(t) {
  const f = frameAt(t);
  const bi = lastLE(data.beats, t);
  const count = bi >= 0 && data.beatInBar[bi] != null ? Number(data.beatInBar[bi]) : null;
  const bar = bi >= 0 && data.barOfBeat[bi] != null ? Number(data.barOfBeat[bi]) : null;
  const fig = activeSpan(data.figures, t);
  const sec = activeSpan(data.sections, t);
  const figName = fig ? String(fig.name || "") : "";
  const leads = fig ? (fig.leads === "follower" ? "follower" : "leader") : null;
  setText("count", count === null ? "–" : String(count));
  setText("bar", bar === null ? "–" : String(bar));
  setText("figure", figName + (leads === "follower" ? " — the follower leads" : ""));
  setText("counts", fig && fig.counts ? String(fig.counts) : "");
  // the dance being danced; between figures, the one the music's section suits
  setText("dance", fig ? String(fig.dance || "") : sec ? String(sec.dance || "") : "");
  setText("meter", sec && sec.meter ? sec.meter + " counts per bar" : "");
  setText("time", fmtTime(t) + " / " + fmtTime(duration()));
  setClass("downbeat", count === 1);
  setClass("pulse", bi >= 0 && t - data.beats[bi] < 0.12 && !audio.paused);
  transport.show(t);
  const drawn = topView.draw(f);
  const lesson = learning.show(t);
  // the step's count as the dance counts it (the shown role's), else the beat in the bar
  caption.show({ count: lesson.step ?? count, figure: figName, bar });
  timeline.draw(t, loop.current);
  // What the page shows, read-only, for tests and debugging.
  window.pasdeuxState = {
    time: t,
    frame: f,
    count,
    bar,
    figure: figName,
    leads, // who leads the figure danced now: "leader", or "follower" in a hijack
    dance: shown.dance,
    step: lesson.step, // the count of the step landed last (the shown role's, else the leader's)
    heardCount: lesson.heardCount,
    role,
    speed: audio.playbackRate,
    preservesPitch: audio.preservesPitch,
    loop: loop.current ? { kind: loop.current.kind, start: loop.current.start_s, end: loop.current.end_s } : null,
    help: help.open,
    drawn,
    camera: view3d ? view3d.camera : null,
    time3d: drawnT, // the time the 3D view shows (it may trail where WebGL is slow)
  };
}

// Where WebGL renders in software a 3D frame can take longer than a display frame; drawn
// every frame, it would keep the browser busy and hold back the count and the floor plan.
// There the 3D view draws at most every SOFTWARE_FRAME_MS while playing, and the count,
// the floor plan and the timeline follow the clock on a timer as well.
const SOFTWARE_FRAME_MS = 100;
let shownT = -1;
let drawnT = -1;
let drawnAt = -Infinity;
function tick(now) {
  if (loop.check(audio.currentTime)) dirty = true;
  const t = audio.currentTime;
  if (t !== shownT || dirty) {
    shownT = t;
    show(t);
  }
  if (view3d && (t !== drawnT || dirty) && (dirty || !view3d.software || now - drawnAt >= SOFTWARE_FRAME_MS)) {
    drawnT = t;
    drawnAt = now;
    view3d.draw(frameAt(t));
    if (window.pasdeuxState) window.pasdeuxState.time3d = t;
  }
  dirty = false;
  window.requestAnimationFrame(tick);
}

function follow() {
  loop.check(audio.currentTime);
  const t = audio.currentTime;
  if (t !== shownT) {
    shownT = t;
    show(t);
  }
}

/** Draw time t now (the count, the floor plan, the timeline, the learning panel and the 3D
 *  view), as a frame of playback does, without moving the clock: the page shows the
 *  clock's time again when it moves or something changes. */
function drawAt(t) {
  show(t);
  if (view3d) view3d.draw(frameAt(t));
  dirty = false; // drawn: the next animation frame has nothing new to draw
}

data.ready.then(
  () => {
    window.requestAnimationFrame((now) => {
      tick(now);
      // For tests and benchmarks: when the first frame was drawn (ms since the page's
      // navigation began), and one frame of playback at any time, timed by the caller.
      window.pasdeuxViewer = Object.freeze({ readyMs: performance.now(), drawAt });
    });
    window.setInterval(follow, 20);
  },
  (err) => {
    transport.showStatus("Could not read the dancers' motion: " + (err && err.message ? err.message : err));
    throw err;
  }
);
