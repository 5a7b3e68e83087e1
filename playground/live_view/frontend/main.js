// The live view: mounts a scene's panels once, then plays training snapshots in place.
//
// Playground scenes carry a net spec: each frame brings the network's parameters and the browser computes every
// picture itself (forward.js): the output over a ≥100×100 grid, every neuron's thumbnail, hover values. A picture
// panel may carry its own net spec instead (Compare: one network per run), and frames then bring its parameters
// in that panel's update. Frames are shown on requestAnimationFrame by an epoch clock running at ``speed`` epochs
// per second (player.js); views without a speed show one snapshot per ``interval_ms``. While playing, one request for the
// next batch is kept outstanding whenever less than ~1.5 round trips of play are queued, so the server never
// trains far ahead of the picture. See messages.js for the message format.
import { setHeight, setValue, listen } from "./messaging.js";
import { featureMatrix, forwardLayers, gridPoints, makeNet, predict } from "./forward.js";
import { advanceClock, frameIndex, pictureTurns, playSpeed, snapshotsFor, supplyRate } from "./player.js";
import { drawCurves, extendCurves, makeCurves } from "./panels/curves.js";
import { drawLayer, makeLayer, updateLayer } from "./panels/layer.js";
import { drawNetwork, makeNetwork, neuronPositions } from "./panels/network.js";
import { installKeys } from "./keys.js";
import { sceneBuilt, tickA11y } from "./a11y.js";
import { layoutField, makeField, makeFit, paintFieldPanel, paintFit } from "./panels/field.js";
import { addDownloadButtons } from "./download.js";
import { computedRestyle } from "./panels/terms.js";
import { makeTerms, paintTerms, surfaceRestyle } from "./panels/termgrid.js";

const root = document.getElementById("root");
const countersEl = document.getElementById("counters");
const panelsEl = document.getElementById("panels");
const FIELD_RESOLUTION = 100;
const CURVE_POINTS = 160;
// While playing, the network diagram (16+ neuron thumbnails and every edge) is redrawn at most every NETWORK_MS,
// every other frame at 60 frames/s, while the heatmap keeps the screen's rate; paused or stepped, at once.
const NETWORK_MS = 30;
const SCREEN_FPS = 60;  // the rate the server makes snapshots for (playground/live/playground.py SCREEN_FPS)
let networkDrawnAt = -Infinity, networkStale = false, networkHeld = false;  // held: until the boundary is painted

let sceneVersion = null;
let panels = {};             // name -> panel object {kind, div, ...}
let queue = [];
let lastSeq = null;
let playing = false;
let localPause = false;      // Pause was clicked: stopped at once, until the server confirms
let localPauseAt = 0;
let intervalMs = 66;
let speed = null;            // epochs per second (Playground), null: one snapshot per interval
let epochsPerFrame = 1;      // epochs between the server's snapshots
let wantCounter = 0;
// The scene whose first picture is on screen, reported once (the page draws its controls after it: loop.py's
// picture_first); null until then.
let shownScene = null, shownScheduled = false;
let firstOfScene = false;  // the next parameters shown are a new scene's first: the boundary before the diagram
let waitingSince = null;
let framesApplied = 0, batches = 0, lastApplied = 0, lastTick = 0;
let shownEpoch = 0, clock = 0;
let supply = 0, lastArrival = 0;  // epochs per second the server delivers, and when its last batch came
let rtt = 300;               // smoothed request→batch round trip, ms
let events = [];             // user actions not yet confirmed by the server: [{id, kind, ...}]
let eventId = 0;
let plotly = null;           // the Plotly-backed panel module, loaded only for scenes that need it
let waiting = null;          // renders that arrived while Plotly was loading, replayed in order afterwards

/** Everything the Playground's panels draw from. */
const view = {
  spec: null, net: null, grid: null, layers: null, hover: null, options: {},
  paintedScene: null,  // the scene whose pictures show view.net now
  userEvent: userEvent,
  redrawNetwork: () => { if (panels.network && view.net) drawNetwork(panels.network, view); },
};

