/* pasdeux viewer: draws a leader and a follower in sync with the song.
 *
 * The <audio id="audio"> element is the only clock: every animation frame reads
 * audio.currentTime and draws frame = min(n_frames - 1, floor(t * fps)).
 * Units: seconds and metres; floor x right, y away from the audience, z up.
 */
(function () {
  "use strict";

  // ------------------------------------------------------------------ data
  const D = JSON.parse(document.getElementById("pasdeux-data").textContent);
  const audio = document.getElementById("audio");

  const fps = Number(D.fps) > 0 ? Number(D.fps) : 60;
  const nFrames = Math.max(1, Math.floor(Number(D.n_frames) || 1));
  const jointNames = Array.isArray(D.joints) ? D.joints.map(String) : [];
  const J = jointNames.length;
  const parents = Array.isArray(D.parents) ? D.parents.map(Number) : [];
  const floorW = (D.floor && Number(D.floor.width_m)) || 10;
  const floorD = (D.floor && Number(D.floor.depth_m)) || 8;
  const beats = Array.isArray(D.beats) ? D.beats.map(Number) : [];
  const beatInBar = Array.isArray(D.beat_in_bar) ? D.beat_in_bar : [];
  const barOfBeat = Array.isArray(D.bar_of_beat) ? D.bar_of_beat : [];
  const byStart = (a, b) => a.start_s - b.start_s;
  const figures = (Array.isArray(D.figures) ? D.figures.slice() : []).sort(byStart);
  const sections = (Array.isArray(D.sections) ? D.sections.slice() : []).sort(byStart);
  const dataDuration = nFrames / fps;

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

  /** Joint positions in metres, frame-major (frame f, joint j at (f * J + j) * 3), from
   *  the page's packed millimetres: `base` holds joint 0 of every frame as little-endian
   *  int32 (x, y, z), `offsets` every joint relative to it as little-endian int16, each
   *  zlib-compressed and base64-encoded. */
  async function decodePositions(p, role) {
    if (!p || p.unit !== "mm" || p.encoding !== "zlib+base64") {
      throw new Error("dancer " + role + ": positions are not packed millimetres");
    }
    const base = await inflate(p.base);
    const offsets = await inflate(p.offsets);
    if (base.byteLength !== nFrames * 12 || offsets.byteLength !== nFrames * J * 6) {
      throw new Error("dancer " + role + ": positions do not hold " + nFrames + " frames of " + J + " joints");
    }
    const pos = new Float32Array(nFrames * J * 3);
    for (let f = 0; f < nFrames; f++) {
      for (let c = 0; c < 3; c++) {
        const origin = base.getInt32((f * 3 + c) * 4, true);
        for (let j = 0; j < J; j++) {
          const k = (f * J + j) * 3 + c;
          pos[k] = (origin + offsets.getInt16(k * 2, true)) / 1000;
        }
      }
    }
    return pos;
  }

  const FALLBACK_COLORS = ["#2b6cb0", "#c53030", "#2f855a", "#6b46c1"];
  const packed = Array.isArray(D.dancers) ? D.dancers : [];
  const dancers = packed.map(function (d, i) {
    return {
      role: String(d.role || "dancer " + (i + 1)),
      color: String(d.color || FALLBACK_COLORS[i % FALLBACK_COLORS.length]),
      pos: new Float32Array(0),  // filled by `decoded` before the first frame is drawn
    };
  });
  const decoded = Promise.all(dancers.map(function (d, i) {
    return decodePositions(packed[i].positions, d.role).then(function (pos) { d.pos = pos; });
  }));

  function jointIndex(names) {
    for (const n of names) {
      const i = jointNames.indexOf(n);
      if (i >= 0) return i;
    }
    return -1;
  }
  const rootIndex = Math.max(0, parents.indexOf(-1));
  const JI = {
    pelvis: (function () { const i = jointIndex(["Hips", "pelvis", "hips", "root"]); return i >= 0 ? i : rootIndex; })(),
    head: jointIndex(["Head", "head"]),
    headTop: jointIndex(["HeadTop_End"]),
    neck: jointIndex(["Neck", "neck"]),
    lSh: jointIndex(["LeftArm", "l_shoulder"]),
    rSh: jointIndex(["RightArm", "r_shoulder"]),
    lEl: jointIndex(["LeftForeArm", "l_elbow"]),
    rEl: jointIndex(["RightForeArm", "r_elbow"]),
    lWr: jointIndex(["LeftHand", "l_wrist", "l_hand"]),
    rWr: jointIndex(["RightHand", "r_wrist", "r_hand"]),
    lHip: jointIndex(["LeftUpLeg", "l_hip"]),
    rHip: jointIndex(["RightUpLeg", "r_hip"]),
    lAn: jointIndex(["LeftFoot", "l_ankle"]),
    rAn: jointIndex(["RightFoot", "r_ankle"]),
    lToe: jointIndex(["LeftToeBase", "l_toe", "l_foot"]),
    rToe: jointIndex(["RightToeBase", "r_toe", "r_foot"]),
  };

  /** Position of joint j of dancer d at frame f as [x, y, z]. */
  function jp(d, f, j) {
    const k = (f * J + j) * 3;
    return [d.pos[k], d.pos[k + 1], d.pos[k + 2]];
  }
  /** The centre of the head of dancer d at frame f: half way up to the head's top where
   * the rig has one (Mixamo's Head joint is at the base of the skull), else the head joint. */
  function headCentre(d, f) {
    const h = jp(d, f, JI.head);
    if (JI.headTop < 0) return h;
    const t = jp(d, f, JI.headTop);
    return [(h[0] + t[0]) / 2, (h[1] + t[1]) / 2, (h[2] + t[2]) / 2];
  }
  // The decoded positions, for tests and debugging: [x, y, z] of joint j of dancer i.
  window.pasdeuxJoint = function (i, f, j) { return jp(dancers[i], f, j); };

  /** Index of the last element of sorted `arr` that is <= t, or -1. */
  function lastLE(arr, t, key) {
    let lo = 0, hi = arr.length - 1, ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = key ? arr[mid][key] : arr[mid];
      if (v <= t) { ans = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return ans;
  }

  function activeSpan(list, t) {
    const i = lastLE(list, t, "start_s");
    if (i < 0) return null;
    const s = list[i];
    return t < Number(s.end_s) ? s : null;
  }

  // Floor grid: a line a metre, or every 10, 100, ... m on a floor too big for that, so a
  // floor of any size (even one the command line would refuse) draws at most ~100 lines.
  const MAX_GRID_LINES = 100;
  function gridLines(half) {
    if (!(half > 0) || !Number.isFinite(half)) return [];
    let step = 1;
    while (half / step > MAX_GRID_LINES / 2) step *= 10;
    const out = [];
    for (let g = Math.ceil(-half / step) * step; g <= half && out.length <= MAX_GRID_LINES; g += step) out.push(g);
    return out;
  }

  function fmtTime(t) {
    if (!isFinite(t) || t < 0) t = 0;
    const m = Math.floor(t / 60);
    const s = t - m * 60;
    return m + ":" + (s < 10 ? "0" : "") + s.toFixed(1);
  }

  function rgba(color, alpha) {
    const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
    if (!m) return color;
    let h = m[1];
    if (h.length === 3) h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2];
    const n = parseInt(h, 16);
    return "rgba(" + ((n >> 16) & 255) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  function mix(color, toward, amount) {
    const m = /^#([0-9a-f]{6})$/i.exec(color.trim());
    if (!m) return color;
    const a = parseInt(m[1], 16), b = parseInt(toward.slice(1), 16);
    const ch = (x, y) => Math.round(x + (y - x) * amount);
    const r = ch((a >> 16) & 255, (b >> 16) & 255);
    const g = ch((a >> 8) & 255, (b >> 8) & 255);
    const bl = ch(a & 255, b & 255);
    return "rgb(" + r + "," + g + "," + bl + ")";
  }

  // ------------------------------------------------------------------ DOM
  const el = (id) => document.getElementById(id);
  const playBtn = el("play");
  const seek = el("seek");
  const timeEl = el("time");
  const countEl = el("count");
  const barEl = el("bar");
  const figureEl = el("figure");
  const countsEl = el("counts");
  const danceEl = el("dance");
  const meterEl = el("meter");
  const statusEl = el("status");
  const followEl = el("follow");
  const topCanvas = el("top");
  const v3Canvas = el("view3d");
  const tlCanvas = el("timeline");

  function showStatus(msg) {
    statusEl.textContent = msg;
    statusEl.hidden = !msg;
  }

  (function buildLegend() {
    const ul = el("legend");
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
  })();

  function duration() {
    return isFinite(audio.duration) && audio.duration > 0 ? audio.duration : dataDuration;
  }

  // ------------------------------------------------------------------ canvas sizing
  const sizes = new Map();
  function fitCanvas(c) {
    const r = c.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(r.width * dpr));
    const h = Math.max(1, Math.round(r.height * dpr));
    if (c.width !== w || c.height !== h) {
      c.width = w;
      c.height = h;
    }
    sizes.set(c, { w: r.width, h: r.height, dpr: dpr });
    return sizes.get(c);
  }

  // ------------------------------------------------------------------ top view
  const TRAIL_S = 1.5;
  let topGeom = { cx: 0, cy: 0, s: 1, dpr: 1 };

  function drawTop(f) {
    const ctx = topCanvas.getContext("2d");
    const sz = sizes.get(topCanvas) || fitCanvas(topCanvas);
    const w = sz.w, h = sz.h, dpr = sz.dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = "#ebe7df";
    ctx.fillRect(0, 0, w, h);

    const margin = 26;
    const s = Math.max(1e-3, Math.min((w - 2 * margin) / floorW, (h - 2 * margin - 8) / floorD));
    const cx = w / 2, cy = (h - 8) / 2;
    topGeom = { cx: cx, cy: cy, s: s, dpr: dpr };
    const X = (x) => cx + x * s;
    const Y = (y) => cy - y * s;

    // Floor boards.
    const fx0 = X(-floorW / 2), fy0 = Y(floorD / 2), fw = floorW * s, fh = floorD * s;
    ctx.fillStyle = "#f6efe2";
    ctx.fillRect(fx0, fy0, fw, fh);
    ctx.strokeStyle = "rgba(120, 96, 60, 0.10)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (const gx of gridLines(floorW / 2)) {
      ctx.moveTo(Math.round(X(gx)) + 0.5, fy0);
      ctx.lineTo(Math.round(X(gx)) + 0.5, fy0 + fh);
    }
    for (const gy of gridLines(floorD / 2)) {
      ctx.moveTo(fx0, Math.round(Y(gy)) + 0.5);
      ctx.lineTo(fx0 + fw, Math.round(Y(gy)) + 0.5);
    }
    ctx.stroke();
    ctx.strokeStyle = "#b9ab93";
    ctx.lineWidth = 1.5;
    ctx.strokeRect(fx0, fy0, fw, fh);
    // Centre mark.
    ctx.strokeStyle = "rgba(120, 96, 60, 0.35)";
    ctx.beginPath();
    ctx.moveTo(X(-0.15), Y(0)); ctx.lineTo(X(0.15), Y(0));
    ctx.moveTo(X(0), Y(-0.15)); ctx.lineTo(X(0), Y(0.15));
    ctx.stroke();

    // Line of dance: counter-clockwise seen from above.
    const rx = Math.max(0.5, floorW / 2 - 0.8), ry = Math.max(0.5, floorD / 2 - 0.8);
    ctx.save();
    ctx.strokeStyle = "rgba(120, 96, 60, 0.35)";
    ctx.lineWidth = 1.5;
    ctx.setLineDash([6, 6]);
    ctx.beginPath();
    ctx.ellipse(cx, cy, rx * s, ry * s, 0, 0, Math.PI * 2);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = "rgba(120, 96, 60, 0.55)";
    for (let q = 0; q < 8; q++) {
      const phi = (q * Math.PI) / 4;
      const px = X(rx * Math.cos(phi)), py = Y(ry * Math.sin(phi));
      // Screen-space tangent of increasing phi (counter-clockwise in world = on screen).
      let tx = -rx * Math.sin(phi), ty = -ry * Math.cos(phi);
      const tl = Math.hypot(tx, ty) || 1;
      tx /= tl; ty /= tl;
      const a = 7;
      ctx.beginPath();
      ctx.moveTo(px + tx * a, py + ty * a);
      ctx.lineTo(px - tx * a - ty * a * 0.6, py - ty * a + tx * a * 0.6);
      ctx.lineTo(px - tx * a + ty * a * 0.6, py - ty * a - tx * a * 0.6);
      ctx.closePath();
      ctx.fill();
    }
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.fillText("line of dance ↺", cx, Y(ry) - 5);
    ctx.restore();

    // Audience label.
    ctx.fillStyle = "#8a7f6c";
    ctx.font = "600 11px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillText("AUDIENCE", cx, fy0 + fh + 5);
    ctx.textAlign = "left";
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillText(floorW + " m × " + floorD + " m", fx0, fy0 + fh + 5);

    const drawn = {};
    if (J === 0) return drawn;

    // Fading trails of recent foot positions.
    const trailFrames = Math.max(2, Math.round(TRAIL_S * fps));
    const step = Math.max(1, Math.round(fps / 30));
    ctx.lineCap = "round";
    for (const d of dancers) {
      for (const j of [JI.lAn, JI.rAn]) {
        if (j < 0) continue;
        let prev = null;
        for (let k = trailFrames; k >= 0; k -= step) {
          const fk = f - k;
          if (fk < 0) continue;
          const p = jp(d, fk, j);
          if (prev) {
            ctx.strokeStyle = rgba(d.color, 0.45 * (1 - k / trailFrames));
            ctx.lineWidth = 2.5;
            ctx.beginPath();
            ctx.moveTo(X(prev[0]), Y(prev[1]));
            ctx.lineTo(X(p[0]), Y(p[1]));
            ctx.stroke();
          }
          prev = p;
        }
      }
    }

    // Bodies from above.
    for (const d of dancers) {
      const P = (j) => jp(d, f, j);
      const line = (a, b, width, color) => {
        if (a < 0 || b < 0) return;
        const pa = P(a), pb = P(b);
        ctx.strokeStyle = color;
        ctx.lineWidth = width;
        ctx.beginPath();
        ctx.moveTo(X(pa[0]), Y(pa[1]));
        ctx.lineTo(X(pb[0]), Y(pb[1]));
        ctx.stroke();
      };
      // Footprints: filled when the foot is on the floor, outlined when lifted.
      for (const [an, toe] of [[JI.lAn, JI.lToe], [JI.rAn, JI.rToe]]) {
        if (an < 0) continue;
        const a = P(an);
        let t = toe >= 0 ? P(toe) : null;
        let len = 0.2, ang = 0, mx = a[0], my = a[1];
        if (t) {
          const dx = t[0] - a[0], dy = t[1] - a[1];
          len = Math.max(0.12, Math.hypot(dx, dy) + 0.1);
          ang = Math.atan2(-dy, dx);
          mx = (a[0] + t[0]) / 2 - (dx / (Math.hypot(dx, dy) || 1)) * 0.03;
          my = (a[1] + t[1]) / 2 - (dy / (Math.hypot(dx, dy) || 1)) * 0.03;
        }
        const lift = Math.min(1, Math.max(0, (Math.min(a[2], t ? t[2] + 0.07 : a[2]) - 0.11) / 0.08));
        ctx.beginPath();
        ctx.ellipse(X(mx), Y(my), Math.max(3, (len / 2) * s), Math.max(2, 0.05 * s), ang, 0, Math.PI * 2);
        ctx.fillStyle = rgba(d.color, 0.85 * (1 - lift) + 0.08 * lift);
        ctx.fill();
        ctx.strokeStyle = d.color;
        ctx.lineWidth = 1.2;
        ctx.stroke();
      }
      // Arms (thin), hips, shoulders, pelvis, head.
      ctx.lineCap = "round";
      const armW = Math.max(1.2, 0.03 * s);
      const armC = rgba(d.color, 0.5);
      line(JI.lSh, JI.lEl, armW, armC);
      line(JI.lEl, JI.lWr, armW, armC);
      line(JI.rSh, JI.rEl, armW, armC);
      line(JI.rEl, JI.rWr, armW, armC);
      line(JI.lHip, JI.rHip, Math.max(2, 0.05 * s), rgba(d.color, 0.55));
      line(JI.lSh, JI.rSh, Math.max(4, 0.1 * s), d.color);
      const pel = P(JI.pelvis);
      ctx.beginPath();
      ctx.arc(X(pel[0]), Y(pel[1]), Math.max(3, 0.07 * s), 0, Math.PI * 2);
      ctx.fillStyle = d.color;
      ctx.fill();
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 1.5;
      ctx.stroke();
      if (JI.head >= 0) {
        const hd = headCentre(d, f);
        const hr = Math.max(4, 0.11 * s);
        ctx.beginPath();
        ctx.arc(X(hd[0]), Y(hd[1]), hr, 0, Math.PI * 2);
        ctx.fillStyle = mix(d.color, "#ffffff", 0.55);
        ctx.fill();
        ctx.strokeStyle = d.color;
        ctx.lineWidth = 2;
        ctx.stroke();
        if (JI.lSh >= 0 && JI.rSh >= 0) {
          // Facing = up x (right - left shoulder); nose tick on the head.
          const l = P(JI.lSh), r = P(JI.rSh);
          let fx = -(r[1] - l[1]), fy = r[0] - l[0];
          const fl = Math.hypot(fx, fy);
          if (fl > 1e-6) {
            fx /= fl; fy /= fl;
            ctx.beginPath();
            ctx.moveTo(X(hd[0] + fx * 0.06), Y(hd[1] + fy * 0.06));
            ctx.lineTo(X(hd[0]) + fx * (hr + 4), Y(hd[1]) - fy * (hr + 4));
            ctx.strokeStyle = d.color;
            ctx.lineWidth = 2.5;
            ctx.stroke();
          }
        }
      }
      drawn[d.role] = [X(pel[0]) * dpr, Y(pel[1]) * dpr];
    }
    return drawn;
  }

  // ------------------------------------------------------------------ 3D view
  const CAM_DEFAULT = { yaw: -Math.PI / 2 + 0.45, pitch: 0.32, dist: 6.5, fov: (42 * Math.PI) / 180 };
  const cam = Object.assign({}, CAM_DEFAULT);
  let dirty = true;

  function makeCamera(target, w, h) {
    const cp = Math.cos(cam.pitch), sp = Math.sin(cam.pitch);
    const eye = [
      target[0] + cam.dist * cp * Math.cos(cam.yaw),
      target[1] + cam.dist * cp * Math.sin(cam.yaw),
      target[2] + cam.dist * sp,
    ];
    let fw = [target[0] - eye[0], target[1] - eye[1], target[2] - eye[2]];
    const fl = Math.hypot(fw[0], fw[1], fw[2]);
    fw = [fw[0] / fl, fw[1] / fl, fw[2] / fl];
    // right = forward x up(z)
    let rt = [fw[1], -fw[0], 0];
    const rl = Math.hypot(rt[0], rt[1]) || 1;
    rt = [rt[0] / rl, rt[1] / rl, 0];
    // up = right x forward
    const up = [
      rt[1] * fw[2] - rt[2] * fw[1],
      rt[2] * fw[0] - rt[0] * fw[2],
      rt[0] * fw[1] - rt[1] * fw[0],
    ];
    const focal = h / 2 / Math.tan(cam.fov / 2);
    return { eye: eye, fw: fw, rt: rt, up: up, focal: focal, cx: w / 2, cy: h / 2 };
  }

  const NEAR = 0.05;
  function toCam(C, p) {
    const dx = p[0] - C.eye[0], dy = p[1] - C.eye[1], dz = p[2] - C.eye[2];
    return [
      dx * C.rt[0] + dy * C.rt[1] + dz * C.rt[2],
      dx * C.up[0] + dy * C.up[1] + dz * C.up[2],
      dx * C.fw[0] + dy * C.fw[1] + dz * C.fw[2],
    ];
  }
  function camToScreen(C, q) {
    return [C.cx + (C.focal * q[0]) / q[2], C.cy - (C.focal * q[1]) / q[2], q[2]];
  }
  function project(C, p) {
    const q = toCam(C, p);
    return q[2] > NEAR ? camToScreen(C, q) : null;
  }
  /** Project a segment, clipping it against the near plane; null if fully behind. */
  function projectSeg(C, a, b) {
    let qa = toCam(C, a), qb = toCam(C, b);
    if (qa[2] <= NEAR && qb[2] <= NEAR) return null;
    if (qa[2] <= NEAR || qb[2] <= NEAR) {
      const u = (NEAR - qa[2]) / (qb[2] - qa[2]);
      const qc = [qa[0] + u * (qb[0] - qa[0]), qa[1] + u * (qb[1] - qa[1]), NEAR];
      if (qa[2] <= NEAR) qa = qc; else qb = qc;
    }
    return [camToScreen(C, qa), camToScreen(C, qb)];
  }
  function projectPoly(C, pts) {
    const q = pts.map((p) => toCam(C, p));
    const out = [];
    for (let i = 0; i < q.length; i++) {
      const a = q[i], b = q[(i + 1) % q.length];
      const ina = a[2] > NEAR, inb = b[2] > NEAR;
      if (ina) out.push(a);
      if (ina !== inb) {
        const u = (NEAR - a[2]) / (b[2] - a[2]);
        out.push([a[0] + u * (b[0] - a[0]), a[1] + u * (b[1] - a[1]), NEAR]);
      }
    }
    return out.map((p) => camToScreen(C, p));
  }

  function draw3D(f) {
    const ctx = v3Canvas.getContext("2d");
    const sz = sizes.get(v3Canvas) || fitCanvas(v3Canvas);
    const w = sz.w, h = sz.h, dpr = sz.dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const sky = ctx.createLinearGradient(0, 0, 0, h);
    sky.addColorStop(0, "#e9edf2");
    sky.addColorStop(1, "#f7f5f0");
    ctx.fillStyle = sky;
    ctx.fillRect(0, 0, w, h);

    let target = [0, 0, 0.5];
    if (followEl.checked && dancers.length && J) {
      let sx = 0, sy = 0;
      for (const d of dancers) {
        const p = jp(d, f, JI.pelvis);
        sx += p[0]; sy += p[1];
      }
      target = [sx / dancers.length, sy / dancers.length, 0.9];
    }
    const C = makeCamera(target, w, h);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";

    // Floor.
    const hw = floorW / 2, hd = floorD / 2;
    const poly = projectPoly(C, [[-hw, -hd, 0], [hw, -hd, 0], [hw, hd, 0], [-hw, hd, 0]]);
    if (poly.length >= 3) {
      ctx.beginPath();
      ctx.moveTo(poly[0][0], poly[0][1]);
      for (let i = 1; i < poly.length; i++) ctx.lineTo(poly[i][0], poly[i][1]);
      ctx.closePath();
      ctx.fillStyle = "#efe4cf";
      ctx.fill();
    }
    const seg = (a, b, color, width) => {
      const s2 = projectSeg(C, a, b);
      if (!s2) return;
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.beginPath();
      ctx.moveTo(s2[0][0], s2[0][1]);
      ctx.lineTo(s2[1][0], s2[1][1]);
      ctx.stroke();
    };
    for (const gx of gridLines(hw)) seg([gx, -hd, 0], [gx, hd, 0], "rgba(120,96,60,0.22)", 1);
    for (const gy of gridLines(hd)) seg([-hw, gy, 0], [hw, gy, 0], "rgba(120,96,60,0.22)", 1);
    seg([-hw, -hd, 0], [hw, -hd, 0], "#8a7f6c", 3); // audience edge
    seg([hw, -hd, 0], [hw, hd, 0], "#b9ab93", 1.5);
    seg([hw, hd, 0], [-hw, hd, 0], "#b9ab93", 1.5);
    seg([-hw, hd, 0], [-hw, -hd, 0], "#b9ab93", 1.5);
    const aud = project(C, [0, -hd - 0.35, 0]);
    if (aud && aud[0] > 0 && aud[0] < w && aud[1] > 0 && aud[1] < h) {
      ctx.fillStyle = "#8a7f6c";
      ctx.font = "600 11px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText("AUDIENCE", aud[0], aud[1]);
    }
    // Line of dance ellipse on the floor.
    const rx = Math.max(0.5, hw - 0.8), ry = Math.max(0.5, hd - 0.8);
    const N = 72;
    for (let i = 0; i < N; i += 2) {
      const a0 = (i / N) * Math.PI * 2, a1 = ((i + 1) / N) * Math.PI * 2;
      seg([rx * Math.cos(a0), ry * Math.sin(a0), 0], [rx * Math.cos(a1), ry * Math.sin(a1), 0], "rgba(120,96,60,0.3)", 1.2);
    }

    if (!J) return;

    // Shadows.
    for (const d of dancers) {
      for (let j = 0; j < J; j++) {
        const pj = parents[j];
        if (!(pj >= 0)) continue;
        const a = jp(d, f, j), b = jp(d, f, pj);
        seg([a[0], a[1], 0.002], [b[0], b[1], 0.002], "rgba(60,50,35,0.13)", 5);
      }
    }

    // Skeletons, far dancer first.
    const order = dancers
      .map((d) => ({ d: d, z: toCam(C, jp(d, f, JI.pelvis))[2] }))
      .sort((a, b) => b.z - a.z);
    for (const item of order) {
      const d = item.d;
      const depthW = (q) => Math.min(9, Math.max(1.5, (0.05 * C.focal) / Math.max(q, NEAR)));
      for (let j = 0; j < J; j++) {
        const pj = parents[j];
        if (!(pj >= 0)) continue;
        const a = jp(d, f, j), b = jp(d, f, pj);
        const mid = toCam(C, [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2]);
        seg(a, b, d.color, depthW(mid[2]));
      }
      ctx.fillStyle = mix(d.color, "#ffffff", 0.35);
      for (let j = 0; j < J; j++) {
        if (j === JI.head || j === JI.headTop) continue;
        const p = project(C, jp(d, f, j));
        if (!p) continue;
        ctx.beginPath();
        ctx.arc(p[0], p[1], depthW(p[2]) * 0.42, 0, Math.PI * 2);
        ctx.fill();
      }
      if (JI.head >= 0) {
        const p = project(C, headCentre(d, f));
        if (p) {
          ctx.beginPath();
          ctx.arc(p[0], p[1], Math.max(3, (0.1 * C.focal) / p[2]), 0, Math.PI * 2);
          ctx.fillStyle = mix(d.color, "#ffffff", 0.55);
          ctx.fill();
          ctx.strokeStyle = d.color;
          ctx.lineWidth = 2;
          ctx.stroke();
        }
      }
    }
  }

  // 3D orbit interaction.
  let drag = null;
  v3Canvas.addEventListener("pointerdown", function (e) {
    drag = { x: e.clientX, y: e.clientY, id: e.pointerId };
    v3Canvas.setPointerCapture(e.pointerId);
    v3Canvas.classList.add("dragging");
  });
  v3Canvas.addEventListener("pointermove", function (e) {
    if (!drag || e.pointerId !== drag.id) return;
    cam.yaw -= (e.clientX - drag.x) * 0.008;
    cam.pitch = Math.min(1.45, Math.max(0.03, cam.pitch + (e.clientY - drag.y) * 0.006));
    drag.x = e.clientX;
    drag.y = e.clientY;
    dirty = true;
  });
  const endDrag = function () {
    drag = null;
    v3Canvas.classList.remove("dragging");
  };
  v3Canvas.addEventListener("pointerup", endDrag);
  v3Canvas.addEventListener("pointercancel", endDrag);
  v3Canvas.addEventListener(
    "wheel",
    function (e) {
      e.preventDefault();
      cam.dist = Math.min(40, Math.max(1.5, cam.dist * Math.exp(e.deltaY * 0.0012)));
      dirty = true;
    },
    { passive: false }
  );
  v3Canvas.addEventListener("dblclick", function () {
    Object.assign(cam, CAM_DEFAULT);
    dirty = true;
  });
  followEl.addEventListener("change", function () {
    if (!followEl.checked && cam.dist < 9) cam.dist = 12;
    if (followEl.checked) cam.dist = CAM_DEFAULT.dist;
    dirty = true;
  });

  // ------------------------------------------------------------------ timeline strip
  const SECTION_TINTS = ["#dfe7f1", "#f1e3df", "#e2efe2", "#ece2f1", "#f1ecdc"];
  let tlCache = null;
  function buildTimeline() {
    const sz = fitCanvas(tlCanvas);
    const w = sz.w, h = sz.h, dpr = sz.dpr;
    const off = document.createElement("canvas");
    off.width = tlCanvas.width;
    off.height = tlCanvas.height;
    const ctx = off.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const dur = duration();
    const X = (t) => (Math.max(0, Math.min(dur, t)) / dur) * w;
    ctx.fillStyle = "#f1efe9";
    ctx.fillRect(0, 0, w, h);
    const dances = [];
    sections.forEach(function (s) {
      let k = dances.indexOf(s.dance);
      if (k < 0) { dances.push(s.dance); k = dances.length - 1; }
      ctx.fillStyle = SECTION_TINTS[k % SECTION_TINTS.length];
      ctx.fillRect(X(s.start_s), 0, Math.max(1, X(s.end_s) - X(s.start_s)), h);
    });
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    figures.forEach(function (fg, i) {
      const x0 = X(fg.start_s), x1 = X(fg.end_s);
      ctx.fillStyle = i % 2 ? "rgba(29,35,43,0.10)" : "rgba(29,35,43,0.05)";
      ctx.fillRect(x0, h * 0.35, Math.max(1, x1 - x0 - 1), h * 0.65);
      const name = String(fg.name || "");
      if (x1 - x0 > 40 && name) {
        ctx.save();
        ctx.beginPath();
        ctx.rect(x0, 0, x1 - x0 - 2, h);
        ctx.clip();
        ctx.fillStyle = "#4a5260";
        ctx.fillText(name, x0 + 4, h * 0.67);
        ctx.restore();
      }
    });
    for (let i = 0; i < beats.length; i++) {
      const down = Number(beatInBar[i]) === 1;
      ctx.fillStyle = down ? "rgba(29,35,43,0.45)" : "rgba(29,35,43,0.15)";
      ctx.fillRect(Math.round(X(beats[i])), 0, 1, down ? h * 0.35 : h * 0.2);
    }
    tlCache = { img: off, w: w, h: h, dpr: dpr, dur: dur };
  }
  function drawTimeline(t) {
    if (!tlCache || tlCache.dur !== duration()) buildTimeline();
    const ctx = tlCanvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, tlCanvas.width, tlCanvas.height);
    ctx.drawImage(tlCache.img, 0, 0);
    const x = (Math.max(0, Math.min(tlCache.dur, t)) / tlCache.dur) * tlCache.w;
    ctx.setTransform(tlCache.dpr, 0, 0, tlCache.dpr, 0, 0);
    ctx.fillStyle = "#d69e2e";
    ctx.fillRect(x - 1, 0, 2, tlCache.h);
  }
  function seekFromTimeline(e) {
    const r = tlCanvas.getBoundingClientRect();
    const u = Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
    audio.currentTime = u * duration();
  }
  let tlDrag = false;
  tlCanvas.addEventListener("pointerdown", function (e) {
    tlDrag = true;
    tlCanvas.setPointerCapture(e.pointerId);
    seekFromTimeline(e);
  });
  tlCanvas.addEventListener("pointermove", function (e) { if (tlDrag) seekFromTimeline(e); });
  tlCanvas.addEventListener("pointerup", function () { tlDrag = false; });

  // ------------------------------------------------------------------ transport
  function togglePlay() {
    if (audio.paused) {
      if (audio.ended) audio.currentTime = 0;
      const p = audio.play();
      if (p && p.catch) {
        p.catch(function (err) {
          if (err && err.name === "AbortError") return;
          if (audio.error) { showAudioError(); return; }
          showStatus("Could not play the audio: " + (err && err.message ? err.message : err));
        });
      }
    } else {
      audio.pause();
    }
  }
  function syncButton() {
    const playing = !audio.paused && !audio.ended;
    playBtn.classList.toggle("playing", playing);
    playBtn.setAttribute("aria-label", playing ? "Pause" : "Play");
  }
  playBtn.addEventListener("click", function () {
    togglePlay();
    playBtn.blur();
  });
  audio.addEventListener("play", syncButton);
  audio.addEventListener("pause", syncButton);
  audio.addEventListener("ended", syncButton);
  audio.addEventListener("loadedmetadata", function () {
    seek.max = String(duration());
    tlCache = null;
    dirty = true;
  });
  function showAudioError() {
    showStatus(
      "The audio file “" + decodeURIComponent(audio.getAttribute("src") || "") +
      "” could not be loaded. Keep it in the same folder as this page."
    );
  }
  audio.addEventListener("error", showAudioError);

  let seeking = false;
  seek.max = String(duration());
  seek.addEventListener("pointerdown", function () { seeking = true; });
  seek.addEventListener("pointerup", function () { seeking = false; });
  seek.addEventListener("change", function () { seeking = false; });
  seek.addEventListener("input", function () {
    audio.currentTime = Number(seek.value);
  });

  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const tag = e.target && e.target.tagName;
    if (e.code === "Space" || e.key === " ") {
      if (tag === "TEXTAREA" || (tag === "INPUT" && e.target.type === "text")) return;
      e.preventDefault();
      if (!e.repeat) togglePlay();
    } else if ((e.key === "ArrowLeft" || e.key === "ArrowRight") && tag !== "INPUT") {
      e.preventDefault();
      const dt = e.key === "ArrowLeft" ? -2 : 2;
      audio.currentTime = Math.max(0, Math.min(duration(), audio.currentTime + dt));
    } else if (e.key === "Home" && tag !== "INPUT") {
      e.preventDefault();
      audio.currentTime = 0;
    }
  });
  // Stop a focused button/checkbox from also reacting to the space key.
  document.addEventListener("keyup", function (e) {
    if (e.code === "Space" || e.key === " ") e.preventDefault();
  });

  function resizeAll() {
    fitCanvas(topCanvas);
    fitCanvas(v3Canvas);
    tlCache = null;
    dirty = true;
  }
  if (window.ResizeObserver) {
    const ro = new ResizeObserver(resizeAll);
    ro.observe(topCanvas);
    ro.observe(v3Canvas);
    ro.observe(tlCanvas);
  }
  window.addEventListener("resize", resizeAll);

  // ------------------------------------------------------------------ main loop
  const shown = { count: undefined, bar: undefined, figure: undefined, counts: undefined, dance: undefined, meter: undefined, time: undefined, down: undefined, pulse: undefined };
  function setText(node, key, value) {
    if (shown[key] !== value) {
      shown[key] = value;
      node.textContent = value;
    }
  }

  function render(t) {
    const f = Math.min(nFrames - 1, Math.max(0, Math.floor(t * fps)));
    const bi = lastLE(beats, t);
    const count = bi >= 0 && beatInBar[bi] != null ? Number(beatInBar[bi]) : null;
    const bar = bi >= 0 && barOfBeat[bi] != null ? Number(barOfBeat[bi]) : null;
    const fig = activeSpan(figures, t);
    const sec = activeSpan(sections, t);
    const figName = fig ? String(fig.name || "") : "";

    setText(countEl, "count", count === null ? "–" : String(count));
    setText(barEl, "bar", bar === null ? "–" : String(bar));
    setText(figureEl, "figure", figName);
    setText(countsEl, "counts", fig && fig.counts ? String(fig.counts) : "");
    // the dance being danced; between figures, the one the music's section suits
    setText(danceEl, "dance", fig ? String(fig.dance || "") : sec ? String(sec.dance || "") : "");
    setText(meterEl, "meter", sec && sec.meter ? sec.meter + " counts per bar" : "");
    setText(timeEl, "time", fmtTime(t) + " / " + fmtTime(duration()));
    const down = count === 1;
    if (shown.down !== down) { shown.down = down; countEl.classList.toggle("downbeat", down); }
    const pulse = bi >= 0 && t - beats[bi] < 0.12 && !audio.paused;
    if (shown.pulse !== pulse) { shown.pulse = pulse; countEl.classList.toggle("pulse", pulse); }
    if (!seeking) seek.value = String(t);

    const drawn = drawTop(f);
    draw3D(f);
    drawTimeline(t);

    window.pasdeuxState = { time: t, frame: f, count: count, bar: bar, figure: figName, dance: shown.dance, drawn: drawn };
  }

  let lastT = -1;
  function tick() {
    const t = audio.currentTime;
    if (t !== lastT || dirty) {
      lastT = t;
      dirty = false;
      render(t);
    }
    window.requestAnimationFrame(tick);
  }

  resizeAll();
  syncButton();
  decoded.then(
    function () { window.requestAnimationFrame(tick); },
    function (err) {
      showStatus("Could not read the dancers' motion: " + (err && err.message ? err.message : err));
      throw err;
    }
  );
})();
