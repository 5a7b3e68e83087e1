// Injected into every frame of a benchmarked page (Playwright's add_init_script) before the page's own scripts.
// It watches the page from the outside, knowing only two things about it: the boundary heatmap is a canvas that
// matches CONFIG.canvas, and an epoch counter is the element CONFIG.epoch matches, or else the smallest element
// whose text reads "Epoch" followed by a number. Open shadow roots are searched too.
//
// Every animation frame it hashes a subsample of the heatmap canvases' pixels; a hash unlike the last one is a
// painted frame. It records, in absolute milliseconds (performance.timeOrigin + performance.now(), comparable
// across frames): window.__paintProbe = {firstPaint, changes: [t...], epochs: [[t, epoch]...]}. firstPaint is
// the first frame at which a heatmap canvas had any non-transparent pixel.
(() => {
  if (window.__paintProbe) return;
  const CONFIG = __CONFIG__;
  const MAX_SAMPLES = 16384; // pixels hashed per canvas and frame: every pixel of a 128 × 128 canvas
  const LIMIT = 200000; // recorded events, so a forgotten page cannot grow without bound
  const probe = (window.__paintProbe = { firstPaint: null, changes: [], epochs: [], canvases: 0, rafTicks: 0, timerTicks: 0, epochText: "" });
  const now = () => performance.timeOrigin + performance.now();
  probe.origin = performance.timeOrigin; // when this document's navigation started (an iframe: when created)
  // "Epoch" then the number, with at most separators between ("Epoch 12", "Epoch: 1,234", "Epoch12" when label
  // and value are two elements); not "Epochs", not "1 epoch/frame".
  const EPOCH_TEXT = /Epoch(?![a-z])[\s:#=]*(\d[\d,\u00a0]*)/i;

  function roots() {
    const out = [document];
    for (let i = 0; i < out.length; i++) {
      for (const el of out[i].querySelectorAll("*")) if (el.shadowRoot) out.push(el.shadowRoot);
    }
    return out;
  }

  function queryAll(selector) {
    const found = [];
    for (const root of roots()) found.push(...root.querySelectorAll(selector));
    return found;
  }

  // The epoch counter's number: "000,123" (TensorFlow Playground), "Epoch123" (label and value in two divs).
  function parseCount(text) {
    const digits = (text || "").replace(/[^\d]/g, "");
    return digits ? Number(digits) : null;
  }

  function findEpochElement() {
    if (CONFIG.epoch) return queryAll(CONFIG.epoch)[0] || null;
    let best = null;
    for (const root of roots()) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!/Epoch(?![a-z])/i.test(node.data)) continue;
        // The number may sit in a sibling element (label and value): climb until the text holds both.
        let el = node.parentElement;
        for (let up = 0; el && up < 3 && !EPOCH_TEXT.test(el.textContent); up++) el = el.parentElement;
        if (el && EPOCH_TEXT.test(el.textContent) && el.textContent.length < 120) {
          if (!best || el.textContent.length < best.textContent.length) best = el;
        }
      }
    }
    return best;
  }

  function readEpoch(el) {
    if (CONFIG.epoch) return parseCount(el.textContent);
    const match = EPOCH_TEXT.exec(el.textContent);
    return match ? parseCount(match[1]) : null;
  }

  // FNV-1a over at most MAX_SAMPLES pixels of every canvas, evenly strided; [hash, any pixel painted].
  function hashCanvases(canvases) {
    let hash = 2166136261 >>> 0;
    let painted = false;
    for (const canvas of canvases) {
      if (!canvas.width || !canvas.height) continue;
      const ctx = canvas.getContext("2d");
      if (!ctx) continue;
      const pixels = new Uint32Array(ctx.getImageData(0, 0, canvas.width, canvas.height).data.buffer);
      const stride = Math.max(1, Math.floor(pixels.length / MAX_SAMPLES));
      for (let i = 0; i < pixels.length; i += stride) {
        const p = pixels[i];
        if (p >>> 24) painted = true;
        hash = Math.imul(hash ^ p, 16777619) >>> 0;
      }
    }
    return [hash, painted];
  }

  let canvases = [], epochEl = null, lastHash = null, lastEpoch = null, nextSearch = 0;
  // Driven by requestAnimationFrame, with a 16 ms timer stepping in whenever no animation frame came for 50 ms
  // (a hidden frame gets none). The timer also restarts the animation-frame loop: in an iframe that navigates
  // from its initial about:blank document (a Streamlit component's), the window and this script survive the
  // navigation but the callback queued in the old document is dropped, so the loop would otherwise stay dead and
  // the page would be sampled at the timer's slower, jittery pace (undercounting its painted frames).
  let lastAnimationFrame = 0, loop = 0, handle = 0;
  function startLoop() {
    const id = ++loop;
    cancelAnimationFrame(handle);
    const tick = () => {
      if (id !== loop) return;
      handle = requestAnimationFrame(tick); // first: an error below must not end the loop
      lastAnimationFrame = performance.now();
      probe.rafTicks++;
      run();
    };
    handle = requestAnimationFrame(tick);
  }
  function watchdog() {
    setTimeout(watchdog, 16);
    if (performance.now() - lastAnimationFrame > 50) {
      probe.timerTicks++;
      run();
      startLoop();
    }
  }
  function run() {
    try {
      step();
    } catch (error) {
      probe.error = String(error);
    }
  }

  function step() {
    const t = now();
    // Searching a whole DOM every frame would cost the page more than the probe measures: at most every 100 ms
    // while something is missing, and every second anyway (a page may add canvases, e.g. one per network).
    const missing = !canvases.length || !canvases.every((c) => c.isConnected) || !epochEl || !epochEl.isConnected;
    if (t >= nextSearch) {
      canvases = queryAll(CONFIG.canvas);
      if (!epochEl || !epochEl.isConnected) epochEl = findEpochElement();
      probe.epochText = epochEl ? epochEl.textContent.slice(0, 120) : "";
      probe.canvases = canvases.length;
      nextSearch = t + (missing ? 100 : 1000);
    }
    if (canvases.length) {
      const [hash, painted] = hashCanvases(canvases);
      if (painted && probe.firstPaint === null) probe.firstPaint = t;
      if (lastHash !== null && hash !== lastHash && probe.changes.length < LIMIT) probe.changes.push(t);
      lastHash = hash;
    }
    if (epochEl) {
      const epoch = readEpoch(epochEl);
      if (epoch !== null && epoch !== lastEpoch && probe.epochs.length < LIMIT) {
        probe.epochs.push([t, epoch]);
        lastEpoch = epoch;
      } else if (epoch === null) {
        epochEl = null; // the text changed shape: look again
      }
    }
  }
  startLoop();
  setTimeout(watchdog, 16);
})();
