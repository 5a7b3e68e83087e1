// Decoding what the server sends in Plotly figures: typed arrays ({dtype, bdata}) as plain arrays.

const ARRAY_TYPES = { f8: Float64Array, f4: Float32Array, i4: Int32Array, i2: Int16Array, i1: Int8Array,
                      u4: Uint32Array, u2: Uint16Array, u1: Uint8Array };

/** A list, or a Plotly typed array {dtype, bdata}, as a plain array. */
export function plainArray(value) {
  if (value && typeof value.bdata === "string") {
    const type = ARRAY_TYPES[value.dtype];
    return type ? Array.from(new type(Uint8Array.from(atob(value.bdata), (c) => c.charCodeAt(0)).buffer)) : [];
  }
  return Array.from(value || []);
}