const stats = { requests: [], arrivals: [], applied: [], network: [], cost: {} };
window.__liveStats = stats;
const STATS_KEEP = 2000;  // only the latest samples: a tab left playing for hours does not grow
function record(list, value) {
  list.push(value);
  if (list.length > STATS_KEEP) list.splice(0, list.length - STATS_KEEP);
}
function recordCost(name, value) { record(stats.cost[name] = stats.cost[name] || [], value); }

// For tests and benchmarks: where neurons are drawn, and the browser's own forward pass on given points.
window.__liveNeurons = () => neuronPositions(panels.network);
window.__liveForward = (xs, ys) => (view.net ? Array.from(predict(view.net, xs, ys)) : null);
window.__liveView = view;
// Compare: a run panel's network, and the browser's forward pass through it (for tests: pixels vs predictions).
window.__livePanelForward = (name, xs, ys) => {
  const own = panels[name] && panels[name].view;
  return own && own.net ? Array.from(predict(own.net, xs, ys)) : null;
};
window.__livePanelNet = (name) => {
  const own = panels[name] && panels[name].view;
  if (!own || !own.net) return null;
  return { weights: own.net.weights.map((w) => Array.from(w)), biases: own.net.biases.map((b) => Array.from(b)),
           sizes: own.net.sizes, grid: [own.grid.nx, own.grid.ny] };
};
window.__livePoints = () => (panels.boundary && panels.boundary.spec.train_points) || [];
window.__livePointCount = () => {  // every data point the output panel draws: training, test and synthetic
  const spec = panels.boundary && panels.boundary.spec;
  if (!spec || !spec.train_points) return -1;
  const per = spec.kind === "fit" ? 2 : 3;
  return [spec.train_points, spec.test_points || [], spec.synthetic_points || []]
    .reduce((n, list) => n + list.length / per, 0);
};

// ---- the Playground's network: a grid computed once per scene, every picture once per frame --------------------
function setupGrid(spec) {
  if (spec.features.length === 1 && spec.features[0] === "x") {
    const [lo, hi] = spec.x_range, n = spec.points || CURVE_POINTS, xs = new Float64Array(n);
    for (let i = 0; i < n; i++) xs[i] = lo + ((hi - lo) * i) / (n - 1);
    return { nx: n, ny: 1, rows: n, stride: 1, thumbStride: 1, xs: xs,
             inputs: featureMatrix(spec.features, xs, null) };
  }
  const n = spec.resolution || FIELD_RESOLUTION, [d0, d1] = spec.domain, h = (d1 - d0) / n;
  const { xs, ys } = gridPoints(n, d0 + h / 2, d1 - h / 2);  // cell centres: pixel (c, r) shows point (c, r)
  return { nx: n, ny: n, rows: n * n, stride: 1, thumbStride: 3, xs: xs, ys: ys,
           inputs: featureMatrix(spec.features, xs, ys) };
}

function drawNetworkAt(now) {
  view.redrawNetwork();
  networkDrawnAt = now;
  networkStale = false;
  record(stats.network, now);
}

