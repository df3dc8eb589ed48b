/* The keyboard shortcuts: one table, read by the key handler and by the help overlay. */

/** The shortcuts for `act` (the actions of the page): what to press, what it does, and
 *  which key events it takes. */
export function shortcuts(act) {
  const key = (...names) => (e) => names.includes(e.key);
  return [
    { keys: "Space", what: "play / pause", test: (e) => e.code === "Space" || e.key === " ", run: act.togglePlay, once: true },
    { keys: "← →", what: "previous / next beat", test: (e) => !e.shiftKey && key("ArrowLeft", "ArrowRight")(e), run: (e) => act.stepBeat(e.key === "ArrowLeft" ? -1 : 1) },
    { keys: "↓ ↑  or  Shift+← →", what: "previous / next bar", test: (e) => key("ArrowUp", "ArrowDown")(e) || (e.shiftKey && key("ArrowLeft", "ArrowRight")(e)), run: (e) => act.stepBar(e.key === "ArrowLeft" || e.key === "ArrowDown" ? -1 : 1) },
    { keys: "Home", what: "back to the start", test: key("Home"), run: () => act.seekTo(0) },
    { keys: "[ ]", what: "slower / faster (the pitch is kept)", test: key("[", "]"), run: (e) => act.stepSpeed(e.key === "[" ? -1 : 1) },
    { keys: "L", what: "loop the figure (again: stop looping)", test: key("l", "L"), run: act.toggleLoop, once: true },
    { keys: "B", what: "loop the bars chosen (again: stop)", test: key("b", "B"), run: act.toggleBars, once: true },
    { keys: "1…5", what: "camera: follow, orbit, top, leader's eyes, follower's eyes", test: (e) => /^[1-5]$/.test(e.key), run: (e) => act.camera(Number(e.key) - 1) },
    { keys: "R", what: "show both roles, the leader's part, the follower's part", test: key("r", "R"), run: act.nextRole, once: true },
    { keys: "?", what: "this help (Esc closes it)", test: key("?"), run: act.toggleHelp, once: true },
    { keys: "Esc", what: "close the help; else stop looping", test: key("Escape"), run: act.escape },
  ];
}

/** Listen for the shortcuts on `doc`; a key typed into a text field or a menu is left to it. */
export function bindKeys(doc, table) {
  doc.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const tag = e.target && e.target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || (tag === "INPUT" && e.target.type !== "range" && e.target.type !== "checkbox")) return;
    const hit = table.find((s) => s.test(e));
    if (!hit) return;
    e.preventDefault();
    if (hit.once && e.repeat) return;
    hit.run(e);
  });
  // Stop a focused button from also reacting to the space key.
  doc.addEventListener("keyup", (e) => {
    if (e.code === "Space" || e.key === " ") e.preventDefault();
  });
}
