// The network diagram: every neuron's picture (its activation over the input plane, computed in the browser from
// the weights) and the weighted edges; click a neuron or an edge to edit it, hover the plane to see values.
import { lookupTable, paintUnit } from "../colour.js";
import { canvasContext, FONT, titledCanvas } from "./common.js";

const POSITIVE = [8, 119, 189], NEGATIVE = [245, 147, 34];

/** An edge's colour: the palette's class-1 colour for a positive weight, class 0's for a negative one. */
export function edgeColour(spec, w) {
  const [negative, positive] = spec.edge_colours || [`rgb(${NEGATIVE})`, `rgb(${POSITIVE})`];
  return w >= 0 ? positive : negative;
}

/** An edge's width: by magnitude relative to the largest weight ``scale``. */
export function edgeWidth(w, scale) {
  return scale > 0 ? 0.5 + 5 * Math.min(Math.abs(w) / scale, 1) : 0.5;
}

export function makeNetwork(div, spec, view) {
  const canvas = titledCanvas(div, spec);
  const panel = { kind: "network", div: div, canvas: canvas, spec: spec, lut: lookupTable(spec.colorscale),
                  images: [], geometry: null };
  canvas.addEventListener("click", (evt) => {
    const hit = hitNetwork(panel, evt);
    if (hit) view.userEvent(Object.assign({ kind: "select" }, hit));
  });
  canvas.style.cursor = "pointer";
  return panel;
}

function nodePositions(sizes) {
  const tallest = Math.max(...sizes);
  return sizes.map((n) => {
    const gap = Math.min(0.5, (tallest * 0.5) / Math.max(n, 1));
    return Array.from({ length: n }, (_, j) => [0, ((n - 1) / 2) * gap - j * gap]);
  }).map((layer, l) => layer.map(([, y]) => [l, y]));
}

/** What a click on the diagram hit: a neuron (its bias) or an edge (its weight). */
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

/** The picture of unit ``j`` of layer ``layer`` from the grid activations, on a small reusable canvas. */
function unitImage(panel, view, index, layer, j) {
  const values = view.layers[layer], units = view.net.sizes[layer], g = view.grid;
  const isOutput = layer === view.net.sizes.length - 1;
  let lo, hi;
  if (isOutput && ["binary", "multiclass", "multilabel"].includes(view.spec.task)) {
    lo = 0; hi = 1;
  } else {
    let bound = 1e-9;
    for (let p = 0; p < g.rows; p += g.stride) bound = Math.max(bound, Math.abs(values[p * units + j]) || 0);
    lo = -bound; hi = bound;
  }
  const cols = Math.ceil(g.nx / g.thumbStride), rows = Math.ceil(g.ny / g.thumbStride);
  let image = panel.images[index];
  if (!image || image.width !== cols || image.height !== rows) {
    image = panel.images[index] = document.createElement("canvas");
    image.width = cols; image.height = rows;
    image.data = image.getContext("2d").createImageData(cols, rows);
  }
  paintUnit(image.data.data, values, units, j, g.nx, g.ny, g.thumbStride, panel.lut, lo, hi);
  image.getContext("2d").putImageData(image.data, 0, 0);
  return image;
}

