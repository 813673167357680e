// Per-face values in WebGL, which has no per-primitive attributes: the mesh is drawn with unshared
// (non-indexed) faces, so each face's three corners can carry that face's value.

/**
 * Positions of every face corner, face after face, in the positions' own typed array type (float32,
 * or the 16-bit codes of quantised positions).
 *
 * @param {Float32Array|Uint16Array} positions [N * 3] xyz.
 * @param {Uint32Array} faces [F * 3] vertex indices.
 * @returns {Float32Array|Uint16Array} [F * 9]
 */
export function unshareFaces(positions, faces) {
  const out = new positions.constructor(faces.length * 3);
  for (let c = 0; c < faces.length; c++) {
    const v = faces[c] * 3;
    out[c * 3] = positions[v];
    out[c * 3 + 1] = positions[v + 1];
    out[c * 3 + 2] = positions[v + 2];
  }
  return out;
}

/**
 * Each face's row of values (attribute values, or uint8 colours) repeated for its three corners.
 *
 * @param {Float32Array|Uint8Array} values [F * K]
 * @param {number} components K.
 * @returns {Float32Array|Uint8Array} [F * 3 * K], of the same type as `values`.
 */
export function repeatPerCorner(values, components) {
  const out = new values.constructor(values.length * 3);
  for (let row = 0, o = 0; row < values.length; row += components) {
    for (let corner = 0; corner < 3; corner++) {
      for (let k = 0; k < components; k++) out[o++] = values[row + k];
    }
  }
  return out;
}

/**
 * The centre of every face: where per-face vectors start.
 *
 * @param {Float32Array} positions [N * 3]
 * @param {Uint32Array} faces [F * 3]
 * @returns {Float32Array} [F * 3]
 */
export function faceCentroids(positions, faces) {
  const out = new Float32Array(faces.length);
  for (let f = 0; f < faces.length; f += 3) {
    const a = faces[f] * 3,
      b = faces[f + 1] * 3,
      c = faces[f + 2] * 3;
    for (let k = 0; k < 3; k++) out[f + k] = (positions[a + k] + positions[b + k] + positions[c + k]) / 3;
  }
  return out;
}
