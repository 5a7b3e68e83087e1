// Curves: a small canvas line chart (train solid, test dashed), redrawn in well under a millisecond.
import { canvasContext, FONT, niceTicks, titledCanvas } from "./common.js";

export function makeCurves(div, spec) {
  const canvas = titledCanvas(div, spec);
  const panel = { kind: "curves", div: div, canvas: canvas, spec: spec, dirty: false,
                  series: spec.series.map((s) => Object.assign({}, s, { x: s.x.slice(), y: s.y.slice() })) };
  drawCurves(panel);
  return panel;
}

/** Append a frame's new points ({extend: {x: [[...]], y: [[...]]}}) without drawing. */
export function extendCurves(panel, update) {
  if (!update || !update.extend) return;
  update.extend.x.forEach((xs, i) => panel.series[i] && panel.series[i].x.push(...xs));
  update.extend.y.forEach((ys, i) => panel.series[i] && panel.series[i].y.push(...ys));
  panel.dirty = true;
}

function formatTick(v, spec) {
  if (spec.percent) return Math.round(v * 100) + "%";
  if (spec.log_y) return v >= 1000 || v < 0.001 ? v.toExponential(0) : String(+v.toPrecision(2));
  return Math.abs(v) >= 1000 ? v.toExponential(1) : String(+v.toPrecision(3));
}

export function drawCurves(panel) {
  panel.dirty = false;
  const spec = panel.spec;
  const { ctx, width, height } = canvasContext(panel.canvas, spec.height);
  const font = spec.font || 12;
  const left = 54, right = 12, top = 22, bottom = 30 + font;
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
  ctx.font = `${font}px ${FONT}`;
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
  // Epochs are whole numbers: before the first epoch the axis would otherwise read 0, 0.2, ... 1.
  for (const v of niceTicks(0, xmax, 5).filter(Number.isInteger)) ctx.fillText(String(v), X(v), top + h + 6);
  ctx.fillText(spec.x_label || "", left + w / 2, top + h + 8 + font);
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
