/* Playback: the <audio> element is the only clock. Play/pause button, seek bar, speed
 * (the pitch kept), seeking by beat and by bar, and the status line for errors. */

import { lastLE } from "./data.js";

/** The speeds offered, slowest first (1 is the song's own). */
export const SPEEDS = [0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1, 1.1, 1.25];
// A press of "previous beat" just after a beat goes to the one before it, not back to it.
const BACK_SLACK_S = 0.15;

/** Wire the transport controls to `audio`; `onChange()` is called when a redraw is due. */
export function createTransport({ audio, playBtn, seek, speedSelect, statusEl, data, duration, onChange }) {
  let seeking = false;
  function showStatus(msg) {
    statusEl.textContent = msg;
    statusEl.hidden = !msg;
  }
  function showAudioError() {
    showStatus(
      "The audio file “" +
        decodeURIComponent(audio.getAttribute("src") || "") +
        "” could not be loaded. Keep it in the same folder as this page."
    );
  }
  function togglePlay() {
    if (!audio.paused) {
      audio.pause();
      return;
    }
    if (audio.ended) audio.currentTime = 0;
    const p = audio.play();
    if (p && p.catch) {
      p.catch((err) => {
        if (err && err.name === "AbortError") return;
        if (audio.error) showAudioError();
        else showStatus("Could not play the audio: " + (err && err.message ? err.message : err));
      });
    }
  }
  function syncButton() {
    const playing = !audio.paused && !audio.ended;
    playBtn.classList.toggle("playing", playing);
    playBtn.setAttribute("aria-label", playing ? "Pause" : "Play");
  }
  const seekTo = (t) => {
    audio.currentTime = Math.max(0, Math.min(duration(), t));
    onChange();
  };
  /** Jump `dir` (+1 or -1) of the sorted `times` from now. */
  function step(times, dir) {
    const t = audio.currentTime;
    const i = lastLE(times, dir < 0 ? t - BACK_SLACK_S : t + 1e-3);
    const k = dir < 0 ? i : i + 1;
    if (k >= 0 && k < times.length) seekTo(times[k]);
    else if (dir < 0) seekTo(0);
  }
  const barTimes = data.bars.map((b) => b.start_s);
  function setSpeed(rate, quiet = false) {
    audio.preservesPitch = true; // slower, not lower: the song stays in its key
    audio.playbackRate = rate;
    speedSelect.value = String(rate);
    if (!quiet) onChange();
  }
  fillSpeeds(speedSelect, setSpeed);
  playBtn.addEventListener("click", () => {
    togglePlay();
    playBtn.blur();
  });
  for (const ev of ["play", "pause", "ended"]) audio.addEventListener(ev, syncButton);
  audio.addEventListener("loadedmetadata", () => {
    seek.max = String(duration());
    onChange();
  });
  audio.addEventListener("error", showAudioError);
  wireSeekBar(seek, audio, duration, (on) => {
    seeking = on;
  });
  syncButton();
  setSpeed(1, true);
  return {
    showStatus,
    seekTo,
    togglePlay,
    /** Seek to the next (+1) or previous (-1) beat, or bar. */
    stepBeat: (dir) => step(data.beats, dir),
    stepBar: (dir) => step(barTimes, dir),
    /** One speed faster (+1) or slower (-1). */
    stepSpeed(dir) {
      const i = SPEEDS.indexOf(audio.playbackRate);
      const k = Math.max(0, Math.min(SPEEDS.length - 1, (i < 0 ? SPEEDS.indexOf(1) : i) + dir));
      setSpeed(SPEEDS[k]);
    },
    setSpeed,
    /** Show time t on the seek bar, unless the user is dragging it. */
    show(t) {
      if (!seeking) seek.value = String(t);
    },
  };
}

/** The speed menu's options; a choice calls `setSpeed`. */
function fillSpeeds(select, setSpeed) {
  for (const s of SPEEDS) {
    const opt = document.createElement("option");
    opt.value = String(s);
    opt.textContent = s + "×";
    select.append(opt);
  }
  select.addEventListener("change", () => {
    setSpeed(Number(select.value));
    select.blur();
  });
}

/** The seek bar moves the clock; `setSeeking(on)` says whether the user holds it. */
function wireSeekBar(seek, audio, duration, setSeeking) {
  seek.max = String(duration());
  seek.addEventListener("pointerdown", () => setSeeking(true));
  for (const ev of ["pointerup", "change"]) seek.addEventListener(ev, () => setSeeking(false));
  seek.addEventListener("input", () => {
    audio.currentTime = Number(seek.value);
  });
}
