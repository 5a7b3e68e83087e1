// Live view: keeps Plotly charts mounted and plays batches of snapshots in place at an even pace.
//
// Streamlit (components v1 protocol, spoken directly with postMessage) sends render events whose args are:
//   scene    {version, panels: [{name, figure, area}], grid: "css grid-template-areas", columns, height, presenter}
//            only when the browser does not already hold that scene version (see the reported value below);
//   frames   [{epoch, counters: [{label, value}], status, panels: {name: update}}], a batch of snapshots;
//   seq      batch number (a batch is queued once); playing (bool); interval_ms (pace of playback).
// A panel update is {restyle: {attr: [values per trace]}, traces: [i...], relayout: {...},
//                    extend: {x: [[...]], y: [[...]]}, extend_traces: [i...]}.
// Numeric grids may arrive packed as {b64: "...", shape: [ny, nx], lo, hi}: one byte per cell.
// The component reports {want: n, scene: version} to ask for the next batch while playing, so the server
// never trains further ahead than the browser can show.
(function () {
  "use strict";
  const root = document.getElementById("root");
  const countersEl = document.getElementById("counters");
  const panelsEl = document.getElementById("panels");
  const PLOT_CONFIG = { displayModeBar: false, responsive: true, scrollZoom: false };

  let sceneVersion = null;
  let divs = {};             // panel name -> div
  let queue = [];
  let lastSeq = null;
  let playing = false;
  let intervalMs = 66;
  let wantCounter = 0;
  let waitingSince = null;   // time of the outstanding request, null when none
  let framesApplied = 0;
  let batches = 0;
  let lastApplied = 0;

  function send(type, extra) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, extra), "*");
  }
  function setValue(value) { send("streamlit:setComponentValue", { value: value, dataType: "json" }); }
  function setHeight() { send("streamlit:setFrameHeight", { height: document.body.scrollHeight + 4 }); }

  function decode(value) {
    if (Array.isArray(value)) return value.map(decode);
    if (value && typeof value === "object") {
      if (typeof value.b64 === "string" && value.shape) {
        const bytes = Uint8Array.from(atob(value.b64), (c) => c.charCodeAt(0));
        const [ny, nx] = value.shape;
        const span = (value.hi - value.lo) / 255;
        const rows = new Array(ny);
        for (let r = 0; r < ny; r++) {
          const row = new Array(nx);
          for (let c = 0; c < nx; c++) row[c] = value.lo + bytes[r * nx + c] * span;
          rows[r] = row;
        }
        return rows;
      }
      const out = {};
      for (const k of Object.keys(value)) out[k] = decode(value[k]);
      return out;
    }
    return value;
  }

  function buildScene(scene) {
    for (const name of Object.keys(divs)) Plotly.purge(divs[name]);
    divs = {};
    panelsEl.innerHTML = "";
    panelsEl.style.gridTemplateAreas = scene.grid;
    panelsEl.style.gridTemplateColumns = scene.columns;
    document.body.classList.toggle("presenter", !!scene.presenter);
    for (const panel of scene.panels) {
      const div = document.createElement("div");
      div.className = "panel";
      div.id = "panel-" + panel.name;
      div.style.gridArea = panel.area;
      panelsEl.appendChild(div);
      const fig = decode(panel.figure);
      const layout = Object.assign({}, fig.layout || {}, { autosize: true });
      Plotly.newPlot(div, fig.data || [], layout, PLOT_CONFIG);
      divs[panel.name] = div;
    }
    sceneVersion = scene.version;
    queue = [];
    if (scene.first_frame) showCounters(scene.first_frame);
    setHeight();
  }

  function applyPanel(div, update) {
    const data = update.restyle ? decode(update.restyle) : null;
    const layout = update.relayout ? decode(update.relayout) : null;
    if (data || layout) Plotly.update(div, data || {}, layout || {}, update.traces);
    if (update.extend) Plotly.extendTraces(div, update.extend, update.extend_traces);
  }

  function showCounters(frame) {
    if (frame.counters) {
      countersEl.innerHTML = "";
      for (const c of frame.counters) {
        const el = document.createElement("div");
        el.className = "counter";
        el.dataset.name = c.name || "";
        el.innerHTML = '<div class="label"></div><div class="value"></div>';
        el.querySelector(".label").textContent = c.label;
        el.querySelector(".value").textContent = c.value;
        countersEl.appendChild(el);
      }
      const status = document.createElement("div");
      status.id = "status";
      status.textContent = frame.status || "";
      if (frame.status_kind === "warn") status.className = "warn";
      countersEl.appendChild(status);
    }
    if (frame.epoch !== undefined) root.dataset.epoch = String(frame.epoch);
  }

  function applyFrame(frame) {
    for (const name of Object.keys(frame.panels || {})) {
      const t0 = performance.now();
      if (divs[name]) applyPanel(divs[name], frame.panels[name]);
      (stats.cost[name] = stats.cost[name] || []).push(performance.now() - t0);
    }
    showCounters(frame);
    framesApplied += 1;
    stats.applied.push(performance.now());
    root.dataset.frames = String(framesApplied);
  }

  const stats = { requests: [], arrivals: [], applied: [], cost: {} };
  window.__liveStats = stats;

  function requestMore() {
    waitingSince = performance.now();
    stats.requests.push(waitingSince);
    wantCounter += 1;
    setValue({ want: wantCounter, scene: sceneVersion });
  }

  function tick(now) {
    if (queue.length && now - lastApplied >= intervalMs) {
      // Paused: show the newest state at once; playing: one snapshot per interval for even motion.
      const frame = playing ? queue.shift() : queue.splice(0, queue.length).pop();
      applyFrame(frame);
      lastApplied = now;
    }
    if (playing) {
      const stale = waitingSince !== null && now - waitingSince > 2000; // a lost request must not stall play
      if ((waitingSince === null || stale) && queue.length <= 2) requestMore();
    }
    window.requestAnimationFrame(tick);
  }

  function onRender(args) {
    if (args.scene && args.scene.version !== sceneVersion) buildScene(args.scene);
    if (args.seq !== lastSeq) {
      lastSeq = args.seq;
      batches += 1;
      root.dataset.batches = String(batches);
      queue.push(...(args.frames || []));
      stats.arrivals.push([performance.now(), (args.frames || []).length]);
      waitingSince = null;
    }
    playing = !!args.playing;
    intervalMs = args.interval_ms || 66;
    // The iframe was rebuilt while the server thinks we hold the scene: ask for it again.
    if (!args.scene && sceneVersion === null) requestMore();
  }

  window.addEventListener("message", (event) => {
    const msg = event.data;
    if (!msg || msg.type !== "streamlit:render") return;
    try {
      onRender(msg.args || {});
    } catch (err) {
      console.error("live view:", err);
    }
  });
  window.addEventListener("resize", () => {
    for (const name of Object.keys(divs)) Plotly.Plots.resize(divs[name]);
  });
  send("streamlit:componentReady", { apiVersion: 1 });
  setHeight();
  window.requestAnimationFrame(tick);
})();
