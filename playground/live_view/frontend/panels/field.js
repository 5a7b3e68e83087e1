// The output over the input plane ("field", 2-D data) or along x ("fit", 1-D data), computed in the browser
// from the weights: a small image of the grid (≥100×100 cells) scaled up smoothly onto canvas.heat, with axes
// and the data points drawn once on a canvas above it. Hover shows the network's values at the pointer.
import { lookupTable, paintField, parseColour } from "../colour.js";
import { forwardPoint } from "../forward.js";
import { canvasContext, FONT, niceTicks } from "./common.js";
import { diamondPath, shapePath } from "../shapes.js";
import { COLOUR_BAR_SPACE, drawColourBar } from "./colourbar.js";

const MARGIN = { l: 44, r: 12, t: 6, b: 34 };

/** Axis text size: larger in presenter mode, where the margins grow with it so no label is clipped. */
export function axisFont() {
  return document.body.classList.contains("presenter") ? 17 : 12;
}

function stage(div, spec) {
  div.style.position = "relative";
  const title = document.createElement("div");
  title.className = "panel-title";
  title.textContent = spec.title || "";
  if (spec.title_colour) {  // Compare: a square in the run's curve colour ties its picture to its lines
    const mark = document.createElement("span");
    mark.textContent = "■ ";
    mark.style.color = spec.title_colour;
    title.prepend(mark);
  }
  div.appendChild(title);
  const box = document.createElement("div");
  Object.assign(box.style, { position: "relative", height: spec.height + "px", width: "100%" });
  div.appendChild(box);
  return box;
}

export function makeField(div, spec, view) {
  const box = stage(div, spec);
  const heat = document.createElement("canvas");
  heat.className = "heat";
  // Shown at 80 % over the page's white, as TensorFlow Playground does, so points of a region's own class stay
  // visible; the canvas's pixels hold the full colours.
  Object.assign(heat.style, { position: "absolute", left: "0", top: "0", opacity: "0.8" });
  const overlay = document.createElement("canvas");
  Object.assign(overlay.style, { position: "absolute", left: "0", top: "0", width: "100%", height: spec.height + "px" });
  box.appendChild(heat);
  box.appendChild(overlay);
  const tip = document.createElement("div");
  tip.className = "hover-tip";
  box.appendChild(tip);
  const small = document.createElement("canvas");
  const panel = {
    kind: "field", div: div, box: box, heat: heat, overlay: overlay, tip: tip, small: small, spec: spec,
    lut: lookupTable(spec.colorscale), classColours: spec.class_colours.map(parseColour), rect: null, range: null,
  };
  const toData = (evt) => {
    const r = panel.rect, b = overlay.getBoundingClientRect();
    if (!r) return null;
    const px = evt.clientX - b.left - r.x, py = evt.clientY - b.top - r.y;
    if (px < 0 || py < 0 || px > r.side || py > r.side) return null;
    const [d0, d1] = spec.domain;
    return [d0 + (px / r.side) * (d1 - d0), d0 + (1 - py / r.side) * (d1 - d0)];
  };
  overlay.addEventListener("click", (evt) => {
    if (!(view.options || {}).draw) return;
    const at = toData(evt);
    if (at) view.userEvent({ kind: "point", x: +at[0].toFixed(2), y: +at[1].toFixed(2) });
  });
  overlay.addEventListener("mousemove", (evt) => {
    const at = toData(evt);
    if (!at || !view.net) { clearHover(panel, view); return; }
    view.hover = { x1: at[0], x2: at[1], layers: forwardPoint(view.net, at[0], at[1]) };
    showTip(panel, view, evt);
    view.redrawNetwork();
  });
  overlay.addEventListener("mouseleave", () => clearHover(panel, view));
  layoutField(panel);
  return panel;
}

function showTip(panel, view, evt) {
  const h = view.hover, out = h.layers[h.layers.length - 1];
  const label = panel.spec.label;
  const text = label !== undefined ? `${panel.spec.label_name}: ${out[label].toFixed(3)}`  // a multi-label picture
    : out.length === 1 ? out[0].toFixed(3) : out.map((v, c) => `${c}: ${v.toFixed(2)}`).join("  ");
  panel.tip.textContent = `x₁ ${h.x1.toFixed(2)}, x₂ ${h.x2.toFixed(2)} → ${text}`;
  panel.tip.style.display = "block";
  if (evt) {
    const b = panel.box.getBoundingClientRect();
    panel.tip.style.left = (evt.clientX - b.left + 12) + "px";
    panel.tip.style.top = (evt.clientY - b.top + 12) + "px";
  }
}

function clearHover(panel, view) {
  if (!view.hover) return;
  view.hover = null;
  panel.tip.style.display = "none";
  view.redrawNetwork();
}

