import assert from 'node:assert/strict';
import {test} from 'node:test';

import {SCALE_SLIDER, autoArrowScale, buildArrows, sliderFactor} from '../src/arrows.js';
import {faceCentroids} from '../src/flat_faces.js';

test('the automatic scale makes the longest arrow a tenth of the radius', () => {
  assert.equal(autoArrowScale(4, 2), 0.05);
  assert.equal(autoArrowScale(4, 2) * 4, 0.1 * 2);
  assert.equal(autoArrowScale(0.5, 1, 0.2), 0.4);
});

test('all-zero vectors and a single point still give a finite, positive scale', () => {
  for (const [magnitude, radius] of [
    [0, 1],
    [0, 0],
    [3, 0],
    [1e-320, 1],
    [NaN, 1],
  ]) {
    const scale = autoArrowScale(magnitude, radius);
    assert.ok(Number.isFinite(scale) && scale > 0, `${magnitude}, ${radius} -> ${scale}`);
  }
  assert.equal(autoArrowScale(2, 0), 0.05); // a radius of 1 stands in for a single point
});

test('the slider is logarithmic: its middle is the automatic length, each unit a factor of 10', () => {
  assert.equal(sliderFactor(0), 1);
  assert.equal(sliderFactor(1), 10);
  assert.ok(Math.abs(sliderFactor(-2) - 0.01) < 1e-15);
  assert.ok(SCALE_SLIDER.min < 0 && SCALE_SLIDER.max > 0);
});

test('arrows are one instanced line set over the given arrays, without copies', () => {
  const origins = new Float32Array([0, 0, 0, 1, 2, 3]);
  const vectors = new Float32Array([1, 0, 0, 0, -1, 0]);
  const arrows = buildArrows(origins, vectors, 0.5);
  assert.ok(arrows.isLineSegments && arrows.geometry.isInstancedBufferGeometry);
  assert.equal(arrows.geometry.instanceCount, 2);
  assert.equal(arrows.geometry.getAttribute('arrowOrigin').array, origins);
  assert.equal(arrows.geometry.getAttribute('arrowVector').array, vectors);
  assert.equal(arrows.geometry.getAttribute('position').count % 2, 0, 'whole segments');
  assert.equal(arrows.material.uniforms.arrowScale.value, 0.5);
  assert.equal(arrows.frustumCulled, false);
});

test('per-face arrows start at the face centroids', () => {
  const positions = new Float32Array([0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 3]);
  const faces = new Uint32Array([0, 1, 2, 1, 2, 3]);
  assert.deepEqual([...faceCentroids(positions, faces)], [1, 1, 0, 1, 1, 1]);
});
