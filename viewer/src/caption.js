/* The caption over the 3D view: the count of the step danced now (large), the figure's
 * name and the bar. Drawn in the page over the canvas, so it is in a screenshot of the
 * view and in every frame of `pasdeux dance --video`. */

/** The caption in `root` (elements found by their data-part); `show` updates only what
 *  changed. */
export function createCaption(root) {
  const part = (name) => root.querySelector('[data-part="' + name + '"]');
  const els = { count: part("count"), figure: part("figure"), bar: part("bar") };
  const shown = {};
  const set = (key, text) => {
    if (shown[key] !== text) {
      shown[key] = text;
      els[key].textContent = text;
    }
  };
  return {
    /** Show `count` (text, or null), the `figure`'s name ("" between figures) and `bar`
     *  (a number, or null before the first). */
    show({ count, figure, bar }) {
      set("count", count === null || count === undefined || count === "" ? "–" : String(count));
      set("figure", figure || "—");
      set("bar", bar === null ? "" : "bar " + bar);
      root.hidden = false;
    },
  };
}