function showParams(params) {
  if (!view.spec || !params) return;
  // A paused view is sent the state it holds again with every rerun (and right after a new scene's first frame).
  if (view.layers && view.paintedScene === sceneVersion && sameParams(view.net, params)) return;
  const t0 = performance.now();
  view.net = makeNet(view.spec, params);
  view.layers = forwardLayers(view.net, view.grid.inputs, view.grid.rows, view.layers);  // buffers reused
  const t1 = performance.now();
  if (panels.boundary && panels.boundary.kind === "field") paintFieldPanel(panels.boundary, view);
  for (const p of labelPanels()) paintFieldPanel(p, view);
  if (panels.boundary && panels.boundary.kind === "fit") paintFit(panels.boundary, view);
  if (firstOfScene) {  // the boundary goes on screen first; the diagram (16+ thumbnails) a frame later
    firstOfScene = false;
    networkStale = networkHeld = true;
    afterNextPaint(() => { networkHeld = false; if (networkStale) drawNetworkAt(performance.now()); });
  } else if (networkHeld) {
    networkStale = true;
  } else if (!(playing && !localPause) || t1 - networkDrawnAt >= NETWORK_MS) {
    drawNetworkAt(t1);
  } else {
    networkStale = true;  // drawn with the next frame, or at once if the view stops first (tick)
  }
  for (const p of Object.values(panels)) {  // Plotly panels whose lines come from the network (Regression, 1-D)
    if (p.computed && plotly) {
      plotly.applyPlotly(p, computedRestyle(p.computed, view.layers, view.net, view.grid.rows, p.computedTraces));
    }
  }
  view.paintedScene = sceneVersion;
  recordCost("forward", t1 - t0);
  recordCost("paint", performance.now() - t1);
}

// ---- picture panels with a network of their own (Compare: one per run) ------------------------------------------
let grids = new Map();  // one grid per distinct (features, domain) in a scene: runs that share it share its inputs
function gridFor(spec) {
  const key = JSON.stringify([spec.features, spec.domain, spec.x_range, spec.resolution]);
  if (!grids.has(key)) grids.set(key, setupGrid(spec));
  return grids.get(key);
}

/** What a panel with its own net spec draws from: the same fields as ``view``, for this panel's network only. */
function pictureView(spec) {
  return {
    spec: spec, net: null, grid: gridFor(spec), layers: null, hover: null,
    get options() { return view.options; },
    userEvent: userEvent,
    redrawNetwork: () => {},  // no network diagram belongs to it
  };
}

function paintPicture(panel) {
  if (panel.kind === "field") paintFieldPanel(panel, panel.view);
  else if (panel.kind === "fit") paintFit(panel, panel.view);
  else if (panel.kind === "terms") paintTerms(panel, panel.view);  // Regression, 2-D: every neuron's term
  else if (panel.kind === "plotly" && plotly) plotly.applyPlotly(panel, surfaceRestyle(panel.view));  // 3-D surface
}

/** Whether ``net`` already holds exactly these parameters (a paused view's repeated state, a finished run). */
function sameParams(net, params) {
  if (!net) return false;
  const same = (typed, list) => typed.length === list.length && typed.every((v, i) => v === list[i]);
  return params.weights.length === net.weights.length && params.weights.every((w, l) => same(net.weights[l], w))
    && params.biases.every((b, l) => same(net.biases[l], b))
    && params.slopes.every((v, l) => (v === null || v === undefined ? 0.1 : v) === net.slopes[l]);
}

function showPanelParams(panel, params) {
  const own = panel.view, t0 = performance.now();
  panel.pendingParams = null;
  if (sameParams(own.net, params) && own.layers) return;  // the picture on screen is this network's already
  own.net = makeNet(own.spec, params);
  own.layers = forwardLayers(own.net, own.grid.inputs, own.grid.rows, own.layers);  // no allocation per frame
  const t1 = performance.now();
  paintPicture(panel);
  recordCost("forward", t1 - t0);
  recordCost("paint", performance.now() - t1);
}

// While playing, a snapshot's pictures are queued per panel (the newest replaces an older one not yet drawn) and
// drawn oldest-waiting first within a per-frame budget: four 100×100 forward passes can take longer than a
// screen frame on a slow machine, and a frame that overruns delays every later one. At least half the waiting
// panels are drawn every frame, so each picture still changes at least every other frame.
const PICTURE_BUDGET_MS = 8;
let pictureStamp = 0;  // counts pictures as they start waiting: the smallest stamp has waited longest

function queuePicture(panel, params) {
  if (!panel.pendingParams) panel.waitingFrom = ++pictureStamp;  // a newer snapshot keeps its place in line
  panel.pendingParams = params;
}

