// The Regression lab's 2-D decomposition, computed in the browser from the parameters a frame carries: one small
// picture of each hidden unit's term w_j·a_j(x₁, x₂) (the first ``spec.shown``), then their sum plus the bias,
// which is the prediction ŷ (the same numbers as core/labs/regression.py's decompose and figures_regression.
// decomposition_grid_panels). Every picture shares one symmetric colour range [−limit, limit], so a pale picture
// is a small term.
import { lookupTable, paintUnit } from "../colour.js";

/**
 * The pictures' values: the first ``shown`` terms w_j·a_j over the grid, then Σ_j w_j·a_j + b over every unit.
 * @param {Float64Array[]} layers every layer's activations over the grid (forward.js forwardLayers)
 * @param {{sizes: number[], weights: Float64Array[], biases: Float64Array[]}} net
 * @param {number} rows grid cells
 * @param {number} shown how many neurons get a picture
 * @returns {{pictures: Float64Array[], limit: number, weights: number[], bias: number}}
 */
export function termGrids(layers, net, rows, shown) {
  const hidden = layers[layers.length - 2], units = net.sizes[net.sizes.length - 2];
  const w = net.weights[net.weights.length - 1], bias = net.biases[net.biases.length - 1][0];
  const n = Math.min(units, shown), pictures = [], total = new Float64Array(rows).fill(bias);
  for (let j = 0; j < units; j++) {
    const term = j < n ? new Float64Array(rows) : null;
    for (let r = 0; r < rows; r++) {
      const v = hidden[r * units + j] * w[j];
      total[r] += v;
      if (term) term[r] = v;
    }
    if (term) pictures.push(term);
  }
  pictures.push(total);
  let limit = 0;
  for (const picture of pictures) {
    for (let r = 0; r < rows; r++) if (Number.isFinite(picture[r])) limit = Math.max(limit, Math.abs(picture[r]));
  }
  return { pictures: pictures, limit: limit || 1, weights: Array.from(w.subarray(0, n)), bias: bias };
}

/** A number as Python's format spec "+.2f" writes it: "+0.50", "-1.25". */
export function signed(value) {
  return (value >= 0 ? "+" : "") + value.toFixed(2);
}

/** The picture titles: the server's templates ("n1: w = {weight}", ..., "sum + b ({bias}) = ŷ") filled in. */
export function termTitles(templates, weights, bias) {
  return templates.map((text, i) => (i < weights.length ? text.replace("{weight}", signed(weights[i]))
    : text.replace("{bias}", signed(bias))));
}

export function makeTerms(div, spec) {
  const title = document.createElement("div");
  title.className = "panel-title";
  title.textContent = spec.title || "";
  div.appendChild(title);
  const grid = document.createElement("div");
  const columns = Math.min(spec.titles.length, 3);  // three across keeps each picture about square in half a page
  Object.assign(grid.style, { display: "grid", gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`,
                              gap: "6px 10px" });
  div.appendChild(grid);
  const cells = spec.titles.map(() => {
    const cell = document.createElement("div");
    const caption = document.createElement("div");
    Object.assign(caption.style, { font: "11px Inter, Helvetica, Arial, sans-serif", color: "#444",
                                   textAlign: "center", whiteSpace: "nowrap", overflow: "hidden" });
    const canvas = document.createElement("canvas");
    canvas.className = "term";
    Object.assign(canvas.style, { width: "100%", aspectRatio: "1", display: "block", imageRendering: "auto" });
    cell.append(caption, canvas);
    grid.appendChild(cell);
    return { caption: caption, canvas: canvas };
  });
  const lut = lookupTable(spec.colorscale);
  return { kind: "terms", div: div, spec: spec, cells: cells, small: document.createElement("canvas"),
           lut: lut, limit: null, key: colourKey(div, lut) };
}

/** The shared colour range under the pictures: −limit, a strip of the scale, +limit (labels set per frame). */
function colourKey(div, lut) {
  const row = document.createElement("div");
  row.className = "terms-key";
  Object.assign(row.style, { display: "flex", alignItems: "center", gap: "6px", marginTop: "8px",
                             font: "11px Inter, Helvetica, Arial, sans-serif", color: "#6b6f7b" });
  const low = document.createElement("span"), high = document.createElement("span");
  const strip = document.createElement("canvas");
  strip.width = 256; strip.height = 1;
  Object.assign(strip.style, { width: "40%", height: "10px", border: "1px solid #d0d3da" });
  const image = strip.getContext("2d").createImageData(256, 1);
  for (let i = 0; i < 256; i++) {
    for (let ch = 0; ch < 3; ch++) image.data[4 * i + ch] = lut[3 * i + ch];
    image.data[4 * i + 3] = 255;
  }
  strip.getContext("2d").putImageData(image, 0, 0);
  row.append(low, strip, high);
  div.appendChild(row);
  return { low: low, high: high };
}

/** Paint every term of the panel's network (view.layers, computed once per frame) and fill in the titles. */
export function paintTerms(panel, view) {
  const g = view.grid, spec = panel.spec;
  const { pictures, limit, weights, bias } = termGrids(view.layers, view.net, g.rows, spec.shown);
  panel.limit = limit;
  panel.key.low.textContent = "−" + limit.toPrecision(3);
  panel.key.high.textContent = "+" + limit.toPrecision(3);
  const titles = termTitles(spec.titles, weights, bias);
  const small = panel.small;
  if (small.width !== g.nx || small.height !== g.ny) { small.width = g.nx; small.height = g.ny; panel.image = null; }
  const sctx = small.getContext("2d");
  panel.image = panel.image || sctx.createImageData(g.nx, g.ny);
  pictures.forEach((values, i) => {
    const cell = panel.cells[i];
    if (!cell) return;
    cell.caption.textContent = titles[i];
    paintUnit(panel.image.data, values, 1, 0, g.nx, g.ny, 1, panel.lut, -limit, limit);
    sctx.putImageData(panel.image, 0, 0);
    const ratio = window.devicePixelRatio || 1, side = Math.max(1, Math.round((cell.canvas.clientWidth || 120) * ratio));
    if (cell.canvas.width !== side) { cell.canvas.width = side; cell.canvas.height = side; }
    const ctx = cell.canvas.getContext("2d");
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(small, 0, 0, side, side);
  });
}

/**
 * The 3-D surface's Plotly restyle: the network's output over the panel's grid as rows of z (row 0 the lowest
 * x₂), on the same cell centres the server built the figure's x and y on.
 * @param {{grid: {nx: number, ny: number}, layers: Float64Array[]}} view
 * @returns {{restyle: {z: number[][][]}, traces: number[]}}
 */
export function surfaceRestyle(view) {
  const { nx, ny } = view.grid, out = view.layers[view.layers.length - 1], rows = [];
  for (let r = 0; r < ny; r++) rows.push(Array.from(out.subarray(r * nx, (r + 1) * nx)));
  return { restyle: { z: [rows] }, traces: [0] };
}
