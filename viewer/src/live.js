/* pasdeux's live page ("You lead", "Cut in", "Hijack"): the song plays, the user picks the
 * leader's next figure at any moment, the app (`pasdeux serve`, /api/live) commits it at
 * the next figure boundary and sends both dancers' motion for it, which is drawn in sync
 * with the song. The <audio> element is the clock, as in the viewer.
 *
 * A figure can only begin at a figure boundary. A key pressed while the figure after the
 * one danced now is not committed yet is sent at once and becomes that figure; a key
 * pressed once it is (improvised, or chosen by an earlier key) is shown as "then" and sent
 * LOOKAHEAD_S before that figure's frames run out, to be the one after it (a key pressed
 * in between replaces it and is sent at once). The frames of a figure run to its last
 * landing (what follows waits for the next figure), so when no key was pressed
 * LOOKAHEAD_S before the frames run out, the leader improvises the next figure.
 */

import { findJoints } from "./data.js";
import { createView3d } from "./view3d.js";

const LOOKAHEAD_S = 1.0;
const COLORS = { leader: "#2b6cb0", follower: "#c53030" };
const WHO = { you: "you lead", "second leader": "the second leader leads", follower: "the follower leads (hijack)" };
const el = (id) => document.getElementById(id);
const audio = el("audio");
const job = new URLSearchParams(window.location.search).get("job") || "";

const live = {
  session: null,
  figures: [], // committed: { index, figure, name, leads, start_s, end_s, bar, first_frame, n_frames }
  framesReady: 0, // frames [0, framesReady) are filled
  options: [],
  nextLeads: "you",
  leader: "you",
  pending: null, // { id, name, keyMs } the user's choice not yet committed
  busy: false,
  done: false,
  responses: [], // per choice: { figure, index, ms (key to frames ready), shownMs, beforeStart, waitedForBoundary }
  errors: [],
  hijack: null,
  replaced: 0, // choices replaced by another key before they were committed
};
window.pasdeuxLive = live;
let data = null;
let view3d = null;

function showError(message) {
  el("live-error").textContent = message || "";
  el("live-error").hidden = !message;
  if (message) live.errors.push(message);
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Pasdeux": "1" },
    body: JSON.stringify(body || {}),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
  return answer;
}

function playingIndex(t) {
  let p = -1;
  live.figures.forEach((f, i) => {
    if (f.start_s <= t) p = i;
  });
  return p;
}

function fill(chunk) {
  const J = data.J;
  for (const d of data.dancers) {
    const rows = chunk.positions_mm[d.role];
    rows.forEach((frame, f) => {
      const base = (chunk.first_frame + f) * J * 3;
      if (base + J * 3 > d.pos.length) return;
      for (let j = 0; j < J; j++) {
        d.pos[base + 3 * j] = frame[j][0] / 1000;
        d.pos[base + 3 * j + 1] = frame[j][1] / 1000;
        d.pos[base + 3 * j + 2] = frame[j][2] / 1000;
      }
    });
  }
  live.framesReady = Math.min(data.nFrames, chunk.first_frame + chunk.n_frames);
}

async function commit(choice) {
  live.busy = true;
  const index = live.figures.length;
  const asked = choice;
  if (asked) asked.sent = true;
  try {
    const chunk = await post(`/api/live/${live.session}/next`, { figure: asked ? asked.id : null, index });
    if (chunk.done) {
      live.done = true;
      return;
    }
    fill(chunk);
    const meta = { ...chunk };
    delete meta.positions_mm;
    live.figures.push(meta);
    live.options = chunk.options;
    live.nextLeads = chunk.next_leads;
    if (asked) {
      live.responses.push({
        figure: chunk.figure,
        index,
        ms: performance.now() - asked.keyMs,
        shownMs: asked.shownMs,
        beforeStart: chunk.start_s > audio.currentTime,
        waitedForBoundary: asked.waited,
        // 1: the figure after the one danced when the key was pressed; 2: the one after that
        slot: index - asked.playing,
        keyAudioS: asked.audioS, // the song's time at the key
      });
      if (live.pending === asked) live.pending = null;
    }
    if (chunk.options.length === 0) live.done = true;
  } catch (err) {
    showError(err.message);
    if (asked && live.pending === asked) live.pending = null;
  } finally {
    live.busy = false;
    render();
  }
}

