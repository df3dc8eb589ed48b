/* The page's payload: read from the inline JSON, positions decoded, joints found by name.
 *
 * Units: seconds and metres; floor x right, y away from the audience, z up.
 */

const FALLBACK_COLORS = ["#2b6cb0", "#c53030", "#2f855a", "#6b46c1"];

/** The bytes of a base64 string. */
function base64Bytes(text) {
  const bin = atob(String(text || ""));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** The zlib-compressed bytes of a base64 string, inflated, as a DataView. */
async function inflate(text) {
  const stream = new Blob([base64Bytes(text)]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new DataView(await new Response(stream).arrayBuffer());
}

/** Joint positions in metres, frame-major (frame f, joint j at (f * J + j) * 3), from the
 *  page's packed millimetres: per joint its x, y and z series over the frames as second
 *  differences, zig-zag mapped, as variable-length integers (7 bits a byte, low first,
 *  high bit = more bytes), zlib-compressed and base64-encoded (see render/_viewer.py). */
async function decodePositions(p, role, nFrames, J) {
  if (!p || p.unit !== "mm" || p.encoding !== "mm-d2-varint+zlib+base64") {
    throw new Error("dancer " + role + ": positions are not packed millimetres");
  }
  const view = await inflate(p.data);
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const pos = new Float32Array(nFrames * J * 3);
  let k = 0;
  for (let s = 0; s < J * 3; s++) {
    let value = 0;
    let velocity = 0;
    for (let f = 0; f < nFrames; f++) {
      // one variable-length number (arithmetic, not bit operations: it may pass 2^31)
      let n = 0;
      let scale = 1;
      let b;
      do {
        if (k >= bytes.length) throw new Error("dancer " + role + ": positions end early");
        b = bytes[k++];
        n += (b & 0x7f) * scale;
        scale *= 128;
      } while (b & 0x80);
      velocity += n % 2 ? -(n + 1) / 2 : n / 2;
      value += velocity;
      pos[(f * J + ((s / 3) | 0)) * 3 + (s % 3)] = value / 1000;
    }
  }
  if (k !== bytes.length) {
    throw new Error("dancer " + role + ": positions do not hold " + nFrames + " frames of " + J + " joints");
  }
  return pos;
}

/** The joints the viewer draws, by index (-1 where the rig has none): the rig's Mixamo
 *  names first, then older names. */
export function findJoints(jointNames, parents) {
  const find = (...names) => {
    for (const n of names) {
      const i = jointNames.indexOf(n);
      if (i >= 0) return i;
    }
    return -1;
  };
  const hips = find("Hips", "pelvis", "hips", "root");
  return {
    pelvis: hips >= 0 ? hips : Math.max(0, parents.indexOf(-1)),
    spine: find("Spine", "spine"),
    chest: find("Spine2", "Spine1", "chest"),
    neck: find("Neck", "neck"),
    head: find("Head", "head"),
    headTop: find("HeadTop_End"),
    lSh: find("LeftArm", "l_shoulder"),
    rSh: find("RightArm", "r_shoulder"),
    lEl: find("LeftForeArm", "l_elbow"),
    rEl: find("RightForeArm", "r_elbow"),
    lWr: find("LeftHand", "l_wrist", "l_hand"),
    rWr: find("RightHand", "r_wrist", "r_hand"),
    lFinger: find("LeftHandMiddle1"),
    rFinger: find("RightHandMiddle1"),
    lHip: find("LeftUpLeg", "l_hip"),
    rHip: find("RightUpLeg", "r_hip"),
    lKnee: find("LeftLeg", "l_knee"),
    rKnee: find("RightLeg", "r_knee"),
    lAn: find("LeftFoot", "l_ankle"),
    rAn: find("RightFoot", "r_ankle"),
    lToe: find("LeftToeBase", "l_toe", "l_foot"),
    rToe: find("RightToeBase", "r_toe", "r_foot"),
  };
}

const list = (v) => (Array.isArray(v) ? v : []);
const byStart = (a, b) => a.start_s - b.start_s;
const ROLES = ["leader", "follower"];

/** A counting of the music: beat times (s), each beat's count in its bar and bar number,
 *  and the bars' start times (s) with their numbers. */
function grid(g) {
  const beats = list(g && g.beats).map(Number);
  const beatInBar = list(g && g.beat_in_bar);
  const barOfBeat = list(g && g.bar_of_beat);
  const bars = [];
  beats.forEach((b, i) => {
    if (Number(beatInBar[i]) === 1) bars.push({ start_s: b, n: Number(barOfBeat[i]) });
  });
  return { beats, beatInBar, barOfBeat, bars };
}

/** A placed figure with defaults: its steps per role sorted by time. */
function figure(f) {
  const steps = {};
  for (const role of ROLES) {
    // i: the step's index in the figure's steps of its role (its key in the chart)
    steps[role] = list(f.steps && f.steps[role])
      .map((s, i) => ({ i, t: Number(s.t_s), count: String(s.count || ""), foot: String(s.foot || ""), text: String(s.text || "") }))
      .sort((a, b) => a.t - b.t);
  }
  return { ...f, start_s: Number(f.start_s), end_s: Number(f.end_s), steps };
}

/** The payload of the page's `#pasdeux-data` script, with defaults filled in and each
 *  dancer's `pos` decoded by the returned `ready` promise. */
export function readPayload(doc) {
  const D = JSON.parse(doc.getElementById("pasdeux-data").textContent);
  const fps = Number(D.fps) > 0 ? Number(D.fps) : 60;
  const nFrames = Math.max(1, Math.floor(Number(D.n_frames) || 1));
  const jointNames = list(D.joints).map(String);
  const parents = list(D.parents).map(Number);
  const J = jointNames.length;
  const packed = list(D.dancers);
  const dancers = packed.map((d, i) => ({
    role: String(d.role || "dancer " + (i + 1)),
    color: String(d.color || FALLBACK_COLORS[i % FALLBACK_COLORS.length]),
    pos: new Float32Array(0), // filled by `ready` before the first frame is drawn
  }));
  const ready = Promise.all(
    dancers.map((d, i) =>
      decodePositions(packed[i].positions, d.role, nFrames, J).then((pos) => {
        d.pos = pos;
      })
    )
  );
  return {
    fps,
    nFrames,
    J,
    jointNames,
    parents,
    JI: findJoints(jointNames, parents),
    floorW: (D.floor && Number(D.floor.width_m)) || 10,
    floorD: (D.floor && Number(D.floor.depth_m)) || 8,
    ...grid(D),
    heard: D.heard ? grid(D.heard) : null, // the music as heard, where the dance counts otherwise
    phrases: list(D.phrases).slice().sort(byStart),
    figures: list(D.figures).map(figure).sort(byStart),
    charts: D.charts && typeof D.charts === "object" ? D.charts : {},
    sections: list(D.sections).slice().sort(byStart),
    dataDuration: nFrames / fps,
    dancers,
    ready,
  };
}

/** Position of joint j of dancer d at frame f as [x, y, z] (J joints a frame). */
export function jointAt(d, J, f, j) {
  const k = (f * J + j) * 3;
  return [d.pos[k], d.pos[k + 1], d.pos[k + 2]];
}

/** The centre of dancer d's head at frame f: half way up to the head's top where the rig
 *  has one (Mixamo's Head joint is at the base of the skull), else 9 cm above the head. */
export function headCentre(data, d, f) {
  const { J, JI } = data;
  const h = jointAt(d, J, f, JI.head);
  if (JI.headTop < 0) return [h[0], h[1], h[2] + 0.09];
  const t = jointAt(d, J, f, JI.headTop);
  return [(h[0] + t[0]) / 2, (h[1] + t[1]) / 2, (h[2] + t[2]) / 2];
}

/** Unit vector of where dancer d faces on the floor at frame f (from the shoulders, else
 *  the hips), or null. */
export function facing(data, d, f) {
  const { J, JI } = data;
  const [a, b] = JI.lSh >= 0 && JI.rSh >= 0 ? [JI.lSh, JI.rSh] : [JI.lHip, JI.rHip];
  if (a < 0 || b < 0) return null;
  const l = jointAt(d, J, f, a);
  const r = jointAt(d, J, f, b);
  const fx = -(r[1] - l[1]);
  const fy = r[0] - l[0];
  const n = Math.hypot(fx, fy);
  return n > 1e-6 ? [fx / n, fy / n] : null;
}

/** Index of the last element of sorted `arr` that is <= t (by `key` if given), or -1. */
export function lastLE(arr, t, key) {
  let lo = 0;
  let hi = arr.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = key ? arr[mid][key] : arr[mid];
    if (v <= t) {
      ans = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return ans;
}

/** The span of sorted `spans` ({start_s, end_s}) that holds time t, or null. */
export function activeSpan(spans, t) {
  const i = lastLE(spans, t, "start_s");
  if (i < 0) return null;
  const s = spans[i];
  return t < Number(s.end_s) ? s : null;
}

/** Floor grid lines: one a metre, or every 10, 100, ... m on a floor too big for that, so
 *  a floor of any size draws at most ~100 lines. */
export function gridLines(half, maxLines = 100) {
  if (!(half > 0) || !Number.isFinite(half)) return [];
  let step = 1;
  while (half / step > maxLines / 2) step *= 10;
  const out = [];
  for (let g = Math.ceil(-half / step) * step; g <= half && out.length <= maxLines; g += step) out.push(g);
  return out;
}

/** "m:ss.s" */
export function fmtTime(t) {
  if (!isFinite(t) || t < 0) t = 0;
  const m = Math.floor(t / 60);
  const s = t - m * 60;
  return m + ":" + (s < 10 ? "0" : "") + s.toFixed(1);
}

/** A "#rrggbb" colour with an alpha, as a CSS rgba() string. */
export function rgba(color, alpha) {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (!m) return color;
  let h = m[1];
  if (h.length === 3) h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2];
  const n = parseInt(h, 16);
  return "rgba(" + ((n >> 16) & 255) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
}

/** A "#rrggbb" colour moved `amount` (0-1) of the way toward `toward`, as CSS rgb(). */
export function mix(color, toward, amount) {
  const m = /^#([0-9a-f]{6})$/i.exec(color.trim());
  if (!m) return color;
  const a = parseInt(m[1], 16);
  const b = parseInt(toward.slice(1), 16);
  const ch = (x, y) => Math.round(x + (y - x) * amount);
  const r = ch((a >> 16) & 255, (b >> 16) & 255);
  const g = ch((a >> 8) & 255, (b >> 8) & 255);
  const bl = ch(a & 255, b & 255);
  return "rgb(" + r + "," + g + "," + bl + ")";
}
