// Framing a model: its bounding box and sphere, and where a perspective camera must stand to see it whole.

/**
 * Axis-aligned bounds and a bounding sphere of flat xyz positions, skipping non-finite values.
 *
 * @param {Float32Array} positions [N * 3] xyz triples.
 * @returns {{min: number[], max: number[], center: number[], radius: number}} radius 0 for one point;
 *   center at the origin and radius 0 when there are no finite points.
 */
export function boundingSphere(positions) {
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i + 2 < positions.length; i += 3) {
    const x = positions[i],
      y = positions[i + 1],
      z = positions[i + 2];
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) continue;
    if (x < min[0]) min[0] = x;
    if (x > max[0]) max[0] = x;
    if (y < min[1]) min[1] = y;
    if (y > max[1]) max[1] = y;
    if (z < min[2]) min[2] = z;
    if (z > max[2]) max[2] = z;
  }
  if (min[0] > max[0]) {
    return {min: [0, 0, 0], max: [0, 0, 0], center: [0, 0, 0], radius: 0};
  }
  const center = [0, 1, 2].map((k) => (min[k] + max[k]) / 2);
  // The box's circumscribed sphere is cheap; tighten it to the farthest point from the box centre.
  let farthest = 0;
  for (let i = 0; i + 2 < positions.length; i += 3) {
    const dx = positions[i] - center[0],
      dy = positions[i + 1] - center[1],
      dz = positions[i + 2] - center[2];
    const d = dx * dx + dy * dy + dz * dz;
    if (d > farthest && Number.isFinite(d)) farthest = d;
  }
  return {min, max, center, radius: Math.sqrt(farthest)};
}

/**
 * Places a perspective camera so a bounding sphere fills the view with a small margin.
 *
 * @param {{center: number[], radius: number}} sphere
 * @param {number} fovDegrees vertical field of view.
 * @param {number} aspect width / height of the view.
 * @param {number[]} direction unit-free vector from the target toward the camera.
 * @returns {{position: number[], target: number[], near: number, far: number, distance: number}}
 */
export function fitCamera(sphere, fovDegrees, aspect, direction = [1, 0.8, 1.4]) {
  if (!(fovDegrees > 0 && fovDegrees < 180) || !(aspect > 0)) {
    throw new RangeError(`fitCamera needs 0 < fov < 180 and aspect > 0, got fov ${fovDegrees}, aspect ${aspect}`);
  }
  const margin = 1.1;
  const radius = sphere.radius > 0 ? sphere.radius : 1;
  const halfVertical = (fovDegrees * Math.PI) / 360;
  const halfHorizontal = Math.atan(Math.tan(halfVertical) * aspect);
  const distance = (margin * radius) / Math.sin(Math.min(halfVertical, halfHorizontal));
  const norm = Math.hypot(...direction) || 1;
  const position = sphere.center.map((c, k) => c + (direction[k] / norm) * distance);
  return {
    position,
    target: [...sphere.center],
    near: Math.max(distance - radius * margin, distance / 1000) * 0.5,
    far: (distance + radius * margin) * 2,
    distance,
  };
}

/**
 * The bounds and a bounding sphere of several bounding spheres from boundingSphere() (a scene's layers).
 *
 * @param {{min: number[], max: number[], center: number[], radius: number}[]} spheres at least one.
 */
export function unionSphere(spheres) {
  if (spheres.length === 0) throw new RangeError('spheres must hold at least one sphere');
  const min = [0, 1, 2].map((k) => Math.min(...spheres.map((s) => s.min[k])));
  const max = [0, 1, 2].map((k) => Math.max(...spheres.map((s) => s.max[k])));
  const center = [0, 1, 2].map((k) => (min[k] + max[k]) / 2);
  const radius = Math.max(...spheres.map((s) => Math.hypot(...s.center.map((c, k) => c - center[k])) + s.radius));
  return {min, max, center, radius};
}
