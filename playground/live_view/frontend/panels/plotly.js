// Plotly-backed panels (the Regression lab's 1-D fit and decomposition and its 3-D surface, figures built on the
// server, their values computed in the browser): a figure kept mounted and updated in place, line traces painted
// on a canvas over it (canvas_lines). Plotly itself (4.8 MB) is loaded only when a scene has such a panel (see
// main.js): the Playground and Compare never load it.
//
//   "plotly"   update {restyle, traces, relayout} or {extend, extend_traces} (batched redraws)
import { plainArray } from "../decode.js";

/* global Plotly */
const PLOT_CONFIG = { displayModeBar: false, responsive: true, scrollZoom: false };
export const CURVE_REDRAW_MS = 250;

export function makePlotly(div, spec) {
  const fig = spec.figure;
  const layout = Object.assign({}, fig.layout || {}, { autosize: true });
  Plotly.newPlot(div, fig.data || [], layout, PLOT_CONFIG);
  const panel = { kind: "plotly", div: div, pending: null, lastRedraw: 0, lines: null, slow: null, lastSlow: 0 };
  if ((spec.canvas_lines || []).length) takeOverLines(panel, fig.data, spec.canvas_lines);
  return panel;
}

// ---- line traces painted on a canvas over a Plotly figure (canvas_lines) ------------------------------------
const SLOW_MS = 1000;
const DASHES = { dash: [6, 4], dot: [2, 3], dashdot: [6, 3, 2, 3], longdash: [10, 4] };
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
export function applyToLines(panel, restyle, traces, relayout) {
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

export function mergeExtend(pending, update) {
  if (!pending) return { extend: { x: update.extend.x.map((a) => a.slice()), y: update.extend.y.map((a) => a.slice()) },
                         extend_traces: update.extend_traces };
  update.extend.x.forEach((a, i) => pending.extend.x[i].push(...a));
  update.extend.y.forEach((a, i) => pending.extend.y[i].push(...a));
  return pending;
}
export function flushCurves(panels, now, force, playing, recordCost) {
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


/** Apply one frame's update to a Plotly-backed panel. */
export function applyPlotly(panel, update) {
  if (panel.lines && (update.restyle || update.relayout)) {
    applyToLines(panel, update.restyle || {}, update.traces, update.relayout || {});
  } else if (update.restyle || update.relayout) {
    Plotly.update(panel.div, update.restyle || {}, update.relayout || {}, update.traces);
  }
  if (update.extend) panel.pending = mergeExtend(panel.pending, update);
}

export function resizePlotly(panel) { Plotly.Plots.resize(panel.div); }
export function purgePlotly(panel) { Plotly.purge(panel.div); }