function drawPendingPictures(all) {
  const waiting = Object.values(panels).filter((p) => p.pendingParams);
  if (!waiting.length) return;
  const start = performance.now(), { order, least } = pictureTurns(waiting.map((p) => p.waitingFrom), all);
  for (let k = 0; k < order.length; k++) {
    if (k >= least && performance.now() - start > PICTURE_BUDGET_MS) break;
    const panel = waiting[order[k]];
    showPanelParams(panel, panel.pendingParams);
  }
}

/** A multi-label scene's pictures, one per label (label_0, label_1, ...): output unit j over the plane. */
function labelPanels() {
  return Object.values(panels).filter((p) => p.kind === "field" && p.spec.label !== undefined);
}

// ---- scene ------------------------------------------------------------------------------------------------
const LEGACY = new Set(["plotly"]);

function buildScene(scene) {
  for (const p of Object.values(panels)) if (LEGACY.has(p.kind)) plotly.purgePlotly(p);
  panels = {};
  panelsEl.innerHTML = "";
  panelsEl.style.gridTemplateAreas = scene.grid;
  panelsEl.style.gridTemplateColumns = scene.columns;
  document.body.classList.toggle("presenter", !!scene.presenter);
  view.spec = scene.net || null;
  view.hover = null;
  grids = new Map();
  view.grid = view.spec ? gridFor(view.spec) : null;
  for (const spec of scene.panels) {
    const div = document.createElement("div");
    div.className = "panel";
    div.id = "panel-" + spec.name;
    div.style.gridArea = spec.area;
    div.dataset.title = spec.title || "";
    panelsEl.appendChild(div);
    const kind = spec.kind || "plotly";
    const own = spec.net ? pictureView(spec.net) : view;
    panels[spec.name] = kind === "field" ? makeField(div, spec, own)
      : kind === "fit" ? makeFit(div, spec, own)
      : kind === "network" ? makeNetwork(div, spec, view)
      : kind === "curves" ? makeCurves(div, spec)
      : kind === "layer" ? makeLayer(div, spec)
      : kind === "terms" ? makeTerms(div, spec)
      : plotly.makePlotly(div, spec);
    if (spec.net) panels[spec.name].view = own;
    if (spec.computed) Object.assign(panels[spec.name], { computed: spec.computed, computedTraces: spec.computed_traces });
  }
  sceneVersion = scene.version;
  queue = [];
  firstOfScene = true;
  if (scene.first_frame) {
    showCounters(scene.first_frame);
    showParams(scene.first_frame.params);
    for (const [name, update] of Object.entries(scene.first_frame.panels || {})) {
      if (panels[name] && panels[name].view && update.params) showPanelParams(panels[name], update.params);
    }
    shownEpoch = clock = scene.first_frame.epoch || 0;
    reportFirstPicture();
  }
  addDownloadButtons(panelsEl, panels, view, scene.strings || {});  // PNG / SVG pictures for slides
  sceneBuilt(scene, panelsEl, countersEl);
  setHeight();
}

function needsPlotly(scene) {
  return scene.panels.some((p) => LEGACY.has(p.kind || "plotly"));
}

function loadPlotly() {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "plotly.min.js";
    script.onload = resolve;
    script.onerror = reject;
    document.head.appendChild(script);
  }).then(() => import("./panels/plotly.js"));
}

