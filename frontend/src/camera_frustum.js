// A logged camera's pose and field of view from the 9 vertices of its frustum (summary.camera and
// docs/wire-format.md): corners 0–3 at the near depth and 4–7 at the far depth, each in the order top
// left, top right, bottom right, bottom left of the image (x right, y down, z forward as in OpenCV),
// then the tip of the up triangle. The far rectangle lies in a plane at one depth: its normal is the
// optical axis; the near rectangle is the far one scaled toward the centre by near / far.

export const FRUSTUM_VERTICES = 9;

const sub = (a, b) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const add = (a, b) => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const scale = (a, s) => [a[0] * s, a[1] * s, a[2] * s];
const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const norm = (a) => Math.hypot(a[0], a[1], a[2]);
const unit = (a) => scale(a, 1 / norm(a));

/** How many cameras a `camera` summary of `vertexCount` vertices holds. */
export function cameraCount(vertexCount) {
  return Math.floor((vertexCount ?? 0) / FRUSTUM_VERTICES);
}

/**
 * Camera `index` of flat xyz `positions` of frustums.
 *
 * @param {ArrayLike<number>} positions `[9 A * 3]` world positions of A frustums.
 * @param {number} index which camera, 0 ≤ index < A.
 * @returns {{position: number[], forward: number[], up: number[], target: number[], fov: number,
 *   aspect: number, depth: number}} the centre, unit optical axis and image up, the centre of the far
 *   rectangle's depth on the axis (`target`, at `depth` along it), the vertical field of view in degrees
 *   (the angle between the top and bottom edges seen from the centre: exact for a centred principal
 *   point, an off-centre one is shown centred) and the image's width / height.
 */
export function cameraFromFrustum(positions, index) {
  const count = Math.floor(positions.length / (3 * FRUSTUM_VERTICES));
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`index must be an integer in [0, ${count}), got ${index}`);
  }
  const corner = (i) => {
    const at = 3 * (FRUSTUM_VERTICES * index + i);
    return [positions[at], positions[at + 1], positions[at + 2]];
  };
  const [nearTopLeft, topLeft, topRight, bottomLeft] = [0, 4, 5, 7].map(corner);
  const right = sub(topRight, topLeft);
  const down = sub(bottomLeft, topLeft);
  const forward = unit(cross(right, down));
  // The near rectangle is the far one scaled by s = near / far about the centre C: C = n0 - s / (1 - s) (f0 - n0).
  const s = norm(sub(corner(1), nearTopLeft)) / norm(right);
  const position = sub(nearTopLeft, scale(sub(topLeft, nearTopLeft), s / (1 - s)));
  const depth = dot(sub(topLeft, position), forward);
  const xAxis = unit(right);
  const yAxis = cross(forward, xAxis); // image down, orthogonal to the axis
  const along = (point, axis) => dot(sub(point, position), axis) / depth;
  const above = -along(topLeft, yAxis);
  const below = along(bottomLeft, yAxis);
  const width = along(topRight, xAxis) - along(topLeft, xAxis);
  const fov = (Math.atan(above) + Math.atan(below)) * (180 / Math.PI);
  return {
    position,
    forward,
    up: scale(yAxis, -1),
    target: add(position, scale(forward, depth)),
    fov,
    aspect: width / (above + below),
    depth,
  };
}
