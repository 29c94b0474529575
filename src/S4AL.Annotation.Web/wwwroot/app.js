// The annotation page: plain JavaScript, no build step, served from inside the s4al binary.
// Every request carries the page's token in a header (never a cookie), and the annotator's
// name and browser session, which holds the region the server leased to it.
"use strict";
(() => {
  const UNLABELED = 255;
  const $ = (id) => document.getElementById(id);
  const token = document.querySelector('meta[name="s4al-token"]').content;
  const view = $("view");
  const ctx = view.getContext("2d");

  const s = {
    name: localStorage.getItem("s4al.annotator") || "",
    session: sessionStorage.getItem("s4al.session") || randomId(),
    roundView: null,
    classes: [],
    selected: 0,
    tool: "brush",
    size: 3,
    zoom: 1,
    overlay: true,
    region: null,      // the leased region (server's LeasedRegion)
    mask: null,        // its labels, row-major inside the region
    prediction: null,  // the image's prediction (Height*Width) or null
    bitmap: null,
    crop: null,        // the part of the image shown: {x, y, w, h, scale}
    undo: [],
    redo: [],
    shownAt: 0,
    submitAt: null,
    busy: false,
    poll: null,
  };
  sessionStorage.setItem("s4al.session", s.session);
  const images = new Map();
  const predictions = new Map();

  function randomId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  class PageError extends Error {}

  async function api(method, path, body) {
    const headers = { "X-S4AL-Token": token, "X-S4AL-Session": s.session };
    if (s.name) headers["X-S4AL-Annotator"] = encodeURIComponent(s.name);
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
    } catch {
      throw new PageError("The s4al node does not answer; retrying.");
    }
    if (res.status === 401) throw new PageError("The page's access token was refused: open the address s4al printed (with ?token=).");
    return res;
  }

  async function problem(res) {
    try { return (await res.json()).error || res.statusText; } catch { return `${res.status} ${res.statusText}`; }
  }

  function setState(state) { document.body.dataset.state = state; }

  function message(text) { $("message").textContent = text || ""; }

  // ---- progress ----

  async function refresh() {
    const res = await api("GET", "/api/round");
    s.roundView = await res.json();
    showProgress();
    return s.roundView;
  }

  function showProgress() {
    const v = s.roundView;
    const r = v && v.round;
    if (!r) {
      $("progress").textContent = v ? v.situation : "";
      $("next-step").textContent = "";
      return;
    }
    const what = r.initial ? "Initial set" : `Cycle ${r.cycle}`;
    $("progress").textContent = `${what}: ${r.labeled} of ${r.queried} regions labeled` + (r.inProgress > 0 ? `, ${r.inProgress} being labeled` : "");
    $("next-step").textContent = r.next;
    if (v.you) {
      const pace = v.you.perMinute ? `, ${v.you.perMinute.toFixed(1)} per minute` : "";
      $("you").textContent = `You (${v.you.name}): ${v.you.labeled} labeled${pace}`;
    }
    if (JSON.stringify(r.classes) !== JSON.stringify(s.classes)) {
      s.classes = r.classes;
      if (s.selected >= s.classes.length) s.selected = 0;
      buildPalette();
    }
  }

  // ---- the queue ----

  async function next() {
    clearTimeout(s.poll);
    setState("loading");
    try {
      const res = await api("POST", "/api/next", {});
      if (!res.ok) throw new PageError(await problem(res));
      const answer = await res.json();
      if (!answer.region) {
        await refresh();
        showWaiting(answer.situation);
        return;
      }
      await showRegion(answer.region);
      message("");
    } catch (e) {
      message(e.message);
      s.poll = setTimeout(next, 2000);
    }
  }

  function showWaiting(why) {
    $("editor").hidden = true;
    $("waiting").hidden = false;
    $("waiting-text").textContent = why + " This page checks again every few seconds.";
    setState("waiting");
    s.poll = setTimeout(next, 2000);
  }

  async function loadImage(image) {
    if (!images.has(image)) {
      const res = await api("GET", `/api/images/${image}`);
      if (!res.ok) throw new PageError(`image ${image}: ${await problem(res)}`);
      images.set(image, await createImageBitmap(await res.blob()));
    }
    return images.get(image);
  }

  async function loadPrediction(region) {
    const key = `${region.experiment}/${region.cycle}/${region.image}`;
    if (!predictions.has(key)) {
      const res = await api("GET", `/api/images/${region.image}/prediction`);
      predictions.set(key, res.ok ? new Uint8Array(await res.arrayBuffer()) : null);
    }
    return predictions.get(key);
  }

  async function showRegion(region) {
    let round = s.roundView && s.roundView.round;
    if (!round || round.cycle !== region.cycle || round.experiment !== region.experiment) round = (await refresh()).round;
    const [bitmap, prediction] = await Promise.all([loadImage(region.image), region.hasPrediction ? loadPrediction(region) : null]);
    const w = region.right - region.left, h = region.bottom - region.top;
    const mask = new Uint8Array(w * h).fill(UNLABELED);
    // The model's prediction is the starting label: people correct rather than paint from scratch.
    if (prediction) {
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) mask[y * w + x] = prediction[(region.top + y) * round.width + region.left + x];
    }
    Object.assign(s, { region, mask, prediction, bitmap, undo: [], redo: [], width: round.width, height: round.height });
    layout();
    draw();
    $("waiting").hidden = true;
    $("editor").hidden = false;
    $("editor-title").textContent = `Image ${region.image}, region ${region.region}`;
    view.setAttribute("aria-label", `Image ${region.image} with region ${region.region} outlined (${w} by ${h} pixels) and its labels`);
    s.shownAt = performance.now();
    if (s.submitAt !== null) {
      view.dataset.submitToShownMs = (s.shownAt - s.submitAt).toFixed(1);
      s.submitAt = null;
    }
    view.dataset.rect = `${region.top},${region.bottom},${region.left},${region.right}`;
    view.dataset.region = `${region.image}:${region.region}`;
    setState("ready");
  }

  // ---- drawing ----

  function layout() {
    const r = s.region;
    const w = r.right - r.left, h = r.bottom - r.top;
    // Context around the region: as much again on every side, within the image.
    const margin = Math.max(w, h);
    const x = Math.max(0, r.left - margin), y = Math.max(0, r.top - margin);
    const cw = Math.min(s.width, r.right + margin) - x, ch = Math.min(s.height, r.bottom + margin) - y;
    const fit = Math.max(1, Math.floor(Math.min(640 / cw, 480 / ch)));
    const scale = Math.max(1, Math.round(fit * s.zoom));
    // A border around the image, so the outline of a region at the image's edge stays visible.
    const pad = 4;
    s.crop = { x, y, w: cw, h: ch, scale, pad };
    view.width = cw * scale + 2 * pad;
    view.height = ch * scale + 2 * pad;
    view.dataset.crop = `${x},${y},${cw},${ch}`;
    view.dataset.scale = String(scale);
    view.dataset.pad = String(pad);
  }

  function rgb(hex) {
    const n = parseInt(hex.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }

  function layer(width, height, valueAt, alpha) {
    const canvas = new OffscreenCanvas(width, height);
    const g = canvas.getContext("2d");
    const data = g.createImageData(width, height);
    const colors = s.classes.map((c) => rgb(c.color));
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const v = valueAt(x, y);
        if (v === UNLABELED || v >= colors.length) continue;
        const o = (y * width + x) * 4;
        [data.data[o], data.data[o + 1], data.data[o + 2]] = colors[v];
        data.data[o + 3] = alpha;
      }
    g.putImageData(data, 0, 0);
    return canvas;
  }

  function draw() {
    const { x, y, w, h, scale, pad } = s.crop;
    const r = s.region;
    ctx.imageSmoothingEnabled = false;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, view.width, view.height);
    ctx.translate(pad, pad);
    ctx.drawImage(s.bitmap, x, y, w, h, 0, 0, w * scale, h * scale);
    if (s.overlay && s.prediction) {
      const inside = (px, py) => px >= r.left && px < r.right && py >= r.top && py < r.bottom;
      ctx.drawImage(layer(w, h, (px, py) => inside(x + px, y + py) ? UNLABELED : s.prediction[(y + py) * s.width + x + px], 90), 0, 0, w * scale, h * scale);
    }
    const rw = r.right - r.left, rh = r.bottom - r.top;
    ctx.drawImage(layer(rw, rh, (px, py) => s.mask[py * rw + px], 150), (r.left - x) * scale, (r.top - y) * scale, rw * scale, rh * scale);
    // The outline: white under black dashes, visible on any image.
    const box = [(r.left - x) * scale - 1.5, (r.top - y) * scale - 1.5, rw * scale + 3, rh * scale + 3];
    ctx.setLineDash([]);
    ctx.lineWidth = 3;
    ctx.strokeStyle = "#ffffff";
    ctx.strokeRect(...box);
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = "#000000";
    ctx.strokeRect(...box);
  }

  // ---- editing ----

  function remember() {
    s.undo.push(s.mask.slice());
    if (s.undo.length > 200) s.undo.shift();
    s.redo = [];
  }

  function undo() { if (s.undo.length) { s.redo.push(s.mask); s.mask = s.undo.pop(); draw(); } }
  function redo() { if (s.redo.length) { s.undo.push(s.mask); s.mask = s.redo.pop(); draw(); } }

  function fill() {
    if (!s.region) return;
    remember();
    s.mask.fill(s.selected);
    draw();
  }

  function pixelAt(e) {
    const box = view.getBoundingClientRect();
    const { x, y, scale, pad } = s.crop;
    return {
      x: x + Math.floor(((e.clientX - box.left) * (view.width / box.width) - pad) / scale),
      y: y + Math.floor(((e.clientY - box.top) * (view.height / box.height) - pad) / scale),
    };
  }

  // A disc of diameter `size` around the pixel, clipped to the region.
  function dab(p) {
    const r = s.region, rw = r.right - r.left;
    const value = s.tool === "eraser" ? UNLABELED : s.selected;
    const reach = Math.floor(s.size / 2), limit = (s.size / 2) * (s.size / 2);
    for (let dy = -reach; dy <= reach; dy++)
      for (let dx = -reach; dx <= reach; dx++) {
        const px = p.x + dx, py = p.y + dy;
        if (dx * dx + dy * dy > limit || px < r.left || px >= r.right || py < r.top || py >= r.bottom) continue;
        s.mask[(py - r.top) * rw + px - r.left] = value;
      }
  }

  function stroke(from, to) {
    const steps = Math.max(Math.abs(to.x - from.x), Math.abs(to.y - from.y), 1);
    for (let i = 0; i <= steps; i++)
      dab({ x: Math.round(from.x + ((to.x - from.x) * i) / steps), y: Math.round(from.y + ((to.y - from.y) * i) / steps) });
    draw();
  }

  let last = null;
  view.addEventListener("pointerdown", (e) => {
    if (!s.region || e.button !== 0) return;
    remember();
    view.setPointerCapture(e.pointerId);
    last = pixelAt(e);
    stroke(last, last);
  });
  view.addEventListener("pointermove", (e) => {
    if (!last) return;
    const p = pixelAt(e);
    stroke(last, p);
    last = p;
  });
  const end = () => { last = null; };
  view.addEventListener("pointerup", end);
  view.addEventListener("pointercancel", end);

  function setTool(tool) {
    s.tool = tool;
    $("brush").setAttribute("aria-pressed", String(tool === "brush"));
    $("eraser").setAttribute("aria-pressed", String(tool === "eraser"));
  }

  function setSize(size) {
    s.size = Math.min(25, Math.max(1, size));
    $("size").value = String(s.size);
    $("size-value").textContent = String(s.size);
  }

  function setZoom(factor) {
    s.zoom = Math.min(8, Math.max(0.25, s.zoom * factor));
    if (s.region) { layout(); draw(); }
  }

  function setOverlay(on) {
    s.overlay = on;
    $("overlay").checked = on;
    if (s.region) draw();
  }

  // ---- classes ----

  function visibleClasses() {
    const q = $("class-search").value.trim().toLowerCase();
    return s.classes.filter((c) => !q || c.name.toLowerCase().includes(q));
  }

  function buildPalette() {
    const list = $("palette");
    list.replaceChildren();
    visibleClasses().forEach((c, i) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.index = String(c.index);
      button.setAttribute("aria-pressed", String(c.index === s.selected));
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.backgroundColor = c.color;
      button.append(swatch);
      if (i < 9) {
        const key = document.createElement("kbd");
        key.textContent = String(i + 1);
        button.append(key);
        button.setAttribute("aria-keyshortcuts", String(i + 1));
      }
      button.append(document.createTextNode(` ${c.name}`));
      button.addEventListener("click", () => select(c.index));
      item.append(button);
      list.append(item);
    });
  }

  function select(index) {
    s.selected = index;
    if (s.tool === "eraser") setTool("brush");
    for (const b of $("palette").querySelectorAll("button")) b.setAttribute("aria-pressed", String(Number(b.dataset.index) === index));
  }

  // ---- submit and skip ----

  function base64(bytes) {
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(text);
  }

  async function submit() {
    if (s.busy || !s.region || document.body.dataset.state !== "ready") return;
    s.busy = true;
    const r = s.region;
    try {
      const seconds = (performance.now() - s.shownAt) / 1000;
      s.submitAt = performance.now();
      setState("loading");
      const res = await api("POST", "/api/labels", { experiment: r.experiment, cycle: r.cycle, image: r.image, region: r.region, mask: base64(s.mask), seconds });
      if (res.ok) {
        const counts = await res.json();
        if (s.roundView && s.roundView.round) Object.assign(s.roundView.round, { labeled: counts.labeled });
        showProgress();
        refresh().catch(() => {});
        await next();
      } else {
        s.submitAt = null;
        message(await problem(res));
        if (res.status === 409) await next(); else setState("ready");
      }
    } catch (e) {
      s.submitAt = null;
      message(e.message);
      setState("ready");
    } finally {
      s.busy = false;
    }
  }

  async function skip() {
    if (s.busy || !s.region || document.body.dataset.state !== "ready") return;
    s.busy = true;
    const r = s.region;
    try {
      const res = await api("POST", "/api/skip", { experiment: r.experiment, cycle: r.cycle, image: r.image, region: r.region });
      if (!res.ok) message(await problem(res));
      await next();
    } catch (e) {
      message(e.message);
    } finally {
      s.busy = false;
    }
  }

  // ---- wiring ----

  $("fill").addEventListener("click", fill);
  $("brush").addEventListener("click", () => setTool("brush"));
  $("eraser").addEventListener("click", () => setTool("eraser"));
  $("size").addEventListener("input", () => setSize(Number($("size").value)));
  $("undo").addEventListener("click", undo);
  $("redo").addEventListener("click", redo);
  $("zoom-in").addEventListener("click", () => setZoom(1.5));
  $("zoom-out").addEventListener("click", () => setZoom(1 / 1.5));
  $("overlay").addEventListener("change", () => setOverlay($("overlay").checked));
  $("submit").addEventListener("click", submit);
  $("skip").addEventListener("click", skip);
  $("class-search").addEventListener("input", buildPalette);
  $("class-search").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      const first = visibleClasses()[0];
      if (first) select(first.index);
    }
  });

  document.addEventListener("keydown", (e) => {
    if (e.target instanceof HTMLInputElement && e.target.type !== "checkbox" && e.target.type !== "range") return;
    if ((e.key === "Enter" || e.key === " ") && e.target instanceof HTMLButtonElement) return;
    if (document.body.dataset.state !== "ready") return;
    const k = e.key.toLowerCase();
    if ((e.ctrlKey || e.metaKey) && k === "z") { e.preventDefault(); if (e.shiftKey) redo(); else undo(); return; }
    if ((e.ctrlKey || e.metaKey) && k === "y") { e.preventDefault(); redo(); return; }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (/^[1-9]$/.test(e.key)) {
      const c = visibleClasses()[Number(e.key) - 1];
      if (c) select(c.index);
    } else if (k === "f") fill();
    else if (k === "b") setTool("brush");
    else if (k === "e") setTool("eraser");
    else if (k === "p") setOverlay(!s.overlay);
    else if (e.key === "[") setSize(s.size - 1);
    else if (e.key === "]") setSize(s.size + 1);
    else if (e.key === "+" || e.key === "=") setZoom(1.5);
    else if (e.key === "-") setZoom(1 / 1.5);
    else if (e.key === "Enter") submit();
    else if (k === "s") skip();
    else return;
    e.preventDefault();
  });

  $("name-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const name = $("name").value.trim();
    if (!name) return;
    s.name = name;
    localStorage.setItem("s4al.annotator", name);
    $("name-section").hidden = true;
    start();
  });

  async function start() {
    try {
      await refresh();
    } catch (e) {
      message(e.message);
    }
    await next();
    setInterval(() => { if (document.body.dataset.state !== "loading") refresh().catch(() => {}); }, 5000);
  }

  if (s.name) start();
  else {
    refresh().catch((e) => message(e.message));
    $("name-section").hidden = false;
    setState("name");
    $("name").focus();
  }
})();