// ---- frames -------------------------------------------------------------------------------------------------
function showCounters(frame) {
  if (frame.counters) {
    const names = frame.counters.map((c) => c.name || "").join("|");
    if (countersEl.dataset.names !== names) {  // rebuild only when the set of counters changes
      countersEl.innerHTML = "";
      for (const c of frame.counters) {
        const el = document.createElement("div");
        el.className = "counter";
        el.dataset.name = c.name || "";
        el.innerHTML = '<div class="label"></div><div class="value"></div>';
        countersEl.appendChild(el);
      }
      const status = document.createElement("div");
      status.id = "status";
      countersEl.appendChild(status);
      countersEl.dataset.names = names;
    }
    const els = countersEl.querySelectorAll(".counter");
    // Only text that changed is written: an equal string still replaces the text node and restyles the row.
    const put = (el, text) => { if (el.textContent !== text) el.textContent = text; };
    frame.counters.forEach((c, i) => {
      put(els[i].querySelector(".label"), c.label);
      put(els[i].querySelector(".value"), c.value);
    });
    const status = document.getElementById("status");
    put(status, frame.status || "");
    const kind = frame.status_kind === "warn" ? "warn" : "";
    if (status.className !== kind) status.className = kind;
  }
  if (frame.epoch !== undefined) {
    root.dataset.epoch = String(frame.epoch);
    shownEpoch = frame.epoch;
  }
}

/** A frame that is skipped still gives its curve points. */
function keepCurvePoints(frame) {
  for (const name of Object.keys(frame.panels || {})) {
    const panel = panels[name], update = frame.panels[name];
    if (!panel || !update.extend) continue;
    if (panel.kind === "curves") extendCurves(panel, update);
    else if (panel.kind === "plotly") panel.pending = plotly.mergeExtend(panel.pending, update);
  }
}

function applyFrame(frame, now) {
  if (frame.params) showParams(frame.params);
  for (const name of Object.keys(frame.panels || {})) {
    const panel = panels[name], update = frame.panels[name];
    if (!panel) continue;
    const t0 = performance.now();
    if (panel.view && update.params) { queuePicture(panel, update.params); continue; }  // drawn by the tick
    if (panel.kind === "curves") { extendCurves(panel, update); drawCurves(panel); }
    else if (panel.kind === "layer") updateLayer(panel, update);
    else if (LEGACY.has(panel.kind)) plotly.applyPlotly(panel, update);
    if (panel.kind !== "plotly") recordCost(name, performance.now() - t0);  // plotly's cost counts when flushed
  }
  showCounters(frame);
  framesApplied += 1;
  root.dataset.frames = String(framesApplied);
  record(stats.applied, now);
  reportFirstPicture();
}

/** Not playing: every queued frame's curve points, then the newest picture. */
function showNewest(now, current) {
  const pending = queue.splice(0, queue.length);
  if (current) {
    for (const frame of pending) keepCurvePoints(frame);
    applyFrame(current, now);
    drawPendingPictures(true);  // paused: exactly the state the server holds, at once
    for (const p of Object.values(panels)) if (p.kind === "curves" && p.dirty) drawCurves(p);
    return;
  }
  const pictures = pending.filter((f) => f.params || (f.panels && Object.keys(f.panels).length));
  const picture = pictures.length ? pictures[pictures.length - 1] : null;
  for (const frame of pending) if (frame !== picture) keepCurvePoints(frame);
  if (picture) applyFrame(picture, now);
  drawPendingPictures(true);
  const newest = pending[pending.length - 1];
  if (newest && newest !== picture) showCounters(newest);
  for (const p of Object.values(panels)) if (p.kind === "curves" && p.dirty) drawCurves(p);
}

// ---- requests --------------------------------------------------------------------------------------------------
let asked = 8;
function report() {
  setValue({ want: wantCounter, scene: sceneVersion, frames: asked, events: events, shown: shownScene });
}
/** Run ``fn`` once, after the browser has painted what is drawn now: a timer queued from the next animation frame
 *  runs after that frame's paint. A frame the browser does not animate (a hidden iframe) runs it after 250 ms. */
function afterNextPaint(fn) {
  let done = false;
  const once = () => { if (!done) { done = true; fn(); } };
  window.requestAnimationFrame(() => window.setTimeout(once, 0));
  window.setTimeout(once, 250);
}

/** After the first frame is drawn: report it once painted, so the page's controls, drawn on that report (loop.py's
 *  picture_first), come after the picture. */
