/* The help overlay: the keyboard shortcuts, from the same table the keys are read from. */

/** Fill `overlay` with the shortcuts of `table` and the mouse's `notes` (sentences);
 *  returns toggle/close/isOpen. */
export function createHelp(overlay, table, openBtn, notes = []) {
  const box = document.createElement("div");
  box.className = "help-box";
  const h = document.createElement("h2");
  h.textContent = "Keyboard shortcuts";
  const dl = document.createElement("dl");
  for (const s of table) {
    const dt = document.createElement("dt");
    for (const part of s.keys.split(/\s+/).filter(Boolean)) {
      const k = document.createElement(part === "or" ? "span" : "kbd");
      k.textContent = part;
      dt.append(k);
    }
    const dd = document.createElement("dd");
    dd.textContent = s.what;
    dl.append(dt, dd);
  }
  const close = document.createElement("button");
  close.type = "button";
  close.className = "help-close";
  close.textContent = "Close";
  const mouse = notes.map((text) => {
    const note = document.createElement("p");
    note.className = "help-note";
    note.textContent = text;
    return note;
  });
  box.append(h, dl, ...mouse, close);
  overlay.append(box);
  const setOpen = (open) => {
    overlay.hidden = !open;
    openBtn.setAttribute("aria-expanded", String(open));
  };
  close.addEventListener("click", () => setOpen(false));
  overlay.addEventListener("click", (e) => {
    if (e.target === overlay) setOpen(false);
  });
  openBtn.addEventListener("click", () => {
    setOpen(overlay.hidden);
    openBtn.blur();
  });
  setOpen(false);
  return {
    toggle: () => setOpen(overlay.hidden),
    close: () => setOpen(false),
    get open() {
      return !overlay.hidden;
    },
  };
}
