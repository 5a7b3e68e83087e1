// Live view: keeps charts mounted and plays batches of training snapshots in place at an even pace.
//
// Streamlit (components v1 protocol, spoken directly with postMessage) sends render events whose args are:
//   scene   {version, panels: [...], grid, columns, presenter, first_frame}, only when the browser does not hold
//           that version yet (the component reports the version it holds);
//   frames  [{epoch, counters, status, status_kind, panels: {name: update}}], a batch of snapshots;
//   seq     batch number (a batch is queued once); playing (bool); interval_ms (pace of playback).
//
// Panel kinds and their per-frame updates:
//   "plotly"   a Plotly figure; update {restyle, traces, relayout} (one redraw) or {extend, extend_traces}
//              (curve points, batched so a chart redraws at most a few times per second). Line traces listed in
//              the panel's canvas_lines are painted on a canvas over the plot instead: a restyle of their y costs
//              well under a millisecond where Plotly redraws the whole figure, every marker too, in tens. Plotly
//              keeps their legend entries and applies the rest of such a panel's updates (names, relayout) at
//              most once a second; the axes are fixed after the first draw and grow when a line leaves them.
//   "boundary" a Plotly figure for axes and points whose trace 0 (the heatmap) is painted instead on a canvas
//              under the plot area; update {grid: packed}. Repainting pixels costs well under a millisecond,
//              where a Plotly heatmap redraw costs tens.
//   "network"  a canvas drawing of the network: neuron thumbnails and weighted edges; update
//              {thumbs: [packed per neuron], weights: [flat]}.
// A packed grid is {b64, shape: [ny, nx], lo, hi}: one byte per cell, row 0 = lowest y.
// While playing, the component keeps one request for the next batch outstanding ({want: n, scene: version}),
// so the server never trains further ahead than the browser shows.
(function () {
  "use strict";
  const root = document.getElementById("root");
  const countersEl = document.getElementById("counters");
  const panelsEl = document.getElementById("panels");
  const PLOT_CONFIG = { displayModeBar: false, responsive: true, scrollZoom: false };
  const CURVE_REDRAW_MS = 250;
  const POSITIVE = [8, 119, 189], NEGATIVE = [245, 147, 34];

  let sceneVersion = null;
  let panels = {};           // name -> panel object {kind, div, ...}
  let queue = [];
  let lastSeq = null;
  let playing = false;
  let intervalMs = 66;
  let wantCounter = 0;
  let waitingSince = null;
  let framesApplied = 0;
  let batches = 0;
  let lastApplied = 0;
  let rtt = 600;             // smoothed request→batch round trip, ms
  let options = {};          // {draw: bool, selected: {kind, layer, j, i}} from the server
  let events = [];           // user actions not yet confirmed by the server: [{id, kind, ...}]
  let eventId = 0;
  const stats = { requests: [], arrivals: [], applied: [], cost: {} };
  window.__liveStats = stats;
  // Timing samples for tests and benchmarks: only the latest STATS_KEEP of each, so a tab left playing for
  // hours does not grow.
  const STATS_KEEP = 2000;
  function record(list, value) {
    list.push(value);
    if (list.length > STATS_KEEP) list.splice(0, list.length - STATS_KEEP);
  }
  function recordCost(name, value) {
    record(stats.cost[name] = stats.cost[name] || [], value);
  }
  // For tests and debugging: where each neuron of the network diagram is drawn, in the iframe's coordinates.
  window.__liveNeurons = () => {
    const p = panels.network, g = p && p.geometry;
    if (!g) return [];
    const rect = p.canvas.getBoundingClientRect();
    return g.positions.map((layer) => layer.map(([x, y]) => [rect.left + g.px(x), rect.top + g.py(y)]));
  };

  // ---- messaging ------------------------------------------------------------------------------------
  function send(type, extra) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, extra), "*");
  }
  function setValue(value) { send("streamlit:setComponentValue", { value: value, dataType: "json" }); }
  function setHeight() { send("streamlit:setFrameHeight", { height: document.body.scrollHeight + 4 }); }

  // ---- decoding -------------------------------------------------------------------------------------
  function unpackBytes(packed) {
    return Uint8Array.from(atob(packed.b64), (c) => c.charCodeAt(0));
  }
  function unpackRows(packed) {
    const bytes = unpackBytes(packed);
    const [ny, nx] = packed.shape;
    const span = (packed.hi - packed.lo) / 255;
    const rows = new Array(ny);
    for (let r = 0; r < ny; r++) {
      const row = new Array(nx);
      for (let c = 0; c < nx; c++) row[c] = packed.lo + bytes[r * nx + c] * span;
      rows[r] = row;
    }
    return rows;
  }
  function decode(value) {
    if (Array.isArray(value)) return value.map(decode);
    if (value && typeof value === "object") {
      if (typeof value.b64 === "string" && value.shape) return unpackRows(value);
      const out = {};
      for (const k of Object.keys(value)) out[k] = decode(value[k]);
      return out;
    }
    return value;
  }

  // ---- colour -----------------------------------------------------------------------------------------
  function parseColour(text) {
    if (Array.isArray(text)) return text;
    if (text.startsWith("#")) {
      const h = text.length === 4 ? text.replace(/#(.)(.)(.)/, "#$1$1$2$2$3$3") : text;
      return [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
    }
    const m = text.match(/\d+(\.\d+)?/g);
    return m ? m.slice(0, 3).map(Number) : [128, 128, 128];
  }
  // A 256-entry lookup table from a Plotly-style colourscale [[stop, colour], ...].
  function lookupTable(scale) {
    const stops = scale.map(([s, c]) => [s, parseColour(c)]);
    const lut = new Uint8ClampedArray(256 * 3);
    for (let i = 0; i < 256; i++) {
      const v = i / 255;
      let k = 0;
      while (k < stops.length - 2 && v > stops[k + 1][0]) k++;
      const [s0, c0] = stops[k], [s1, c1] = stops[Math.min(k + 1, stops.length - 1)];
      const f = s1 > s0 ? Math.min(Math.max((v - s0) / (s1 - s0), 0), 1) : 0;
      for (let ch = 0; ch < 3; ch++) lut[i * 3 + ch] = c0[ch] + (c1[ch] - c0[ch]) * f;
    }
    return lut;
  }
  // Paint a packed grid into an ImageData through a LUT; zmin/zmax map values onto the table.
  function paint(ctx, packed, lut, zmin, zmax, alpha) {
    const [ny, nx] = packed.shape;
    const bytes = unpackBytes(packed);
    const image = ctx.createImageData(nx, ny);
    const span = (packed.hi - packed.lo) / 255;
    const scale = zmax > zmin ? 255 / (zmax - zmin) : 0;
    const a = Math.round(alpha * 255);
    for (let r = 0; r < ny; r++) {
      const target = (ny - 1 - r) * nx;  // row 0 is the lowest y: draw it at the bottom
      for (let c = 0; c < nx; c++) {
        const value = packed.lo + bytes[r * nx + c] * span;
        const idx = Math.min(255, Math.max(0, Math.round((value - zmin) * scale))) * 3;
        const o = (target + c) * 4;
        image.data[o] = lut[idx]; image.data[o + 1] = lut[idx + 1]; image.data[o + 2] = lut[idx + 2];
        image.data[o + 3] = a;
      }
    }
    ctx.putImageData(image, 0, 0);
  }

  // ---- the network's forward pass, for hovering ----------------------------------------------------------
  const FEATURES = {
    x1: (a, b) => a, x2: (a, b) => b, x1_sq: (a, b) => a * a, x2_sq: (a, b) => b * b, x1_x2: (a, b) => a * b,
    sin_x1: (a, b) => Math.sin(a), sin_x2: (a, b) => Math.sin(b),
  };
  function erf(x) {  // Abramowitz–Stegun 7.1.26, |error| < 1.5e-7: plenty for a tooltip
    const t = 1 / (1 + 0.3275911 * Math.abs(x));
    const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
    return x >= 0 ? y : -y;
  }
  function activate(name, z, slope) {
    switch (name) {
      case "sigmoid": return z.map((v) => 1 / (1 + Math.exp(-v)));
      case "tanh": return z.map(Math.tanh);
      case "relu": return z.map((v) => Math.max(0, v));
      case "leaky_relu": case "prelu": return z.map((v) => (v > 0 ? v : slope * v));
      case "elu": return z.map((v) => (v > 0 ? v : Math.expm1(v)));
      case "softplus": return z.map((v) => (v > 30 ? v : Math.log1p(Math.exp(v))));
      case "gelu": return z.map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2)));
      case "swish": return z.map((v) => v / (1 + Math.exp(-v)));
      case "softmax": { const m = Math.max(...z); const e = z.map((v) => Math.exp(v - m));
                        const total = e.reduce((a, b) => a + b, 0); return e.map((v) => v / total); }
      default: return z.slice();
    }
  }
  // Activations of every layer for the input point (x1, x2): [[inputs...], [layer 1...], ..., [outputs...]].
  function forwardPass(net, x1, x2) {
    let a = net.features.map((f) => FEATURES[f](x1, x2));
    const layers = [a];
    let k = 0, kb = 0;
    for (let l = 0; l < net.sizes.length - 1; l++) {
      const z = [];
      for (let j = 0; j < net.sizes[l + 1]; j++) {
        let sum = net.biases[kb++];
        for (let i = 0; i < net.sizes[l]; i++) sum += net.weights[k++] * a[i];
        z.push(sum);
      }
      a = activate(net.activations[l], z, net.slopes[l]);
      layers.push(a);
    }
    return layers;
  }
  let hover = null;  // {x1, x2, layers} while the mouse is over the boundary plot

  // ---- panels -----------------------------------------------------------------------------------------
  function makePlotly(div, spec) {
    const fig = decode(spec.figure);
    const layout = Object.assign({}, fig.layout || {}, { autosize: true });
    Plotly.newPlot(div, fig.data || [], layout, PLOT_CONFIG);
    const panel = { kind: "plotly", div: div, pending: null, lastRedraw: 0, lines: null, slow: null, lastSlow: 0 };
    if ((spec.canvas_lines || []).length) takeOverLines(panel, fig.data, spec.canvas_lines);
    return panel;
  }

  // ---- line traces painted on a canvas over a Plotly figure (canvas_lines) ------------------------------------
  const SLOW_MS = 1000;
  const DASHES = { dash: [6, 4], dot: [2, 3], dashdot: [6, 3, 2, 3], longdash: [10, 4] };
  const ARRAY_TYPES = { f8: Float64Array, f4: Float32Array, i4: Int32Array, i2: Int16Array, i1: Int8Array,
                        u4: Uint32Array, u2: Uint16Array, u1: Uint8Array };
  function plainArray(value) {  // a list, or a Plotly typed array {dtype, bdata}
    if (value && typeof value.bdata === "string") {
      const type = ARRAY_TYPES[value.dtype];
      return type ? Array.from(new type(unpackBytes({ b64: value.bdata }).buffer)) : [];
    }
    return Array.from(value || []);
  }
  const axisName = (id) => id.replace(/^([xy])/, "$1axis");
  function takeOverLines(panel, data, indices) {
    const div = panel.div, full = div._fullLayout;
    panel.lines = {};
    for (const i of indices) {
      const trace = data[i], line = trace.line || {};
      panel.lines[i] = { x: plainArray(trace.x), y: plainArray(trace.y), xaxis: trace.xaxis || "x",
                         yaxis: trace.yaxis || "y", colour: line.color || "#444", width: line.width || 2,
                         dash: DASHES[line.dash] || [] };
    }
    // Fix every axis where Plotly's autorange put it (lines included), then empty the lines Plotly drew.
    const fixed = {};
    for (const name of Object.keys(full)) {
      if (/^[xy]axis\d*$/.test(name) && full[name].range) fixed[name + ".range"] = full[name].range.slice();
    }
    const empty = indices.map((i) => panel.lines[i].y.map(() => null));
    Plotly.update(div, { y: empty }, fixed, indices);
    const canvas = document.createElement("canvas");
    Object.assign(canvas.style, { position: "absolute", left: "0", top: "0", pointerEvents: "none" });
    div.style.position = "relative";
    div.appendChild(canvas);
    panel.canvas = canvas;
    div.on("plotly_afterplot", () => paintLines(panel));
    paintLines(panel);
  }
  function paintLines(panel) {
    const div = panel.div, full = div._fullLayout;
    if (!panel.lines || !full) return;
    const ratio = window.devicePixelRatio || 1, width = full.width, height = full.height, canvas = panel.canvas;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      Object.assign(canvas.style, { width: width + "px", height: height + "px" });
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const grow = {};
    for (const line of Object.values(panel.lines)) {
      const xname = axisName(line.xaxis), yname = axisName(line.yaxis), xa = full[xname], ya = full[yname];
      if (!xa || !ya || !xa.c2p || !ya.c2p) continue;
      ctx.save();
      ctx.beginPath();
      ctx.rect(xa._offset, ya._offset, xa._length, ya._length);
      ctx.clip();
      ctx.strokeStyle = line.colour;
      ctx.lineWidth = line.width;
      ctx.lineJoin = "round";
      ctx.setLineDash(line.dash);
      ctx.beginPath();
      let pen = false, lo = Infinity, hi = -Infinity;
      for (let k = 0; k < line.x.length; k++) {
        const v = line.y[k];
        if (v === null || v === undefined || !isFinite(v)) { pen = false; continue; }
        lo = Math.min(lo, v); hi = Math.max(hi, v);
        const px = xa._offset + xa.c2p(line.x[k]), py = ya._offset + ya.c2p(v);
        if (pen) ctx.lineTo(px, py); else ctx.moveTo(px, py);
        pen = true;
      }
      ctx.stroke();
      ctx.restore();
      const [r0, r1] = ya.range;
      if (lo < Math.min(r0, r1) || hi > Math.max(r0, r1)) {
        const g = grow[yname] || [Math.min(r0, r1), Math.max(r0, r1)];
        grow[yname] = [Math.min(g[0], lo), Math.max(g[1], hi)];
      }
    }
    // A line left its axis: widen the axis (with room to spare, so this stays rare).
    const names = Object.keys(grow);
    if (names.length && !panel.growing) {
      const update = {};
      for (const name of names) {
        const [r0, r1] = full[name].range, [lo, hi] = grow[name], pad = 0.1 * (hi - lo || 1);
        update[name + ".range"] = [lo < Math.min(r0, r1) ? lo - pad : Math.min(r0, r1),
                                   hi > Math.max(r0, r1) ? hi + pad : Math.max(r0, r1)];
      }
      panel.growing = true;
      Plotly.relayout(div, update).then(() => { panel.growing = false; }, () => { panel.growing = false; });
    }
  }
  // Apply a restyle/relayout to a panel with canvas lines: their y at once, everything else later (flushSlow).
  function applyToLines(panel, restyle, traces, relayout) {
    const slow = panel.slow || (panel.slow = { traces: {}, relayout: {} });
    Object.assign(slow.relayout, relayout || {});
    (traces || []).forEach((trace, k) => {
      for (const attr of Object.keys(restyle || {})) {
        const value = Array.isArray(restyle[attr]) ? restyle[attr][k] : restyle[attr];
        if (attr === "y" && panel.lines[trace]) panel.lines[trace].y = value;
        else (slow.traces[trace] = slow.traces[trace] || {})[attr] = value;
      }
    });
    paintLines(panel);
  }
  function flushSlow(panel) {
    const slow = panel.slow;
    panel.slow = null;
    const traces = Object.keys(slow.traces).map(Number);
    const attrs = [...new Set(traces.flatMap((i) => Object.keys(slow.traces[i])))];
    const restyle = {};
    for (const attr of attrs) {
      restyle[attr] = traces.map((i) => (attr in slow.traces[i] ? slow.traces[i][attr] : panel.div.data[i][attr]));
    }
    if (traces.length || Object.keys(slow.relayout).length) {
      Plotly.update(panel.div, restyle, slow.relayout, traces.length ? traces : undefined);
    }
  }

  function makeBoundary(div, spec) {
    const fig = spec.figure;
    const heat = fig.data[0];
    const rest = decode(fig.data.slice(1));
    const layout = Object.assign({}, decode(fig.layout || {}), {
      autosize: true, plot_bgcolor: "rgba(0,0,0,0)", paper_bgcolor: "rgba(0,0,0,0)", dragmode: false,
    });
    div.style.position = "relative";
    const canvas = document.createElement("canvas");
    canvas.className = "heat";
    canvas.style.position = "absolute";
    canvas.style.imageRendering = "auto";
    canvas.style.pointerEvents = "none";
    div.appendChild(canvas);
    const plotDiv = document.createElement("div");
    plotDiv.style.position = "relative";
    div.appendChild(plotDiv);
    Plotly.newPlot(plotDiv, rest, layout, PLOT_CONFIG);
    const panel = {
      kind: "boundary", div: plotDiv, canvas: canvas, lut: lookupTable(spec.colorscale),
      zmin: spec.zmin, zmax: spec.zmax, alpha: heat.opacity === undefined ? 0.85 : heat.opacity, grid: spec.grid,
    };
    const place = () => placeCanvas(panel);
    plotDiv.on("plotly_afterplot", place);
    plotDiv.addEventListener("click", (evt) => {
      if (!options.draw) return;
      const full = plotDiv._fullLayout, xa = full.xaxis, ya = full.yaxis;
      const box = plotDiv.getBoundingClientRect();
      const px = evt.clientX - box.left - xa._offset, py = evt.clientY - box.top - ya._offset;
      if (px < 0 || py < 0 || px > xa._length || py > ya._length) return;
      userEvent({ kind: "point", x: +xa.p2c(px).toFixed(2), y: +ya.p2c(py).toFixed(2) });
    });
    plotDiv.style.cursor = "default";
    const tip = document.createElement("div");
    tip.className = "hover-tip";
    div.appendChild(tip);
    panel.tip = tip;
    plotDiv.addEventListener("mousemove", (evt) => {
      const net = panels.network;
      const full = plotDiv._fullLayout;
      if (!net || !net.spec.features || !full) return;
      const xa = full.xaxis, ya = full.yaxis, box = plotDiv.getBoundingClientRect();
      const px = evt.clientX - box.left - xa._offset, py = evt.clientY - box.top - ya._offset;
      if (px < 0 || py < 0 || px > xa._length || py > ya._length) { clearHover(); return; }
      const x1 = xa.p2c(px), x2 = ya.p2c(py);
      const layers = forwardPass(net, x1, x2);
      hover = { x1: x1, x2: x2, layers: layers };
      const out = layers[layers.length - 1];
      const text = out.length === 1 ? out[0].toFixed(3) : out.map((v, c) => `${c}: ${v.toFixed(2)}`).join("  ");
      tip.textContent = `x₁ ${x1.toFixed(2)}, x₂ ${x2.toFixed(2)} → ${text}`;
      tip.style.display = "block";
      tip.style.left = (evt.clientX - div.getBoundingClientRect().left + 12) + "px";
      tip.style.top = (evt.clientY - div.getBoundingClientRect().top + 12) + "px";
      draw(net);
    });
    plotDiv.addEventListener("mouseleave", clearHover);
    place();
    if (spec.grid) paintBoundary(panel, spec.grid);
    return panel;
  }
  function clearHover() {
    if (!hover) return;
    hover = null;
    if (panels.boundary && panels.boundary.tip) panels.boundary.tip.style.display = "none";
    if (panels.network) draw(panels.network);
  }
  function placeCanvas(panel) {
    const full = panel.div._fullLayout;
    if (!full || !full.xaxis) return;
    const xa = full.xaxis, ya = full.yaxis;
    Object.assign(panel.canvas.style, {
      left: xa._offset + "px", top: ya._offset + "px", width: xa._length + "px", height: ya._length + "px",
    });
  }
  function paintBoundary(panel, packed) {
    const [ny, nx] = packed.shape;
    if (panel.canvas.width !== nx || panel.canvas.height !== ny) {
      panel.canvas.width = nx;
      panel.canvas.height = ny;
    }
    const auto = panel.zmin === null || panel.zmin === undefined;
    paint(panel.canvas.getContext("2d"), packed, panel.lut, auto ? packed.lo : panel.zmin,
          auto ? packed.hi : panel.zmax, panel.alpha);
  }

  // A titled canvas panel (network, curves, layer view).
  function titledCanvas(div, spec) {
    div.style.position = "relative";
    const title = document.createElement("div");
    title.className = "panel-title";
    title.textContent = spec.title || "";
    div.appendChild(title);
    const canvas = document.createElement("canvas");
    canvas.style.width = "100%";
    canvas.style.height = spec.height + "px";
    div.appendChild(canvas);
    return canvas;
  }
  // Size the backing store for the device pixel ratio; returns a cleared context in CSS pixels and the size.
  function canvasContext(canvas, height) {
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || 400;
    if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
    if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    return { ctx: ctx, width: width, height: height };
  }

  function makeNetwork(div, spec) {
    const canvas = titledCanvas(div, spec);
    const panel = {
      kind: "network", div: div, canvas: canvas, spec: spec, weights: spec.weights, thumbs: spec.thumbs,
      lut: lookupTable(spec.colorscale), images: [], biases: spec.biases || [], slopes: spec.slopes || [],
      sizes: spec.sizes, activations: spec.activations || [], features: spec.features || null,
    };
    canvas.addEventListener("click", (evt) => {
      const hit = hitNetwork(panel, evt);
      if (hit) userEvent(Object.assign({ kind: "select" }, hit));
    });
    canvas.style.cursor = "pointer";
    draw(panel);
    return panel;
  }
  function nodePositions(sizes) {
    const tallest = Math.max(...sizes);
    return sizes.map((n, layer) => {
      const gap = Math.min(0.5, (tallest * 0.5) / Math.max(n, 1));
      return Array.from({ length: n }, (_, j) => [layer, ((n - 1) / 2) * gap - j * gap]);
    });
  }
  // What a click on the network diagram hit: a neuron (its bias) or an edge (its weight).
  function hitNetwork(panel, evt) {
    const g = panel.geometry;
    if (!g) return null;
    const rect = panel.canvas.getBoundingClientRect();
    const mx = evt.clientX - rect.left, my = evt.clientY - rect.top;
    for (let layer = 1; layer < g.sizes.length; layer++) {
      for (let j = 0; j < g.sizes[layer]; j++) {
        const [x, y] = g.positions[layer][j];
        if (Math.abs(mx - g.px(x)) <= g.box / 2 && Math.abs(my - g.py(y)) <= g.box / 2) {
          return { target: "node", layer: layer - 1, j: j };
        }
      }
    }
    let best = null, bestDistance = 6;
    for (let layer = 0; layer < g.sizes.length - 1; layer++) {
      for (let j = 0; j < g.sizes[layer + 1]; j++) {
        for (let i = 0; i < g.sizes[layer]; i++) {
          const [x0, y0] = g.positions[layer][i], [x1, y1] = g.positions[layer + 1][j];
          const ax = g.px(x0) + g.box / 2, ay = g.py(y0), bx = g.px(x1) - g.box / 2, by = g.py(y1);
          const dx = bx - ax, dy = by - ay;
          const f = Math.max(0, Math.min(1, ((mx - ax) * dx + (my - ay) * dy) / (dx * dx + dy * dy || 1)));
          const d = Math.hypot(mx - (ax + f * dx), my - (ay + f * dy));
          if (d < bestDistance) { bestDistance = d; best = { target: "edge", layer: layer, j: j, i: i }; }
        }
      }
    }
    return best;
  }

  function thumbnail(panel, packed, zmin, zmax) {
    const off = document.createElement("canvas");
    off.width = packed.shape[1];
    off.height = packed.shape[0];
    paint(off.getContext("2d"), packed, panel.lut, zmin, zmax, 1);
    return off;
  }
  function draw(panel) {
    const spec = panel.spec;
    const { ctx, width, height } = canvasContext(panel.canvas, spec.height);
    const sizes = spec.sizes, positions = nodePositions(sizes);
    const tallest = Math.max(...sizes);
    const half = (tallest * 0.5) / 2 + spec.node;
    const left = 70, right = 16, top = 10, bottom = 10;
    const unitX = (width - left - right) / Math.max(sizes.length - 1 + spec.node, 1);
    const unitY = (height - top - bottom) / (2 * half);
    const unit = Math.min(unitX, unitY * 1.6);
    const px = (x) => left + (x + spec.node / 2) * unitX;
    const py = (y) => top + (half - y) * unitY;
    const box = spec.node * Math.min(unit, unitY * 1.1);
    panel.geometry = { positions: positions, px: px, py: py, box: box, sizes: sizes };
    // Edges: colour by sign, width by magnitude relative to the largest weight.
    let scale = 0;
    for (const w of panel.weights) scale = Math.max(scale, Math.abs(w));
    let k = 0;
    ctx.globalAlpha = 0.7;
    for (let layer = 0; layer < sizes.length - 1; layer++) {
      for (let j = 0; j < sizes[layer + 1]; j++) {
        for (let i = 0; i < sizes[layer]; i++) {
          const w = panel.weights[k++];
          const [x0, y0] = positions[layer][i], [x1, y1] = positions[layer + 1][j];
          const sel = options.selected;
          const chosen = sel && sel.kind === "edge" && sel.layer === layer && sel.j === j && sel.i === i;
          ctx.strokeStyle = chosen ? "#111" : w >= 0 ? `rgb(${POSITIVE})` : `rgb(${NEGATIVE})`;
          ctx.lineWidth = (scale > 0 ? 0.5 + 5 * Math.min(Math.abs(w) / scale, 1) : 0.5) + (chosen ? 2 : 0);
          ctx.beginPath();
          ctx.moveTo(px(x0) + box / 2, py(y0));
          ctx.lineTo(px(x1) - box / 2, py(y1));
          ctx.stroke();
        }
      }
    }
    ctx.globalAlpha = 1;
    // Thumbnails: inputs first, then every neuron; smooth scaling of tiny images.
    ctx.imageSmoothingEnabled = true;
    const grids = spec.inputs.concat(panel.thumbs);
    let n = 0;
    for (let layer = 0; layer < sizes.length; layer++) {
      for (let j = 0; j < sizes[layer]; j++) {
        const packed = grids[n];
        const isOutput = layer === sizes.length - 1;
        const fixed = isOutput && spec.task === "binary";
        const bound = Math.max(Math.abs(packed.lo), Math.abs(packed.hi), 1e-9);
        const image = thumbnail(panel, packed, fixed ? 0 : -bound, fixed ? 1 : bound);
        const [x, y] = positions[layer][j];
        ctx.drawImage(image, px(x) - box / 2, py(y) - box / 2, box, box);
        const sel = options.selected;
        const chosen = sel && sel.kind === "node" && sel.layer === layer - 1 && sel.j === j;
        ctx.strokeStyle = chosen ? "#111" : "#d0d3da";
        ctx.lineWidth = chosen ? 3 : 1;
        ctx.strokeRect(px(x) - box / 2, py(y) - box / 2, box, box);
        if (hover && spec.domain) {
          // The hovered input on this neuron's picture, and the neuron's value there.
          const [d0, d1] = spec.domain;
          const hx = px(x) - box / 2 + ((hover.x1 - d0) / (d1 - d0)) * box;
          const hy = py(y) + box / 2 - ((hover.x2 - d0) / (d1 - d0)) * box;
          ctx.strokeStyle = "#111"; ctx.lineWidth = 1.5;
          ctx.beginPath(); ctx.arc(hx, hy, 3, 0, 2 * Math.PI); ctx.stroke();
          const value = hover.layers[layer][j];
          ctx.fillStyle = "#111";
          ctx.font = "11px Inter, Helvetica, Arial, sans-serif";
          ctx.textAlign = "center"; ctx.textBaseline = "top";
          ctx.fillText(value.toFixed(2), px(x), py(y) + box / 2 + 2);
        }
        n++;
      }
    }
    ctx.fillStyle = "#262730";
    ctx.font = `${Math.max(11, Math.round(box * 0.32))}px Inter, Helvetica, Arial, sans-serif`;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    positions[0].forEach(([x, y], i) => ctx.fillText(spec.labels[i] || "", px(x) - box / 2 - 6, py(y)));
  }

  // Curves: a small canvas line chart (train solid, test dashed), redrawn in well under a millisecond.
  function makeCurves(div, spec) {
    const canvas = titledCanvas(div, spec);
    const panel = { kind: "curves", div: div, canvas: canvas, spec: spec,
                    series: spec.series.map((s) => Object.assign({}, s, { x: s.x.slice(), y: s.y.slice() })) };
    drawCurves(panel);
    return panel;
  }
  function niceTicks(lo, hi, count) {
    const span = hi - lo || Math.abs(hi) || 1;
    const raw = span / count, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) || 10 * mag;
    const ticks = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) ticks.push(+v.toPrecision(12));
    return ticks;
  }
  function formatTick(v, spec) {
    if (spec.percent) return Math.round(v * 100) + "%";
    if (spec.log_y) return v >= 1000 || v < 0.001 ? v.toExponential(0) : String(+v.toPrecision(2));
    return Math.abs(v) >= 1000 ? v.toExponential(1) : String(+v.toPrecision(3));
  }
  function drawCurves(panel) {
    const spec = panel.spec;
    const { ctx, width, height } = canvasContext(panel.canvas, spec.height);
    const font = spec.font || 12;
    const left = 54, right = 12, top = 22, bottom = 2 * font + 16;  // tick labels and the axis title fit below
    const w = width - left - right, h = height - top - bottom;
    const tf = (v) => (spec.log_y ? Math.log10(Math.max(v, 1e-12)) : v);
    let xmax = 1, ylo = Infinity, yhi = -Infinity;
    for (const s of panel.series) {
      for (let i = 0; i < s.x.length; i++) {
        if (s.y[i] === null || !isFinite(s.y[i])) continue;
        xmax = Math.max(xmax, s.x[i]);
        ylo = Math.min(ylo, tf(s.y[i]));
        yhi = Math.max(yhi, tf(s.y[i]));
      }
    }
    if (spec.y_range) { ylo = spec.y_range[0]; yhi = spec.y_range[1]; }
    if (!isFinite(ylo)) { ylo = 0; yhi = 1; }
    if (yhi - ylo < 1e-9) { yhi += 0.5; ylo -= 0.5; }
    const pad = spec.y_range ? 0 : (yhi - ylo) * 0.05;
    ylo -= pad; yhi += pad;
    const X = (v) => left + (v / xmax) * w;
    const Y = (v) => top + (1 - (tf(v) - ylo) / (yhi - ylo)) * h;
    ctx.font = `${font}px Inter, Helvetica, Arial, sans-serif`;
    ctx.fillStyle = "#6b6f7b";
    ctx.strokeStyle = "#e6e8ee";
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const yTicks = spec.log_y ? niceTicks(Math.ceil(ylo), Math.floor(yhi), 4).filter(Number.isInteger).map((e) => Math.pow(10, e))
                              : niceTicks(ylo, yhi, 4);
    for (const v of yTicks) {
      const y = Y(v);
      if (y < top - 1 || y > top + h + 1) continue;
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + w, y); ctx.stroke();
      ctx.fillText(formatTick(v, spec), left - 6, y);
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const v of niceTicks(0, xmax, 5)) ctx.fillText(String(v), X(v), top + h + 6);
    ctx.fillText(spec.x_label || "", left + w / 2, top + h + 6 + font + 2);
    for (const s of panel.series) {
      ctx.strokeStyle = s.colour;
      ctx.lineWidth = 2;
      ctx.setLineDash(s.dash ? [6, 4] : []);
      ctx.beginPath();
      let pen = false;
      for (let i = 0; i < s.x.length; i++) {
        const v = s.y[i];
        if (v === null || !isFinite(v)) { pen = false; continue; }
        if (pen) ctx.lineTo(X(s.x[i]), Y(v)); else ctx.moveTo(X(s.x[i]), Y(v));
        pen = true;
      }
      ctx.stroke();
    }
    ctx.setLineDash([]);
    // Legend, top right.
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    let lx = left + w;
    for (const s of panel.series.slice().reverse()) {
      const label = s.name || "";
      const tw = ctx.measureText(label).width;
      lx -= tw + 30;
      ctx.strokeStyle = s.colour; ctx.lineWidth = 2; ctx.setLineDash(s.dash ? [6, 4] : []);
      ctx.beginPath(); ctx.moveTo(lx, top - 12); ctx.lineTo(lx + 18, top - 12); ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = "#262730";
      ctx.fillText(label, lx + 22, top - 12);
    }
  }

  // Layer view: warped grid lines and data points in a hidden layer's space (already projected to 2-D).
  function makeLayer(div, spec) {
    const canvas = titledCanvas(div, spec);
    const panel = { kind: "layer", div: div, canvas: canvas, spec: spec, lines: spec.lines, points: spec.points };
    drawLayer(panel);
    return panel;
  }
  function drawLayer(panel) {
    const spec = panel.spec;
    const { ctx, width, height } = canvasContext(panel.canvas, spec.height);
    let lo = [Infinity, Infinity], hi = [-Infinity, -Infinity];
    const grow = (x, y) => { lo = [Math.min(lo[0], x), Math.min(lo[1], y)]; hi = [Math.max(hi[0], x), Math.max(hi[1], y)]; };
    for (const line of panel.lines) for (let k = 0; k < line.length; k += 2) grow(line[k], line[k + 1]);
    for (let k = 0; k < panel.points.length; k += 3) grow(panel.points[k], panel.points[k + 1]);
    const span = Math.max(hi[0] - lo[0], hi[1] - lo[1], 1e-6);
    const size = Math.min(width, height) - 24;
    const ox = (width - size) / 2, oy = (height - size) / 2;
    const X = (v) => ox + ((v - lo[0]) / span) * size;
    const Y = (v) => oy + size - ((v - lo[1]) / span) * size;
    ctx.strokeStyle = "rgba(90, 96, 110, 0.45)";
    ctx.lineWidth = 1;
    for (const line of panel.lines) {
      ctx.beginPath();
      for (let k = 0; k < line.length; k += 2) (k ? ctx.lineTo : ctx.moveTo).call(ctx, X(line[k]), Y(line[k + 1]));
      ctx.stroke();
    }
    const colours = spec.colours;
    for (let k = 0; k < panel.points.length; k += 3) {
      ctx.fillStyle = colours[panel.points[k + 2] % colours.length];
      ctx.beginPath();
      ctx.arc(X(panel.points[k]), Y(panel.points[k + 1]), 3.2, 0, 2 * Math.PI);
      ctx.fill();
    }
  }

  // ---- scene and frames -------------------------------------------------------------------------------
  function buildScene(scene) {
    for (const name of Object.keys(panels)) {
      const p = panels[name];
      if (p.kind === "plotly" || p.kind === "boundary") Plotly.purge(p.div);
    }
    panels = {};
    panelsEl.innerHTML = "";
    panelsEl.style.gridTemplateAreas = scene.grid;
    panelsEl.style.gridTemplateColumns = scene.columns;
    document.body.classList.toggle("presenter", !!scene.presenter);
    for (const spec of scene.panels) {
      const div = document.createElement("div");
      div.className = "panel";
      div.id = "panel-" + spec.name;
      div.style.gridArea = spec.area;
      panelsEl.appendChild(div);
      const kind = spec.kind || "plotly";
      panels[spec.name] = kind === "boundary" ? makeBoundary(div, spec)
        : kind === "network" ? makeNetwork(div, spec)
        : kind === "curves" ? makeCurves(div, spec)
        : kind === "layer" ? makeLayer(div, spec) : makePlotly(div, spec);
    }
    sceneVersion = scene.version;
    queue = [];
    if (scene.first_frame) showCounters(scene.first_frame);
    setHeight();
  }

  function mergeExtend(pending, update) {
    if (!pending) return { extend: { x: update.extend.x.map((a) => a.slice()), y: update.extend.y.map((a) => a.slice()) },
                           extend_traces: update.extend_traces };
    update.extend.x.forEach((a, i) => pending.extend.x[i].push(...a));
    update.extend.y.forEach((a, i) => pending.extend.y[i].push(...a));
    return pending;
  }
  function flushCurves(now, force) {
    for (const name of Object.keys(panels)) {
      const p = panels[name];
      if (p.kind === "plotly" && p.slow && (!playing || now - p.lastSlow >= SLOW_MS)) {
        flushSlow(p);
        p.lastSlow = now;
      }
      if (p.kind !== "plotly" || !p.pending) continue;
      if (!force && now - p.lastRedraw < CURVE_REDRAW_MS) continue;
      const t0 = performance.now();
      Plotly.extendTraces(p.div, p.pending.extend, p.pending.extend_traces);
      recordCost(name, performance.now() - t0);
      p.pending = null;
      p.lastRedraw = now;
    }
  }

  function applyPanel(panel, update) {
    if (panel.kind === "boundary") {
      if (update.grid) paintBoundary(panel, update.grid);
      else if (update.restyle) Plotly.update(panel.div, decode(update.restyle), {}, update.traces);
    } else if (panel.kind === "network") {
      if (update.thumbs) panel.thumbs = update.thumbs;
      if (update.weights) panel.weights = update.weights;
      if (update.biases) panel.biases = update.biases;
      if (update.slopes) panel.slopes = update.slopes;
      if (hover) hover.layers = forwardPass(panel, hover.x1, hover.x2);
      draw(panel);
    } else if (panel.kind === "layer") {
      if (update.lines) panel.lines = update.lines;
      if (update.points) panel.points = update.points;
      drawLayer(panel);
    } else if (panel.kind === "curves") {
      if (update.extend) {
        update.extend.x.forEach((xs, i) => panel.series[i].x.push(...xs));
        update.extend.y.forEach((ys, i) => panel.series[i].y.push(...ys));
        drawCurves(panel);
      }
    } else {
      if (panel.lines && (update.restyle || update.relayout)) {
        applyToLines(panel, decode(update.restyle || {}), update.traces, decode(update.relayout || {}));
      } else if (update.restyle || update.relayout) {
        Plotly.update(panel.div, decode(update.restyle || {}), decode(update.relayout || {}), update.traces);
      }
      if (update.extend) panel.pending = mergeExtend(panel.pending, update);
    }
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

  function keepCurvePoints(frame) {
    for (const name of Object.keys(frame.panels || {})) {
      const panel = panels[name], update = frame.panels[name];
      if (!panel || !update.extend) continue;
      if (panel.kind === "curves") {
        update.extend.x.forEach((xs, i) => panel.series[i].x.push(...xs));
        update.extend.y.forEach((ys, i) => panel.series[i].y.push(...ys));
      } else if (panel.kind === "plotly") {
        panel.pending = mergeExtend(panel.pending, update);
      }
    }
  }

  function applyFrame(frame, now) {
    for (const name of Object.keys(frame.panels || {})) {
      const t0 = performance.now();
      if (panels[name]) applyPanel(panels[name], frame.panels[name]);
      if (panels[name] && panels[name].kind !== "plotly") {  // plotly curve costs are counted when flushed
        recordCost(name, performance.now() - t0);
      }
    }
    showCounters(frame);
    framesApplied += 1;
    root.dataset.frames = String(framesApplied);
    record(stats.applied, now);
  }

  // Ask for enough snapshots to cover the measured round trip (plus margin), so playback never starves.
  function report() {
    const frames = Math.min(40, Math.max(6, Math.ceil((1.6 * rtt) / intervalMs)));
    setValue({ want: wantCounter, scene: sceneVersion, frames: frames, events: events });
  }
  function requestMore() {
    waitingSince = performance.now();
    record(stats.requests, waitingSince);
    wantCounter += 1;
    report();
  }
  // A click becomes an event; events stay in every report until the server says it has handled them.
  function userEvent(event) {
    eventId += 1;
    events.push(Object.assign({ id: Date.now() * 1000 + eventId }, event));
    events = events.slice(-50);
    report();
  }

  // setTimeout, not requestAnimationFrame: rAF is throttled in iframes the browser deems off-screen.
  function tick() {
    const now = performance.now();
    if (queue.length && now - lastApplied >= intervalMs - 2) {
      // Paused: show the newest state at once; playing: one snapshot per interval for even motion.
      if (playing) {
        applyFrame(queue.shift(), now);
      } else {
        // Show the newest picture and the newest counters at once; skipped pictures may go, curve points stay.
        const pending = queue.splice(0, queue.length);
        const pictures = pending.filter((f) => f.panels && Object.keys(f.panels).length);
        const picture = pictures.length ? pictures[pictures.length - 1] : null;
        for (const frame of pending) if (frame !== picture) keepCurvePoints(frame);
        if (picture) applyFrame(picture, now);
        const newest = pending[pending.length - 1];
        if (newest !== picture) showCounters(newest);
      }
      lastApplied = now;
    }
    flushCurves(now, !playing || queue.length === 0);
    if (playing) {
      const stale = waitingSince !== null && now - waitingSince > 3000; // a lost request must not stall play
      // Keep a request in flight while less than ~1.5 batches are queued: the round trip hides behind playback,
      // and a full queue stops asking, so the server never runs far ahead of the picture.
      const ahead = (queue.length * intervalMs) / Math.max(rtt, 1);
      if ((waitingSince === null || stale) && ahead < 1.5) requestMore();
    }
    window.setTimeout(tick, Math.max(4, intervalMs / 4));
  }

  function onRender(args) {
    if (args.scene && args.scene.version !== sceneVersion) buildScene(args.scene);
    if (args.seq !== lastSeq) {
      lastSeq = args.seq;
      batches += 1;
      root.dataset.batches = String(batches);
      queue.push(...(args.frames || []));
      const now = performance.now();
      record(stats.arrivals, [now, (args.frames || []).length]);
      if (waitingSince !== null && (args.frames || []).length) rtt = 0.7 * rtt + 0.3 * (now - waitingSince);
      waitingSince = null;
    }
    playing = !!args.playing;
    intervalMs = args.interval_ms || 66;
    const before = JSON.stringify(options.selected || null);
    options = args.options || {};
    const handled = options.handled || 0;
    events = events.filter((e) => e.id > handled);
    root.dataset.draw = options.draw ? "1" : "0";
    if (panels.boundary && panels.boundary.div) panels.boundary.div.style.cursor = options.draw ? "crosshair" : "default";
    if (JSON.stringify(options.selected || null) !== before && panels.network) draw(panels.network);
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
    for (const name of Object.keys(panels)) {
      const p = panels[name];
      if (p.kind === "network") draw(p);
      else if (p.kind === "curves") drawCurves(p);
      else if (p.kind === "layer") drawLayer(p);
      else Plotly.Plots.resize(p.div);
    }
  });
  send("streamlit:componentReady", { apiVersion: 1 });
  setHeight();
  tick();
})();