function reportFirstPicture() {
  if (shownScheduled || sceneVersion === null) return;
  shownScheduled = true;
  afterNextPaint(() => { shownScene = sceneVersion; report(); });
}
function requestMore(frames) {
  waitingSince = performance.now();
  record(stats.requests, waitingSince);
  wantCounter += 1;
  asked = frames;
  report();
}
/** A click becomes an event; events stay in every report until the server says it has handled them. */
function userEvent(event) {
  eventId += 1;
  events.push(Object.assign({ id: Date.now() * 1000 + eventId }, event));
  events = events.slice(-50);
  report();
}

// ---- the player ------------------------------------------------------------------------------------------------
function tick(now) {
  const dt = lastTick ? now - lastTick : 0;
  lastTick = now;
  // A press that never became a click (the pointer left the button) must not freeze a playing view for good.
  if (localPause && playing && now - localPauseAt > 15000) localPause = false;
  const running = playing && !localPause;
  if (running && speed) {
    if (queue.length) {
      // A snapshot shown early (frameIndex) must not move the clock: it starts from the shown epoch minus the lead.
      const pace = playSpeed(speed, supply), lead = pace / SCREEN_FPS;
      clock = advanceClock(clock, shownEpoch - lead, queue[queue.length - 1].epoch, pace, dt);
      const due = frameIndex(queue, clock, lead);
      if (due >= 0) {
        const shown = queue.splice(0, due + 1);
        for (let i = 0; i < shown.length - 1; i++) keepCurvePoints(shown[i]);
        applyFrame(shown[shown.length - 1], now);
        lastApplied = now;
      }
    } else {
      clock = Math.min(clock, shownEpoch);  // starved: no banked time to burst through later
    }
    const newest = queue.length ? queue[queue.length - 1].epoch : shownEpoch;
    const aheadSeconds = (newest - Math.max(clock, shownEpoch)) / speed;
    const stale = waitingSince !== null && now - waitingSince > 3000;  // a lost request must not stall play
    if ((waitingSince === null || stale) && aheadSeconds < (1.5 * rtt + 100) / 1000) {
      requestMore(snapshotsFor((2 * rtt + 250) / 1000, speed, epochsPerFrame));
    }
  } else if (running) {
    if (queue.length && now - lastApplied >= intervalMs - 2) {
      applyFrame(queue.shift(), now);
      lastApplied = now;
    }
    const stale = waitingSince !== null && now - waitingSince > 3000;
    const ahead = (queue.length * intervalMs) / Math.max(rtt, 1);
    if ((waitingSince === null || stale) && ahead < 1.5) {
      requestMore(Math.min(40, Math.max(6, Math.ceil((1.6 * rtt) / intervalMs))));
    }
  } else if (queue.length && !localPause) {
    showNewest(now, null);
  }
  if (networkStale && !networkHeld && (!running || now - networkDrawnAt >= NETWORK_MS)) drawNetworkAt(now);
  drawPendingPictures(!running);
  if (plotly) plotly.flushCurves(panels, now, !running || queue.length === 0, running, recordCost);
  tickA11y(now, running, countersEl, panelsEl);
}

// requestAnimationFrame paces the picture at the screen's rate; a timer keeps it going where rAF does not fire
// (iframes the browser deems hidden), at a slower pace.
function frameLoop(now) {
  tick(now);
  window.requestAnimationFrame(frameLoop);
}
window.setInterval(() => { if (performance.now() - lastTick > 90) tick(performance.now()); }, 50);

