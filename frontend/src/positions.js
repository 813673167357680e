// Positions as they arrive (docs/wire-format.md): float32, float16 or uint16 fixed point. Each goes to
// the GPU as it is, with no loop over the vertices: float16 as a HALF_FLOAT attribute, uint16 as a
// normalised attribute (q / 65535 in [0, 1]) whose offset and scale live in the object's matrix.
import * as THREE from 'three';

import {boundingSphere} from './camera_fit.js';

/** The `position` attribute of decoded arrays, made from the received typed array itself. */
export function positionAttribute(arrays) {
  const {dtype, data} = arrays.vertices;
  if (dtype === 'float16') return new THREE.Float16BufferAttribute(data, 3);
  return new THREE.BufferAttribute(data, 3, dtype === 'uint16');
}

/**
 * The local-to-model matrix of the positions: identity, or for uint16 codes
 * x = offset + (q / 65535) * (65535 * scale) per axis.
 *
 * @returns {THREE.Matrix4}
 */
export function positionMatrix(arrays) {
  const matrix = new THREE.Matrix4();
  if (arrays.vertices.dtype !== 'uint16') return matrix;
  const [ox, oy, oz] = arrays.position_offset.data;
  const [sx, sy, sz] = arrays.position_scale.data;
  return matrix.makeScale(sx * 65535, sy * 65535, sz * 65535).setPosition(ox, oy, oz);
}

/** Vertex `index` in model coordinates, dequantised: [x, y, z]. */
export function positionAt(arrays, index) {
  const {dtype, data} = arrays.vertices;
  const raw = [data[3 * index], data[3 * index + 1], data[3 * index + 2]];
  if (dtype === 'float16') return raw.map((h) => THREE.DataUtils.fromHalfFloat(h));
  if (dtype === 'uint16') {
    const offset = arrays.position_offset.data;
    const scale = arrays.position_scale.data;
    return raw.map((q, k) => offset[k] + q * scale[k]);
  }
  return raw;
}

/**
 * Float32 positions in model coordinates: the received array for float32, else a dequantised copy
 * (one loop, made only where something needs positions on the CPU: arrows, unshared faces).
 */
export function floatPositions(arrays) {
  const {dtype, data} = arrays.vertices;
  if (dtype === 'float32') return data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length / 3; i++) out.set(positionAt(arrays, i), 3 * i);
  return out;
}

/**
 * The bounding box and sphere in model coordinates: from the stored bounds of quantised positions
 * (no pass over the vertices), else from the float32 positions.
 *
 * @returns {{min: number[], max: number[], center: number[], radius: number}}
 */
export function positionBounds(arrays) {
  const bounds = arrays.position_bounds?.data;
  if (!bounds || arrays.vertices.dtype === 'float32') return boundingSphere(arrays.vertices.data);
  const min = [bounds[0], bounds[1], bounds[2]];
  const max = [bounds[3], bounds[4], bounds[5]];
  const center = min.map((m, k) => (m + max[k]) / 2);
  return {min, max, center, radius: Math.hypot(...max.map((m, k) => m - min[k])) / 2};
}

/** The bounding sphere of the `position` attribute in its own (local) coordinates, for three.js' culling. */
export function localSphere(arrays, bounds) {
  if (arrays.vertices.dtype === 'uint16') {
    return new THREE.Sphere(new THREE.Vector3(0.5, 0.5, 0.5), Math.sqrt(3) / 2);
  }
  return new THREE.Sphere(new THREE.Vector3(...bounds.center), bounds.radius);
}
