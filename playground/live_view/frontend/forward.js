// The network's forward pass in the browser: the same arithmetic as core/engine/network.py and core/engine/activations.py,
// so every picture (heatmap, neuron thumbnails, hover values) is computed here from the weights the server
// sends. Pure functions only; tested against core's predictions at 1e-6 (tests/e2e/test_live_view_js.py).

/** @typedef {import("./messages.js").NetSpec} NetSpec */

/** Input features of a 2-D point, as core/data/features.py computes them. */
export const FEATURES = {
  x1: (a, b) => a,
  x2: (a, b) => b,
  x1_sq: (a, b) => a * a,
  x2_sq: (a, b) => b * b,
  x1_x2: (a, b) => a * b,
  sin_x1: (a, b) => Math.sin(a),
  sin_x2: (a, b) => Math.sin(b),
  x: (a, b) => a, // 1-D data: the only feature is x itself
};

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const ONE_OVER_SQRT_PI = 1 / Math.sqrt(Math.PI);

/**
 * The error function to double precision (|error| < 1e-15), which GELU needs: core uses scipy's erf, and the
 * browser-vs-core check is at 1e-6, which a 7-digit approximation would not pass after a few layers.
 * |x| < 3: erf x = (2/√π)·e^(−x²)·Σ (2x²)ⁿ·x / (1·3·…·(2n+1)), a series of positive terms (no cancellation).
 * |x| ≥ 3: erfc x = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), a continued fraction that converges
 * fast there, evaluated bottom-up at a fixed depth.
 * @param {number} x
 * @returns {number}
 */
export function erf(x) {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a < 3) {
    const x2 = a * a;
    let term = a, sum = a;
    for (let n = 0; n < 120; n++) {
      term *= (2 * x2) / (2 * n + 3);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    const value = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    return x < 0 ? -value : value;
  }
  const value = 1 - erfcLarge(a);
  return x < 0 ? -value : value;
}

/** erfc(a) for a ≥ 3 by its continued fraction. */
function erfcLarge(a) {
  if (a > 27) return 0;
  let f = a;
  for (let k = 60; k >= 1; k--) f = a + (k / 2) / f;
  return (Math.exp(-a * a) * ONE_OVER_SQRT_PI) / f;
}

/**
 * tanh through one exponential: (e − 1)/(e + 1) with e = e^(2x), within 4e-16 of Math.tanh everywhere (the error is
 * absolute, ~1 ulp of 1: near 0 the subtraction loses relative, not absolute, precision). V8's Math.tanh is 1.2–1.7×
 * slower than Math.exp, and the hidden layers' tanh is most of the forward pass over the 100×100 grid on every
 * painted frame; two well-predicted comparisons instead of an absolute value and sign tests save another ~20 %.
 * @param {number} v
 * @returns {number}
 */
export function tanh(v) {
  if (v > 20) return 1;  // |v| > 20: ±1 in double precision (and ±Infinity)
  if (v < -20) return -1;
  const e = Math.exp(2 * v);  // NaN stays NaN
  return v === 0 ? v : (e - 1) / (e + 1);  // −0 stays −0
}