/** The user picks option i (0-based) of the figures allowed next. */
function choose(i) {
  const option = live.options[i];
  if (!option || live.done) return;
  if (live.nextLeads !== "you") {
    showError(`${WHO[live.nextLeads]} the next figure: it is not yours to choose`);
    return;
  }
  showError("");
  const keyMs = performance.now();
  const playing = playingIndex(audio.currentTime);
  // a figure on its way from the app counts as committed: the key is for the one after it
  const ahead = live.figures.length + (live.busy ? 1 : 0) - 1 - playing;
  if (live.pending && !live.pending.sent) live.replaced += 1; // changed before it was sent
  live.pending = {
    id: option.id,
    name: option.name,
    keyMs,
    shownMs: 0,
    waited: ahead >= 1,
    playing,
    audioS: audio.currentTime,
  };
  render();
  live.pending.shownMs = performance.now() - keyMs;
  step();
}

/** Commit what is due: the user's choice as soon as it can be the figure after the one
 *  danced now, else an improvised figure LOOKAHEAD_S before the frames run out. */
function step() {
  if (live.busy || live.done || !live.session) return;
  const t = audio.currentTime;
  const ahead = live.figures.length - 1 - playingIndex(t);
  const last = live.figures[live.figures.length - 1];
  const due = !last || (ahead < 1 && t >= live.framesReady / data.fps - LOOKAHEAD_S);
  // A choice waiting for a boundary is sent when it must be, not as soon as it may: a key
  // pressed meanwhile replaces it and is then the next figure at once.
  const pending = live.pending && ahead < 1 && live.nextLeads === "you" && (!live.pending.waited || due);
  if (pending && !live.options.some((o) => o.id === live.pending.id)) {
    // chosen from the figures allowed after another (a figure was on its way)
    showError(`${live.pending.name} may not follow ${last.name}: choose again`);
    live.pending = null;
    if (due) commit(null);
  } else if (pending) commit(live.pending);
  else if (due) commit(null);
}

function render() {
  const t = audio.currentTime;
  const p = playingIndex(t);
  const now = live.figures[p];
  el("live-now").textContent = now ? now.name : "–";
  el("live-bar").textContent = now ? String(now.bar) : "–";
  el("live-leads").textContent = now ? WHO[now.leads] : "–";
  const after = live.figures[p + 1];
  const later = live.figures.slice(p + 2);
  let next;
  let when = "";
  if (after) {
    next = after.name;
    when = `from bar ${after.bar} (${WHO[after.leads]})`;
    for (const f of later) when += ` · then: ${f.name} from bar ${f.bar}`;
    if (live.pending) when += ` · then: ${live.pending.name} (at the boundary after)`;
  } else if (live.pending) {
    next = live.pending.name;
    when = "chosen: at the next figure boundary";
  } else {
    next = live.done ? "the end of the song" : "the leader will improvise";
  }
  el("live-next").textContent = next;
  el("live-next-when").textContent = when;
  el("live-who").textContent = `The next figure: ${WHO[live.nextLeads]}.` + (live.hijack ? ` She leads bars ${live.hijack.from_bar}–${live.hijack.to_bar}.` : "");
  const tail = live.figures[live.figures.length - 1];
  const end = tail ? live.figures.findIndex((f) => f === tail) : -1;
  el("live-choose").textContent = live.done
    ? "The song ends with the figures committed."
    : tail
      ? `Keys 1–9 or a click: the figure after ${tail.name} (figure ${end + 2}).`
      : "Keys 1–9 or a click: the first figure.";
  const list = el("live-options");
  const ids = live.options.map((o) => o.id).join(",");
  if (list.dataset.ids !== ids || list.dataset.leads !== live.nextLeads) {
    list.dataset.ids = ids;
    list.dataset.leads = live.nextLeads;
    list.replaceChildren(
      ...live.options.map((o, i) => {
        const li = document.createElement("li");
        const b = document.createElement("button");
        b.type = "button";
        b.dataset.figure = o.id;
        b.textContent = `${i < 9 ? i + 1 + ". " : ""}${o.name}`;
        b.disabled = live.nextLeads !== "you";
        b.addEventListener("click", () => choose(i));
        li.append(b);
        return li;
      })
    );
  }
  for (const b of list.querySelectorAll("button")) b.classList.toggle("chosen", !!live.pending && b.dataset.figure === live.pending.id);
}