export function drawNetwork(panel, view) {
  const spec = panel.spec, options = view.options || {}, net = view.net;
  if (!net || !view.layers) return;
  const { ctx, width, height } = canvasContext(panel.canvas, spec.height);
  const sizes = net.sizes, positions = nodePositions(sizes);
  const tallest = Math.max(...sizes);
  const half = (tallest * 0.5) / 2 + spec.node;
  const left = 70, right = spec.output_labels ? 96 : 16, top = 10, bottom = 14;  // room for the labels' names
  const unitX = (width - left - right) / Math.max(sizes.length - 1 + spec.node, 1);
  const unitY = (height - top - bottom) / (2 * half);
  const unit = Math.min(unitX, unitY * 1.6);
  const px = (x) => left + (x + spec.node / 2) * unitX;
  const py = (y) => top + (half - y) * unitY;
  const box = spec.node * Math.min(unit, unitY * 1.1);
  panel.geometry = { positions: positions, px: px, py: py, box: box, sizes: sizes };
  // Edges: colour by sign, width by magnitude relative to the largest weight.
  let scale = 0;
  for (const W of net.weights) for (let k = 0; k < W.length; k++) scale = Math.max(scale, Math.abs(W[k]));
  const sel = options.selected;
  ctx.globalAlpha = 0.7;
  for (let layer = 0; layer < sizes.length - 1; layer++) {
    const W = net.weights[layer];
    for (let j = 0; j < sizes[layer + 1]; j++) {
      for (let i = 0; i < sizes[layer]; i++) {
        const w = W[j * sizes[layer] + i];
        const [x0, y0] = positions[layer][i], [x1, y1] = positions[layer + 1][j];
        const chosen = sel && sel.kind === "edge" && sel.layer === layer && sel.j === j && sel.i === i;
        ctx.strokeStyle = chosen ? "#111" : edgeColour(spec, w);
        ctx.lineWidth = edgeWidth(w, scale) + (chosen ? 2 : 0);
        ctx.beginPath();
        ctx.moveTo(px(x0) + box / 2, py(y0));
        ctx.lineTo(px(x1) - box / 2, py(y1));
        ctx.stroke();
      }
    }
  }
  ctx.globalAlpha = 1;
  // Pictures: the inputs, then every neuron, smoothly scaled up from the grid the browser computed.
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  const hover = view.hover;
  let n = 0;
  for (let layer = 0; layer < sizes.length; layer++) {
    for (let j = 0; j < sizes[layer]; j++) {
      const image = unitImage(panel, view, n, layer, j);
      const [x, y] = positions[layer][j];
      ctx.drawImage(image, px(x) - box / 2, py(y) - box / 2, box, box);
      const chosen = sel && sel.kind === "node" && sel.layer === layer - 1 && sel.j === j;
      ctx.strokeStyle = chosen ? "#111" : "#d0d3da";
      ctx.lineWidth = chosen ? 3 : 1;
      ctx.strokeRect(px(x) - box / 2, py(y) - box / 2, box, box);
      if (hover && view.spec.domain) {
        // The hovered input on this neuron's picture, and the neuron's value there.
        const [d0, d1] = view.spec.domain;
        const hx = px(x) - box / 2 + ((hover.x1 - d0) / (d1 - d0)) * box;
        const hy = view.grid.ny > 1 ? py(y) + box / 2 - ((hover.x2 - d0) / (d1 - d0)) * box : py(y);
        ctx.strokeStyle = "#111"; ctx.lineWidth = 1.5;
        ctx.beginPath(); ctx.arc(hx, hy, 3, 0, 2 * Math.PI); ctx.stroke();
        ctx.fillStyle = "#111";
        ctx.font = `11px ${FONT}`;
        ctx.textAlign = "center"; ctx.textBaseline = "top";
        ctx.fillText(hover.layers[layer][j].toFixed(2), px(x), py(y) + box / 2 + 2);
      }
      n++;
    }
  }
  ctx.fillStyle = "#262730";
  ctx.font = `${Math.max(11, Math.round(box * 0.3))}px ${FONT}`;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  positions[0].forEach(([x, y], i) => ctx.fillText(spec.labels[i] || "", px(x) - box / 2 - 6, py(y)));
  if (spec.output_labels) drawOutputLabels(ctx, spec.output_labels, positions[sizes.length - 1], px, py, box);
}

/** Where each neuron is drawn, in the iframe's coordinates (tests and debugging). */
export function neuronPositions(panel) {
  const g = panel && panel.geometry;
  if (!g) return [];
  const rect = panel.canvas.getBoundingClientRect();
  return g.positions.map((layer) => layer.map(([x, y]) => [rect.left + g.px(x), rect.top + g.py(y)]));
}

/** A multi-label network's output units are its labels: each one's name to the right of its picture. */
function drawOutputLabels(ctx, names, outputs, px, py, box) {
  ctx.font = `12px ${FONT}`;
  ctx.fillStyle = "#262730";
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  outputs.forEach(([x, y], j) => ctx.fillText(names[j] || "", px(x) + box / 2 + 5, py(y), 90));
}