function sigmoid(v) {
  // scipy's expit, stable on both sides
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/**
 * Apply layer activation ``name`` in place to ``z``: ``rows`` samples of ``units`` values each (row-major).
 * ``slope`` is leaky_relu's fixed or prelu's learned negative-side slope.
 * @param {string} name
 * @param {Float64Array} z
 * @param {number} rows
 * @param {number} units
 * @param {number} slope
 */
export function activateInPlace(name, z, rows, units, slope) {
  const n = rows * units;
  switch (name) {
    case "linear": return;
    case "sigmoid": for (let i = 0; i < n; i++) z[i] = sigmoid(z[i]); return;
    case "tanh": for (let i = 0; i < n; i++) z[i] = tanh(z[i]); return;
    case "relu": for (let i = 0; i < n; i++) z[i] = z[i] > 0 ? z[i] : 0; return;
    case "leaky_relu": case "prelu": for (let i = 0; i < n; i++) z[i] = z[i] > 0 ? z[i] : z[i] * slope; return;
    case "elu": for (let i = 0; i < n; i++) z[i] = z[i] > 0 ? z[i] : Math.expm1(z[i]); return;
    case "softplus": // logaddexp(0, z) = max(z, 0) + log1p(e^(−|z|))
      for (let i = 0; i < n; i++) z[i] = Math.max(z[i], 0) + Math.log1p(Math.exp(-Math.abs(z[i]))); return;
    case "gelu": for (let i = 0; i < n; i++) z[i] = 0.5 * z[i] * (1 + erf(z[i] / Math.SQRT2)); return;
    case "swish": for (let i = 0; i < n; i++) z[i] = z[i] * sigmoid(z[i]); return;
    case "softmax":
      for (let r = 0; r < rows; r++) {
        const o = r * units;
        let m = -Infinity;
        for (let j = 0; j < units; j++) m = Math.max(m, z[o + j]);
        let total = 0;
        for (let j = 0; j < units; j++) { z[o + j] = Math.exp(z[o + j] - m); total += z[o + j]; }
        for (let j = 0; j < units; j++) z[o + j] /= total;
      }
      return;
    default: throw new Error(`unknown activation ${JSON.stringify(name)}`);
  }
}

/**
 * The network inputs (features) of points given as (x1, x2) pairs.
 * @param {string[]} features feature names, in the network's input order
 * @param {ArrayLike<number>} xs x₁ of every point (x for 1-D data)
 * @param {ArrayLike<number>} ys x₂ of every point (ignored for 1-D data)
 * @returns {Float64Array} (points × features), row-major
 */
export function featureMatrix(features, xs, ys) {
  const n = xs.length, f = features.length, out = new Float64Array(n * f);
  const fns = features.map((name) => {
    const fn = FEATURES[name];
    if (!fn) throw new Error(`unknown feature ${JSON.stringify(name)}`);
    return fn;
  });
  for (let p = 0; p < n; p++) {
    const a = xs[p], b = ys ? ys[p] : 0;
    for (let k = 0; k < f; k++) out[p * f + k] = fns[k](a, b);
  }
  return out;
}

/**
 * Every layer's activations for ``rows`` samples: [inputs, A₁, …, A_L], each (rows × units) row-major.
 * Z_l = A_{l−1}·W_lᵀ + b_lᵀ, A_l = α_l(Z_l), as in core/engine/network.py.
 * ``reuse``, the layers an earlier call returned, lends its arrays where their sizes fit: a view that repaints
 * every frame (four Compare pictures of 100×100 cells) then allocates nothing, and the garbage collector does not
 * interrupt the animation. Its arrays are overwritten; pass it only when nothing else still needs those values.
 * @param {NetSpec} net
 * @param {Float64Array} inputs (rows × sizes[0])
 * @param {number} rows
 * @param {Float64Array[] | null} [reuse]
 * @returns {Float64Array[]}
 */
export function forwardLayers(net, inputs, rows, reuse = null) {
  const layers = [inputs];
  let a = inputs;
  for (let l = 0; l < net.sizes.length - 1; l++) {
    const nin = net.sizes[l], nout = net.sizes[l + 1];
    const W = net.weights[l], b = net.biases[l];
    const spare = reuse && reuse[l + 1];
    const z = spare && spare.length === rows * nout && spare !== inputs ? spare : new Float64Array(rows * nout);
    for (let r = 0; r < rows; r++) {
      const ai = r * nin, zo = r * nout;
      for (let j = 0; j < nout; j++) {
        let sum = 0;
        const wj = j * nin;
        for (let i = 0; i < nin; i++) sum += a[ai + i] * W[wj + i];
        z[zo + j] = sum + b[j];
      }
    }
    activateInPlace(net.activations[l], z, rows, nout, net.slopes[l] ?? 0.1);
    layers.push(z);
    a = z;
  }
  return layers;
}

/**
 * The network's output at points (x1, x2): (points × outputs) row-major.
 * @param {NetSpec} net
 * @param {ArrayLike<number>} xs
 * @param {ArrayLike<number>} ys
 * @returns {Float64Array}
 */
export function predict(net, xs, ys) {
  const layers = forwardLayers(net, featureMatrix(net.features, xs, ys), xs.length);
  return layers[layers.length - 1];
}

/**
 * Activations of every layer at one point, as arrays: [[inputs…], [layer 1…], …, [outputs…]] (for hovering).
 * @param {NetSpec} net
 * @param {number} x1
 * @param {number} x2
 * @returns {number[][]}
 */
export function forwardPoint(net, x1, x2) {
  return forwardLayers(net, featureMatrix(net.features, [x1], [x2]), 1).map((a) => Array.from(a));
}

/**
 * The points of an n × n grid over [lo, hi]², row 0 at the lowest x₂ (as core/experiment/boundary.py builds it).
 * @param {number} n
 * @param {number} lo
 * @param {number} hi
 * @returns {{xs: Float64Array, ys: Float64Array}}
 */
export function gridPoints(n, lo, hi) {
  const xs = new Float64Array(n * n), ys = new Float64Array(n * n);
  const step = n > 1 ? (hi - lo) / (n - 1) : 0;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) { xs[r * n + c] = lo + c * step; ys[r * n + c] = lo + r * step; }
  }
  return { xs, ys };
}

/**
 * A network description from a scene's net spec and a frame's parameters (lists become typed arrays).
 * @param {{sizes: number[], activations: string[], features: string[]}} spec
 * @param {import("./messages.js").Params} params
 * @returns {NetSpec}
 */
export function makeNet(spec, params) {
  const sizes = spec.sizes;
  if (!Array.isArray(params.weights) || params.weights.length !== sizes.length - 1) {
    throw new Error("parameters do not match the network's layers");
  }
  const weights = params.weights.map((w, l) => {
    if (w.length !== sizes[l] * sizes[l + 1]) throw new Error(`layer ${l + 1}: ${w.length} weights`);
    return Float64Array.from(w);
  });
  const biases = params.biases.map((b) => Float64Array.from(b));
  return { sizes, activations: spec.activations, features: spec.features, weights, biases,
           slopes: params.slopes.map((s) => (s === null || s === undefined ? 0.1 : s)) };
}
