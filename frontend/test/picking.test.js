// GPU picking's decoding and refinement, quantised positions and the pick description.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import * as THREE from 'three';

import {describePick} from '../src/inspector.js';
import {StepModel} from '../src/model.js';
import {decodePickId, nearestPick, refineMeshPick, screenPick} from '../src/picking.js';
import {floatPositions, positionAt, positionBounds, positionMatrix} from '../src/positions.js';

test('pick ids are vertex index + 1 in RGBA bytes; the pixel nearest the centre wins', () => {
  assert.equal(decodePickId([0, 0, 0, 0]), -1);
  assert.equal(decodePickId([1, 0, 0, 0]), 0);
  const id = 1_000_000 + 1;
  assert.equal(decodePickId([id & 255, (id >> 8) & 255, (id >> 16) & 255, 0]), 1_000_000);
  assert.equal(decodePickId([255, 255, 255, 255]), 2 ** 32 - 2);
  const size = 3;
  const pixels = new Uint8Array(size * size * 4);
  pixels.set([8, 0, 0, 0], (0 * size + 0) * 4); // bottom-left corner: vertex 7
  pixels.set([4, 0, 0, 0], (1 * size + 2) * 4); // middle row, right: vertex 3
  assert.deepEqual(nearestPick(pixels, size), {index: 3, dx: 1, dy: 0});
  assert.equal(nearestPick(new Uint8Array(size * size * 4), size), null);
});

test('a picked provoking vertex is refined to the face under the cursor and its nearest corner', () => {
  // Two triangles sharing vertex 2: (0, 1, 2) on the left, (2, 3, 4) on the right, on screen pixels.
  const screen = [
    [0, 0],
    [0, 10],
    [5, 5],
    [10, 0],
    [10, 10],
  ];
  const faces = new Uint32Array([0, 1, 2, 2, 3, 4]);
  assert.deepEqual(
    refineMeshPick(faces, 2, (i) => screen[i], [9, 2]),
    {face: 1, vertex: 3},
  );
  assert.deepEqual(
    refineMeshPick(faces, 2, (i) => screen[i], [1, 6]),
    {face: 0, vertex: 1},
  );
  assert.deepEqual(
    refineMeshPick(faces, 9, (i) => screen[i], [1, 6]),
    {face: -1, vertex: 9},
  );
});

const quantised = () => ({
  vertices: {dtype: 'uint16', shape: [2, 3], data: new Uint16Array([0, 0, 0, 65535, 32768, 65535])},
  position_offset: {data: new Float32Array([-1, 2, 0])},
  position_scale: {data: new Float32Array([2 / 65535, 1 / 65535, 0])},
  position_bounds: {data: new Float32Array([-1, 2, 0, 1, 3, 0])},
});

test('uint16 positions dequantise through the object matrix, as the shader sees them', () => {
  const arrays = quantised();
  const matrix = positionMatrix(arrays);
  const q = new THREE.Vector3(1, 32768 / 65535, 1).applyMatrix4(matrix); // the normalised attribute's value
  assert.deepEqual(
    q.toArray().map((x) => Number(x.toFixed(5))),
    [1, 2.50001, 0],
  );
  assert.deepEqual(
    positionAt(arrays, 1).map((x) => Number(x.toFixed(5))),
    [1, 2.50001, 0],
  );
  assert.deepEqual(positionBounds(arrays), {
    min: [-1, 2, 0],
    max: [1, 3, 0],
    center: [0, 2.5, 0],
    radius: Math.hypot(2, 1) / 2,
  });
  assert.ok(floatPositions(arrays) instanceof Float32Array);
});

test('float16 positions are read from their bits', () => {
  const half = new Uint16Array([0x3c00, 0xc000, 0x3800]); // 1, -2, 0.5
  assert.deepEqual(positionAt({vertices: {dtype: 'float16', data: half}}, 0), [1, -2, 0.5]);
  const float = new Float32Array([1, 2, 3]);
  assert.equal(floatPositions({vertices: {dtype: 'float32', data: float}}), float, 'float32 is not copied');
});

test('a quantised step goes to the GPU as its codes, placed by the object matrix', () => {
  const model = new StepModel(
    'point_cloud',
    {header: {attributes: []}, arrays: quantised()},
    {pointSize: 2, wireframe: false, flat: false},
  );
  const position = model.geometry.getAttribute('position');
  assert.equal(position.array.constructor, Uint16Array);
  assert.equal(position.normalized, true);
  assert.deepEqual(model.object.position.toArray(), [-1, 2, 0]);
  assert.equal(model.geometry.boundingSphere.radius, Math.sqrt(3) / 2, 'no pass over the vertices for culling');
});

test('a pick is described as text: index, position, colours, face and attribute values', () => {
  const arrays = {
    vertices: {dtype: 'float32', shape: [3, 3], data: new Float32Array([0, 0, 0, 1, 0.5, 0, 0, 1, 2])},
    colors: {shape: [3, 3], data: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255])},
    faces: {shape: [1, 3], data: new Uint32Array([0, 1, 2])},
    face_colors: {shape: [1, 3], data: new Uint8Array([10, 20, 30])},
    'attribute/<b>g</b>': {shape: [3, 3], data: new Float32Array([0, 0, 0, 3, 4, 0, 0, 0, 0])},
    'attribute_range/<b>g</b>': {shape: [4, 2], data: new Float32Array(8)},
  };
  const attributes = [
    {
      name: '<b>g</b>',
      placement: 'vertex',
      components: 3,
      values: 'attribute/<b>g</b>',
      ranges: 'attribute_range/<b>g</b>',
    },
  ];
  const model = new StepModel('mesh', {header: {attributes}, arrays}, {pointSize: 2, wireframe: false, flat: false});
  assert.deepEqual(describePick(model, {vertex: 1, face: 0}), [
    ['vertex', '1'],
    ['position', '(1, 0.5, 0)'],
    ['colour', 'rgb(0, 255, 0)'],
    ['face', '0: (0, 1, 2)'],
    ['face colour', 'rgb(10, 20, 30)'],
    ['<b>g</b>', '(3, 4, 0) |5|'],
  ]);
  assert.deepEqual(describePick(model, {vertex: 2, face: -1}, {stride: 4})[0], ['vertex', '8 (preview: every 4th)']);
});

test('screen-space picking keeps the front-most vertex within the radius, in any position encoding', () => {
  const camera = new THREE.PerspectiveCamera(90, 1, 0.1, 100);
  camera.position.set(0, 0, 5);
  camera.updateMatrixWorld();
  const matrix = new THREE.Matrix4().multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse);
  // Vertex 0 behind vertex 1 at the centre, vertex 2 off to the side, vertex 3 behind the camera.
  const positions = new Float32Array([0, 0, -2, 0.01, 0, 1, 3, 0, 0, 0, 0, 9]);
  const at = {x: 50, y: 50, width: 100, height: 100, radius: 3};
  assert.equal(screenPick(positions, matrix, at), 1);
  assert.equal(screenPick(positions, matrix, {...at, x: 80}), 2); // 3 / 5 of the half-width right of centre
  assert.equal(screenPick(positions, matrix, {...at, x: 10}), -1);
  const codes = new Uint16Array([0, 0, 0, 65535, 0, 0]); // normalised: (0, 0, 0) and (1, 0, 0)
  const scaled = matrix.clone().multiply(new THREE.Matrix4().makeScale(3 / 65535, 1 / 65535, 1 / 65535));
  assert.equal(screenPick(codes, scaled, {...at, x: 80}), 1);
});