// Where WebGL renders in software a 3D frame can take longer than a display frame: there
// the view draws at most every SOFTWARE_FRAME_MS (as the viewer does), leaving the
// machine to the page's clock and the app.
const SOFTWARE_FRAME_MS = 100;
let drawnAt = -Infinity;
function draw(now) {
  const due = !view3d || !view3d.software || now - drawnAt >= SOFTWARE_FRAME_MS;
  if (view3d && live.framesReady > 0 && due) {
    drawnAt = now;
    const f = Math.min(live.framesReady - 1, Math.max(0, Math.floor(audio.currentTime * data.fps)));
    view3d.draw(f);
    live.frameShown = f;
  }
  window.requestAnimationFrame(draw);
}

async function cutIn() {
  try {
    const answer = await post(`/api/live/${live.session}/cut-in`);
    live.leader = answer.leader;
    live.nextLeads = answer.next_leads;
    render();
  } catch (err) {
    showError(err.message);
  }
}

async function hijack() {
  try {
    live.hijack = await post(`/api/live/${live.session}/hijack`);
    live.nextLeads = live.hijack.next_leads;
    render();
  } catch (err) {
    showError(err.message);
  }
}

function togglePlay() {
  if (audio.paused) audio.play().catch((err) => showError(`the song does not play (${err.message})`));
  else audio.pause();
}

async function begin() {
  const setup = await post("/api/live", { job });
  live.session = setup.session;
  live.options = setup.options;
  live.nextLeads = setup.next_leads;
  el("live-song").textContent = `${setup.song} — ${setup.dance}`;
  const nFrames = setup.n_frames;
  const J = setup.joints.length;
  data = {
    fps: setup.fps,
    nFrames,
    J,
    jointNames: setup.joints,
    parents: setup.parents,
    JI: findJoints(setup.joints, setup.parents),
    floorW: setup.floor.width_m,
    floorD: setup.floor.depth_m,
    dancers: ["leader", "follower"].map((role) => ({ role, color: COLORS[role], pos: new Float32Array(nFrames * J * 3) })),
  };
  window.pasdeuxJoint = (i, f, j) => {
    const k = (f * J + j) * 3;
    const p = data.dancers[i].pos;
    return [p[k], p[k + 1], p[k + 2]];
  };
  view3d = createView3d({
    canvas: el("view3d"),
    select: el("camera"),
    data,
    onChange: () => {},
    showStatus: showError,
  });
  audio.src = setup.audio_url;
  for (const id of ["live-play", "live-cut-in", "live-hijack"]) el(id).disabled = false;
  el("live-play").addEventListener("click", togglePlay);
  audio.addEventListener("play", () => (el("live-play").textContent = "Pause (space)"));
  audio.addEventListener("pause", () => (el("live-play").textContent = "Play (space)"));
  el("live-cut-in").addEventListener("click", cutIn);
  el("live-hijack").addEventListener("click", hijack);
  document.addEventListener("keydown", (event) => {
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement) return;
    if (/^[1-9]$/.test(event.key)) choose(Number(event.key) - 1);
    else if (event.key === " ") togglePlay();
    else if (event.key === "c" || event.key === "C") cutIn();
    else if (event.key === "h" || event.key === "H") hijack();
    else return;
    event.preventDefault();
  });
  window.setInterval(() => {
    step();
    render();
  }, 50);
  step();
  window.requestAnimationFrame(draw);
  live.ready = true;
}

begin().catch((err) => showError(`cannot start the live session (${err.message})`));
