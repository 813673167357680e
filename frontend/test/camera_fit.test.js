import assert from 'node:assert/strict';
import {test} from 'node:test';

import {boundingSphere, fitCamera} from '../src/camera_fit.js';

const close = (a, b, tolerance = 1e-9) => assert.ok(Math.abs(a - b) <= tolerance, `${a} != ${b}`);

function randomPoints(count, seed) {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Float32Array.from({length: count * 3}, () => random() * 10 - 3);
}

test('bounds and sphere of a box hold every point', () => {
  const points = randomPoints(500, 7);
  const {min, max, center, radius} = boundingSphere(points);
  for (let i = 0; i < points.length; i += 3) {
    for (let k = 0; k < 3; k++) assert.ok(points[i + k] >= min[k] && points[i + k] <= max[k]);
    const d = Math.hypot(points[i] - center[0], points[i + 1] - center[1], points[i + 2] - center[2]);
    assert.ok(d <= radius + 1e-6);
  }
  // The sphere is tight: some point lies on it, and it is no larger than the box's half diagonal.
  const halfDiagonal = Math.hypot(...max.map((m, k) => m - min[k])) / 2;
  assert.ok(radius <= halfDiagonal + 1e-9);
});

test('ignores non-finite coordinates and handles one point and no points', () => {
  const {center, radius} = boundingSphere(new Float32Array([1, 2, 3, NaN, 0, 0, Infinity, 1, 1]));
  assert.deepEqual(center, [1, 2, 3]);
  assert.equal(radius, 0);
  assert.deepEqual(boundingSphere(new Float32Array(0)), {min: [0, 0, 0], max: [0, 0, 0], center: [0, 0, 0], radius: 0});
});

test('a fitted camera sees the whole sphere, in both directions of the view', () => {
  const sphere = {center: [1, -2, 3], radius: 2.5};
  for (const aspect of [0.5, 1, 2.5]) {
    const fov = 45;
    const fit = fitCamera(sphere, fov, aspect);
    const toCenter = fit.target.map((t, k) => t - fit.position[k]);
    close(Math.hypot(...toCenter), fit.distance);
    assert.deepEqual(fit.target, sphere.center);
    const halfVertical = (fov * Math.PI) / 360;
    const halfHorizontal = Math.atan(Math.tan(halfVertical) * aspect);
    // The sphere's angular radius seen from the camera fits inside the narrower half-angle, with margin.
    const angular = Math.asin(sphere.radius / fit.distance);
    assert.ok(angular < Math.min(halfVertical, halfHorizontal));
    assert.ok(angular > 0.8 * Math.min(halfVertical, halfHorizontal), 'the model fills most of the view');
    assert.ok(fit.near > 0 && fit.near < fit.distance - sphere.radius);
    assert.ok(fit.far > fit.distance + sphere.radius);
  }
});

test('a degenerate sphere still gets a usable camera; bad arguments are rejected', () => {
  const fit = fitCamera({center: [0, 0, 0], radius: 0}, 45, 1);
  assert.ok(Number.isFinite(fit.distance) && fit.distance > 0);
  assert.throws(() => fitCamera({center: [0, 0, 0], radius: 1}, 0, 1), /fov/);
  assert.throws(() => fitCamera({center: [0, 0, 0], radius: 1}, 45, -1), /aspect/);
});
