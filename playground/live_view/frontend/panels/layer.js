// Layer view: warped grid lines and data points in a hidden layer's space (already projected to 2-D).
import { canvasContext, titledCanvas } from "./common.js";
import { shapePath } from "../shapes.js";

export function makeLayer(div, spec) {
  const canvas = titledCanvas(div, spec);
  const panel = { kind: "layer", div: div, canvas: canvas, spec: spec, lines: spec.lines, points: spec.points };
  drawLayer(panel);
  return panel;
}

export function updateLayer(panel, update) {
  if (update.lines) panel.lines = update.lines;
  if (update.points) panel.points = update.points;
  drawLayer(panel);
}

export function drawLayer(panel) {
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
    ctx.fill(new Path2D(shapePath(panel.points[k + 2], X(panel.points[k]), Y(panel.points[k + 1]), 3.2)));
  }
}