/** Place the square plot area and redraw the axes and points (on scene changes and resizes only). */
export function layoutField(panel) {
  const spec = panel.spec;
  const { ctx, width, height } = canvasContext(panel.overlay, spec.height);
  const font = axisFont(), grow = 2 * (font - 12);
  const bar = spec.z_range ? COLOUR_BAR_SPACE : 0;  // a fixed colour range gets a colour bar (Regression lab)
  const m = { l: MARGIN.l + grow, r: MARGIN.r + bar, t: MARGIN.t, b: MARGIN.b + grow };
  const side = Math.max(40, Math.min(width - m.l - m.r, height - m.t - m.b));
  const x = m.l + Math.max(0, (width - m.l - m.r - side) / 2), y = m.t;
  panel.rect = { x: x, y: y, side: side };
  const ratio = window.devicePixelRatio || 1;
  Object.assign(panel.heat.style, { left: x + "px", top: y + "px", width: side + "px", height: side + "px" });
  const backing = Math.round(side * ratio);
  if (panel.heat.width !== backing) { panel.heat.width = backing; panel.heat.height = backing; }
  const [d0, d1] = spec.domain;
  const X = (v) => x + ((v - d0) / (d1 - d0)) * side, Y = (v) => y + side - ((v - d0) / (d1 - d0)) * side;
  ctx.strokeStyle = "#d0d3da";
  ctx.lineWidth = 1;
  ctx.strokeRect(x - 0.5, y - 0.5, side + 1, side + 1);
  ctx.font = `${font}px ${FONT}`;
  ctx.fillStyle = "#6b6f7b";
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  for (const v of niceTicks(d0, d1, 5)) ctx.fillText(String(v), X(v), y + side + 4);
  ctx.fillText("x₁", x + side / 2, y + side + 6 + font);
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  for (const v of niceTicks(d0, d1, 5)) ctx.fillText(String(v), x - 5, Y(v));
  ctx.save(); ctx.translate(font, y + side / 2); ctx.rotate(-Math.PI / 2); ctx.textAlign = "center";
  ctx.fillText("x₂", 0, 0); ctx.restore();
  drawPoints(ctx, panel, X, Y);
  if (bar) drawColourBar(ctx, panel.lut, spec.z_range[0], spec.z_range[1], x + side, y, side, font);
}

export function pointColour(panel, value) {
  if (panel.spec.task !== "regression") {
    const c = panel.classColours[Math.round(value) % panel.classColours.length];
    return `rgb(${c[0]},${c[1]},${c[2]})`;
  }
  const [lo, hi] = panel.spec.value_range || [0, 1];
  const idx = Math.min(255, Math.max(0, Math.round(((value - lo) / (hi - lo || 1)) * 255))) * 3;
  return `rgb(${panel.lut[idx]},${panel.lut[idx + 1]},${panel.lut[idx + 2]})`;
}

/**
 * Every data point of the panel as a marker path (shapes.js: class 0 a circle, 1 a square, 2 a triangle, ...;
 * regression values are circles), with the canvas coordinates ``X``, ``Y``: what the screen and the SVG
 * download draw. ``set`` is "train" (filled), "test" (hollow) or "synthetic" (hollow diamond).
 */
export function pointMarkers(panel, X, Y) {
  const spec = panel.spec, classes = spec.task !== "regression", markers = [];
  const lists = { train: spec.train_points || [], test: spec.test_points || [],
                  synthetic: spec.synthetic_points || [] };
  for (const [set, list] of Object.entries(lists)) {
    for (let k = 0; k < list.length; k += 3) {
      const cx = X(list[k]), cy = Y(list[k + 1]), value = list[k + 2];
      const d = set === "synthetic" ? diamondPath(cx, cy, 4.5)
        : shapePath(classes ? value : 0, cx, cy, set === "test" ? 3.8 : 3.5);
      markers.push({ set: set, d: d, colour: pointColour(panel, value), label: classes ? Math.round(value) : null });
    }
  }
  return markers;
}

function drawPoints(ctx, panel, X, Y) {
  ctx.save();
  ctx.beginPath(); ctx.rect(panel.rect.x, panel.rect.y, panel.rect.side, panel.rect.side); ctx.clip();
  for (const marker of pointMarkers(panel, X, Y)) {
    const path = new Path2D(marker.d);
    if (marker.set === "train") {
      ctx.fillStyle = marker.colour; ctx.strokeStyle = "white"; ctx.lineWidth = 1.2;
      ctx.fill(path); ctx.stroke(path);
    } else if (marker.set === "test") {  // hollow shapes: a dark rim around the class colour
      ctx.strokeStyle = "rgba(40, 40, 40, 0.5)"; ctx.lineWidth = 3.4; ctx.stroke(path);
      ctx.strokeStyle = marker.colour; ctx.lineWidth = 2; ctx.stroke(path);
    } else {
      ctx.strokeStyle = marker.colour; ctx.lineWidth = 2; ctx.stroke(path);
    }
  }
  ctx.restore();
}

