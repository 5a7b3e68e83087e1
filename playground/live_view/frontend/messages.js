// The message format between the server (playground/live/playground.py and friends) and this component, as JSDoc types.
// Nothing here runs; the other modules import these types for their documentation and editors.

/**
 * A network's parameters, sent with every frame of the Playground, and per run in each Compare run panel's update
 * (a few hundred numbers, not pictures).
 * @typedef {Object} Params
 * @property {number[][]} weights per layer, W[j, i] flattened row-major (units_l × units_{l-1})
 * @property {number[][]} biases per layer (units_l)
 * @property {(number|null)[]} slopes per layer: prelu's learned or leaky_relu's fixed negative slope, else null
 */

/**
 * What the browser's forward pass needs (see forward.js): the scene's net spec plus a frame's Params as arrays.
 * @typedef {Object} NetSpec
 * @property {number[]} sizes units per layer, inputs first
 * @property {string[]} activations per layer after the inputs
 * @property {string[]} features input feature names (core/data/features.py), ["x"] for 1-D data
 * @property {Float64Array[]} weights
 * @property {Float64Array[]} biases
 * @property {number[]} slopes
 */

/**
 * One snapshot of a run.
 * @typedef {Object} Frame
 * @property {number} epoch
 * @property {{name: string, label: string, value: string}[]} [counters]
 * @property {string} [status]
 * @property {string} [status_kind] "info" | "warn"
 * @property {Params} [params] the network (Playground): every picture is drawn from it in the browser
 * @property {Object<string, Object>} [panels] per-panel updates: {extend} curve points, {lines, points} layer
 *   view, {params} a picture panel's own network (Compare), {restyle, relayout, traces}
 *   Plotly
 */

/**
 * The render arguments, sent by Streamlit (components v1) as one JSON string, ``args.payload`` (see
 * messaging.js's ``renderArgs``: a string keeps Streamlit's server from importing pandas to inspect them).
 * @typedef {Object} RenderArgs
 * @property {Object|null} scene {version, panels, grid, columns, presenter, first_frame, net?}, only when the
 *   browser does not hold that version yet
 * @property {Frame[]} frames a batch of snapshots, queued once per seq
 * @property {number} seq
 * @property {boolean} playing
 * @property {number} interval_ms pace for views that play one snapshot per interval (none since every page plays
 *   by the epoch clock, see playground/live/loop.py)
 * @property {number} [speed] epochs per second: every live page plays by the epoch clock at the screen's rate
 * @property {Frame} [now] the run as it is now (counters, status, params): shown at once whenever not playing
 * @property {Object} [options] {draw, selected, handled, transport: {play, step, reset}: button key classes}
 */

/**
 * What the browser reports back (the component's value): the server validates every field.
 * @typedef {Object} Report
 * @property {number} want request counter: a new number asks for the next batch
 * @property {string|null} scene the scene version held
 * @property {number} frames how many snapshots the next batch should hold
 * @property {Object[]} events user clicks not yet handled: {id, kind: "point", x, y} | {id, kind: "select", ...}
 * @property {string|null} shown the scene whose first picture has been painted (reported once; null before)
 */

export {};