// ---- Pause within one frame: the Streamlit buttons live in the page, so listen there for the press ------------
let watchedDocument = null;
function watchTransport() {
  let doc;
  try { doc = window.parent.document; } catch (err) { return; }  // another origin: rely on the server's answer
  if (!doc || doc === watchedDocument) return;
  watchedDocument = doc;
  doc.addEventListener("pointerdown", (evt) => {
    const transport = (view.options || {}).transport;
    if (!transport || !evt.target || !evt.target.closest) return;
    const hit = (name) => transport[name] && evt.target.closest("." + transport[name]);
    if ((hit("play") && playing) || hit("step") || hit("reset")) {
      localPause = true;  // the picture stops now; the server's answer brings the state it stopped at
      localPauseAt = performance.now();
      root.dataset.playing = "0";
      root.dataset.pausedAt = String(framesApplied);
    }
  }, true);
}

// Space, → and R press the page's Play/Pause, Step and Reset buttons (keys.js).
const attachKeys = installKeys(() => (view.options || {}).transport);

// ---- render events -------------------------------------------------------------------------------------------
function onRender(args) {
  if (waiting) { waiting.push(args); return; }
  if (args.scene && args.scene.version !== sceneVersion && !plotly && needsPlotly(args.scene)) {
    waiting = [args];  // Plotly is loaded on first need, then the renders are replayed in order
    loadPlotly().then((module) => {
      plotly = module;
      const replay = waiting;
      waiting = null;
      for (const queued of replay) onRender(queued);
    }, (err) => console.error("live view: Plotly did not load", err));
    return;
  }
  if (args.scene && args.scene.version !== sceneVersion) buildScene(args.scene);
  const now = performance.now();
  if (args.seq !== lastSeq) {
    lastSeq = args.seq;
    batches += 1;
    root.dataset.batches = String(batches);
    const frames = Array.isArray(args.frames) ? args.frames : [];
    if (playing && frames.length && lastArrival) {
      const before = queue.length ? queue[queue.length - 1].epoch : shownEpoch;
      supply = supplyRate(supply, frames[frames.length - 1].epoch - before, now - lastArrival);
    }
    if (frames.length) lastArrival = now;
    queue.push(...frames);
    record(stats.arrivals, [now, frames.length]);
    if (waitingSince !== null && frames.length) rtt = 0.7 * rtt + 0.3 * (now - waitingSince);
    waitingSince = null;
  }
  const wasPlaying = playing;
  playing = !!args.playing;
  if (!playing) localPause = false;  // the server has stopped too
  intervalMs = args.interval_ms || 66;
  speed = args.speed || null;
  epochsPerFrame = args.epochs_per_frame || 1;
  if (playing && !wasPlaying) { clock = shownEpoch; supply = 0; lastArrival = 0; }
  const before = JSON.stringify((view.options || {}).selected || null);
  view.options = args.options || {};
  const handled = view.options.handled || 0;
  events = events.filter((e) => e.id > handled);
  root.dataset.draw = view.options.draw ? "1" : "0";
  root.dataset.playing = playing && !localPause ? "1" : "0";
  if (panels.boundary) panels.boundary.div.style.cursor = view.options.draw ? "crosshair" : "default";
  if (JSON.stringify(view.options.selected || null) !== before) view.redrawNetwork();
  if (!playing && args.now) showNewest(now, args.now);  // paused: exactly the state the server holds
  watchTransport();
  attachKeys();
  // The iframe was rebuilt while the server thinks we hold the scene: ask for it again.
  if (!args.scene && sceneVersion === null) requestMore(asked);
}

window.addEventListener("resize", () => {
  for (const p of Object.values(panels)) {
    if (p.kind === "network") view.redrawNetwork();
    else if (p.kind === "curves") drawCurves(p);
    else if (p.kind === "layer") drawLayer(p);
    else if (p.kind === "field") { layoutField(p); if ((p.view || view).layers) paintFieldPanel(p, p.view || view); }
    else if (p.kind === "fit") { if ((p.view || view).layers) paintFit(p, p.view || view); }
    else if (p.kind === "terms") { if (p.view && p.view.layers) paintTerms(p, p.view); }
    else if (plotly) plotly.resizePlotly(p);
  }
});

listen(onRender);
setHeight();
window.requestAnimationFrame(frameLoop);