/** Paint the network's output over the grid (view.layers, computed once per frame) onto canvas.heat.
 * A multi-label picture (spec.label = j) paints output unit j's sigmoid alone, as a binary output is painted. */
export function paintFieldPanel(panel, view) {
  const g = view.grid, k = view.net.sizes[view.net.sizes.length - 1];
  const label = panel.spec.label, all = view.layers[view.layers.length - 1];
  const out = label !== undefined ? all.subarray(label) : all;  // unit j of cell p sits at p·k + j
  if (panel.small.width !== g.nx || panel.small.height !== g.ny) {
    panel.small.width = g.nx; panel.small.height = g.ny;
    panel.image = panel.small.getContext("2d").createImageData(g.nx, g.ny);
  }
  panel.range = paintField(panel.image.data, out, g.nx, k, label !== undefined ? "binary" : panel.spec.task,
                           { lut: panel.lut, classColours: panel.classColours, range: panel.spec.z_range });
  panel.small.getContext("2d").putImageData(panel.image, 0, 0);
  const ctx = panel.heat.getContext("2d");
  // Bilinear, as TensorFlow Playground's CSS-scaled canvas: smooth edges from 100×100 cells, and ~1.5 ms a frame less
  // of the page's main thread than "high" (a bicubic filter, rasterised in software on every painted frame).
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "low";
  ctx.drawImage(panel.small, 0, 0, panel.heat.width, panel.heat.height);
  if (view.hover) {
    view.hover.layers = forwardPoint(view.net, view.hover.x1, view.hover.x2);
    showTip(panel, view, null);
  }
}

// ---- 1-D data: the fitted curve over the points ----------------------------------------------------------
export function makeFit(div, spec, view) {
  const box = stage(div, spec);
  const canvas = document.createElement("canvas");
  canvas.className = "heat";  // the live picture, found the same way as the 2-D heatmap
  Object.assign(canvas.style, { width: "100%", height: spec.height + "px", display: "block" });
  box.appendChild(canvas);
  return { kind: "fit", div: div, canvas: canvas, spec: spec };
}

/** Where the fit's plot goes in a ``width`` × ``height`` picture, and the data → pixel maps (screen and SVG). */
export function fitFrame(spec, width, height) {
  const font = axisFont(), grow = 2 * (font - 12);
  const l = 48 + grow, r = 12, t = 8, b = 36 + grow, w = width - l - r, h = height - t - b;
  const [x0, x1] = spec.x_range, [y0, y1] = spec.y_range;
  return { font, l, t, w, h, x0, x1, y0, y1,
           X: (v) => l + ((v - x0) / (x1 - x0)) * w, Y: (v) => t + (1 - (v - y0) / (y1 - y0)) * h };
}

export function paintFit(panel, view) {
  const spec = panel.spec;
  const { ctx, width, height } = canvasContext(panel.canvas, spec.height);
  const { font, l, t, w, h, x0, x1, y0, y1, X, Y } = fitFrame(spec, width, height);
  const xs = view.grid.xs, ys = view.layers[view.layers.length - 1];
  ctx.strokeStyle = "#e6e8ee"; ctx.lineWidth = 1;
  ctx.font = `${font}px ${FONT}`; ctx.fillStyle = "#6b6f7b";
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  for (const v of niceTicks(y0, y1, 5)) {
    ctx.beginPath(); ctx.moveTo(l, Y(v)); ctx.lineTo(l + w, Y(v)); ctx.stroke(); ctx.fillText(String(v), l - 6, Y(v));
  }
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  for (const v of niceTicks(x0, x1, 6)) ctx.fillText(String(v), X(v), t + h + 4);
  ctx.fillText("x", l + w / 2, t + h + 6 + font);
  ctx.save(); ctx.beginPath(); ctx.rect(l, t, w, h); ctx.clip();
  const train = spec.train_points || [], test = spec.test_points || [];
  ctx.fillStyle = spec.point_colour; ctx.strokeStyle = "white";
  for (let k = 0; k < train.length; k += 2) {
    ctx.beginPath(); ctx.arc(X(train[k]), Y(train[k + 1]), 3.2, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
  }
  ctx.strokeStyle = "#333"; ctx.lineWidth = 1.8;
  for (let k = 0; k < test.length; k += 2) {
    ctx.beginPath(); ctx.arc(X(test[k]), Y(test[k + 1]), 3.4, 0, 2 * Math.PI); ctx.stroke();
  }
  ctx.strokeStyle = spec.curve_colour; ctx.lineWidth = 3; ctx.lineJoin = "round";
  ctx.beginPath();
  for (let i = 0; i < xs.length; i++) (i ? ctx.lineTo : ctx.moveTo).call(ctx, X(xs[i]), Y(ys[i]));
  ctx.stroke();
  ctx.restore();
}
