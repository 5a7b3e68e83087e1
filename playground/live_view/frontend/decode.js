// Decoding what the server packs: one-byte-per-cell grids (Compare, Regression) and Plotly typed arrays.

/** @param {{b64: string}} packed @returns {Uint8Array} */
export function unpackBytes(packed) {
  return Uint8Array.from(atob(packed.b64), (c) => c.charCodeAt(0));
}

/** A packed grid as rows of numbers. @param {import("./messages.js").Packed} packed @returns {number[][]} */
export function unpackRows(packed) {
  const bytes = unpackBytes(packed);
  const [ny, nx] = packed.shape;
  const span = (packed.hi - packed.lo) / 255;
  const rows = new Array(ny);
  for (let r = 0; r < ny; r++) {
    const row = new Array(nx);
    for (let c = 0; c < nx; c++) row[c] = packed.lo + bytes[r * nx + c] * span;
    rows[r] = row;
  }
  return rows;
}

/** Replace every packed grid inside ``value`` by its rows. */
export function decode(value) {
  if (Array.isArray(value)) return value.map(decode);
  if (value && typeof value === "object") {
    if (typeof value.b64 === "string" && value.shape) return unpackRows(value);
    const out = {};
    for (const k of Object.keys(value)) out[k] = decode(value[k]);
    return out;
  }
  return value;
}

const ARRAY_TYPES = { f8: Float64Array, f4: Float32Array, i4: Int32Array, i2: Int16Array, i1: Int8Array,
                      u4: Uint32Array, u2: Uint16Array, u1: Uint8Array };

/** A list, or a Plotly typed array {dtype, bdata}, as a plain array. */
export function plainArray(value) {
  if (value && typeof value.bdata === "string") {
    const type = ARRAY_TYPES[value.dtype];
    return type ? Array.from(new type(unpackBytes({ b64: value.bdata }).buffer)) : [];
  }
  return Array.from(value || []);
}
