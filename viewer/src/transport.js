/* Playback: the <audio> element is the only clock. Play/pause button, seek bar, keyboard
 * (space: play/pause, arrows: -/+ 2 s, Home: start) and the status line for errors. */

/** Wire the transport controls to `audio`; `onChange()` is called when a redraw is due. */
export function createTransport({ audio, playBtn, seek, statusEl, duration, onChange }) {
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
  };
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
  seek.max = String(duration());
  seek.addEventListener("pointerdown", () => {
    seeking = true;
  });
  seek.addEventListener("pointerup", () => {
    seeking = false;
  });
  seek.addEventListener("change", () => {
    seeking = false;
  });
  seek.addEventListener("input", () => {
    audio.currentTime = Number(seek.value);
  });
  document.addEventListener("keydown", (e) => onKey(e, togglePlay, seekTo, audio));
  // Stop a focused button/checkbox from also reacting to the space key.
  document.addEventListener("keyup", (e) => {
    if (e.code === "Space" || e.key === " ") e.preventDefault();
  });
  syncButton();
  return {
    showStatus,
    seekTo,
    /** Show time t on the seek bar, unless the user is dragging it. */
    show(t) {
      if (!seeking) seek.value = String(t);
    },
  };
}

function onKey(e, togglePlay, seekTo, audio) {
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  const tag = e.target && e.target.tagName;
  const typing = tag === "TEXTAREA" || tag === "SELECT" || (tag === "INPUT" && e.target.type === "text");
  if (e.code === "Space" || e.key === " ") {
    if (typing) return;
    e.preventDefault();
    if (!e.repeat) togglePlay();
  } else if ((e.key === "ArrowLeft" || e.key === "ArrowRight") && tag !== "INPUT" && tag !== "SELECT") {
    e.preventDefault();
    seekTo(audio.currentTime + (e.key === "ArrowLeft" ? -2 : 2));
  } else if (e.key === "Home" && tag !== "INPUT") {
    e.preventDefault();
    seekTo(0);
  }
}
