// Colour mapping for every canvas picture: colourscales as 256-entry lookup tables, and the decision regions'
// colours (binary probability, multiclass argmax with confidence, regression value). Pure functions.

/**
 * "#rrggbb", "#rgb" or "rgb(r, g, b)" as [r, g, b].
 * @param {string | number[]} text
 * @returns {number[]}
 */
export function parseColour(text) {
  if (Array.isArray(text)) return text;
  if (text.startsWith("#")) {
    const h = text.length === 4 ? text.replace(/#(.)(.)(.)/, "#$1$1$2$2$3$3") : text;
    return [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
  }
  const m = text.match(/\d+(\.\d+)?/g);
  return m ? m.slice(0, 3).map(Number) : [128, 128, 128];
}

/**
 * A 256-entry RGB lookup table from a Plotly-style colourscale [[stop, colour], ...].
 * @param {Array<[number, string]>} scale
 * @returns {Uint8ClampedArray} 256 × 3
 */
export function lookupTable(scale) {
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

/** Index into a LUT for value v on [lo, hi]. */
export function lutIndex(v, lo, hi) {
  if (!(hi > lo) || !Number.isFinite(v)) return 128;
  return Math.min(255, Math.max(0, Math.round(((v - lo) / (hi - lo)) * 255)));
}

export const PALE = [247, 247, 247];

/**
 * The colour of a multiclass cell: its argmax class's colour, pale where the network is unsure.
 * Confidence 0 is a uniform guess (max p = 1/k), 1 is certainty; a class's core is its full colour, never white.
 * @param {ArrayLike<number>} probs the k class probabilities of the cell
 * @param {number} offset where the cell's k values start in probs
 * @param {number} k
 * @param {number[][]} classColours [r, g, b] per class
 * @param {number[]} out [r, g, b] written here
 * @returns {number} the winning class
 */
export function multiclassColour(probs, offset, k, classColours, out) {
  let best = 0, top = probs[offset];
  for (let c = 1; c < k; c++) if (probs[offset + c] > top) { top = probs[offset + c]; best = c; }
  const confidence = Math.min(Math.max((top - 1 / k) / (1 - 1 / k), 0), 1);
  const colour = classColours[best % classColours.length];
  for (let ch = 0; ch < 3; ch++) out[ch] = PALE[ch] + (colour[ch] - PALE[ch]) * confidence;
  return best;
}

/**
 * Paint the network's output over an n × n grid into RGBA pixels (row 0 of the grid is the lowest x₂, drawn at
 * the bottom). ``task`` is "binary" (one probability through ``lut``), "multiclass" (k probabilities per cell)
 * or "regression" (one value through ``lut``, on the range of the values shown).
 * @param {Uint8ClampedArray} pixels n × n × 4
 * @param {Float64Array} out (n·n × k) network outputs
 * @param {number} n
 * @param {number} k
 * @param {string} task
 * @param {{lut: Uint8ClampedArray, classColours: number[][], range?: number[]}} colours ``range``: a
 *   regression's fixed [lo, hi] (else the range of the values shown)
 * @returns {{lo: number, hi: number}} the value range painted
 */
export function paintField(pixels, out, n, k, task, colours) {
  let lo = 0, hi = 1;
  if (task === "regression" && colours.range) {
    [lo, hi] = colours.range;  // a fixed range: a colour means the same value all run long (Regression lab)
  } else if (task === "regression") {
    lo = Infinity; hi = -Infinity;
    for (let p = 0; p < n * n; p++) { const v = out[p]; if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
    if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  }
  const rgb = [0, 0, 0];
  for (let r = 0; r < n; r++) {
    const target = (n - 1 - r) * n;
    for (let c = 0; c < n; c++) {
      const p = r * n + c, o = (target + c) * 4;
      if (task === "multiclass") {
        multiclassColour(out, p * k, k, colours.classColours, rgb);
        pixels[o] = rgb[0]; pixels[o + 1] = rgb[1]; pixels[o + 2] = rgb[2];
      } else {
        const idx = lutIndex(out[p * k], lo, hi) * 3;
        pixels[o] = colours.lut[idx]; pixels[o + 1] = colours.lut[idx + 1]; pixels[o + 2] = colours.lut[idx + 2];
      }
      pixels[o + 3] = 255;
    }
  }
  return { lo, hi };
}

/**
 * Paint one unit of a layer (values[p·units + unit]) over a grid of ``nx`` × ``ny`` cells through ``lut`` on
 * [lo, hi]; row 0 at the bottom. Used for the neuron thumbnails.
 */
export function paintUnit(pixels, values, units, unit, nx, ny, stride, lut, lo, hi) {
  const cols = Math.ceil(nx / stride), rows = Math.ceil(ny / stride);
  for (let r = 0; r < rows; r++) {
    const target = (rows - 1 - r) * cols;
    for (let c = 0; c < cols; c++) {
      const p = (r * stride) * nx + c * stride;
      const idx = lutIndex(values[p * units + unit], lo, hi) * 3, o = (target + c) * 4;
      pixels[o] = lut[idx]; pixels[o + 1] = lut[idx + 1]; pixels[o + 2] = lut[idx + 2]; pixels[o + 3] = 255;
    }
  }
  return { cols, rows };
}
