// The Regression lab's 1-D pictures, computed in the browser from the network's parameters: the fitted curve
// ŷ(x) and its decomposition into the last hidden layer's terms, ŷ(x) = Σ_j w_j·a_j(x) + b (the same numbers
// as core/labs/regression.py's decompose). The result is a Plotly restyle of the panel's canvas-painted lines.

/**
 * The restyle of a "computed" panel: ``kind`` "fit" (trace 0 is ŷ) or "decomposition" (``traces``: a_j and
 * w_j·a_j per neuron, then the bias line and the sum, as figures_regression.decomposition_traces orders them).
 * @param {string} kind
 * @param {Float64Array[]} layers every layer's activations over the curve's x (forward.js forwardLayers)
 * @param {import("../messages.js").NetSpec} net
 * @param {number} rows how many x
 * @param {number[]} [traces]
 * @returns {{restyle: {y: number[][]}, traces: number[]}}
 */
export function computedRestyle(kind, layers, net, rows, traces) {
  const out = layers[layers.length - 1];
  if (kind === "fit") return { restyle: { y: [Array.from(out.subarray(0, rows))] }, traces: [0] };
  const hidden = layers[layers.length - 2], units = net.sizes[net.sizes.length - 2];
  const w = net.weights[net.weights.length - 1], b = net.biases[net.biases.length - 1][0];
  const ys = [], total = new Array(rows).fill(b);
  for (let j = 0; j < units; j++) {
    const a = new Array(rows), term = new Array(rows);
    for (let r = 0; r < rows; r++) {
      a[r] = hidden[r * units + j];
      term[r] = w[j] * a[r];
      total[r] += term[r];
    }
    ys.push(a, term);
  }
  ys.push([b, b], total);
  return { restyle: { y: ys }, traces: traces };
}
