// Scene cards: grouping tags into scenes, merged steps and bounds, cameras from their logged frustums,
// the scenes' URL state, and which images belong to a scene: pure functions.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {unionSphere} from '../src/camera_fit.js';
import {cameraCount, cameraFromFrustum} from '../src/camera_frustum.js';
import {sceneImages} from '../src/image_strip.js';
import {GROUPINGS, groupCards, isGrouping, scenePrefix} from '../src/scene_grouping.js';
import {unionSteps} from '../src/steps.js';
import {cardKey, readState, sceneKey, writeState} from '../src/url_state.js';

test('scene prefixes: up to the last slash, or the first n parts; none for a tag without one', () => {
  assert.equal(scenePrefix('pose/estimate', 'parent'), 'pose');
  assert.equal(scenePrefix('trace/render/rasterize/depth', 'parent'), 'trace/render/rasterize');
  assert.equal(scenePrefix('trace/render/rasterize/depth', '1'), 'trace');
  assert.equal(scenePrefix('trace/render/rasterize/depth', '2'), 'trace/render');
  assert.equal(scenePrefix('trace/render', '2'), null); // the whole tag is no prefix
  assert.equal(scenePrefix('loss', 'parent'), null);
  assert.equal(scenePrefix('pose/estimate', ''), null);
  assert.throws(() => scenePrefix('a/b', 'x'), /grouping must be one of GROUPINGS, got x/);
  assert.ok(GROUPINGS.every(([value]) => isGrouping(value)) && !isGrouping('4') && !isGrouping(undefined));
});

test('groupCards makes a scene of two or more tags of a run, in place of its first tag', () => {
  const entries = [
    {run: 'a', tag: 'box'},
    {run: 'a', tag: 'pose/camera'},
    {run: 'a', tag: 'pose/estimate'},
    {run: 'a', tag: 'pose/target'},
    {run: 'a', tag: 'solo/mesh'},
    {run: 'b', tag: 'pose/estimate'},
  ];
  assert.deepEqual(groupCards(entries, 'parent'), [
    {run: 'a', tag: 'box'},
    {run: 'a', prefix: 'pose', tags: ['pose/camera', 'pose/estimate', 'pose/target']},
    {run: 'a', tag: 'solo/mesh'},
    {run: 'b', tag: 'pose/estimate'}, // alone in its run: a card
  ]);
  assert.deepEqual(groupCards(entries, ''), entries);
  assert.deepEqual(groupCards(entries, '1')[1], {
    run: 'a',
    prefix: 'pose',
    tags: ['pose/camera', 'pose/estimate', 'pose/target'],
  });
});

test('unionSteps merges the kept steps of layers; unionSphere bounds their spheres', () => {
  const steps = unionSteps([
    [
      {step: 0, wall_time: 1},
      {step: 5, wall_time: 2},
    ],
    [
      {step: 3, wall_time: 9},
      {step: 5, wall_time: 8},
    ],
    [],
  ]);
  assert.deepEqual(steps, [
    {step: 0, wall_time: 1},
    {step: 3, wall_time: 9},
    {step: 5, wall_time: 2},
  ]);
  const sphere = unionSphere([
    {min: [-1, -1, -1], max: [1, 1, 1], center: [0, 0, 0], radius: Math.sqrt(3)},
    {min: [3, 0, 0], max: [5, 0, 0], center: [4, 0, 0], radius: 1},
  ]);
  assert.deepEqual(sphere.min, [-1, -1, -1]);
  assert.deepEqual(sphere.max, [5, 1, 1]);
  assert.deepEqual(sphere.center, [2, 0, 0]);
  assert.equal(sphere.radius, 2 + Math.sqrt(3)); // the first sphere's far side
  assert.throws(() => unionSphere([]), /spheres must hold at least one sphere/);
});

/**
 * The 9 frustum vertices summary.frustum_lines logs for a pinhole camera at `center` whose image axes
 * (x right, y down, z forward) are `axes` in world coordinates.
 */
function frustum({center, axes, focal, principal, width, height, near, far}) {
  const pixels = [
    [-0.5, -0.5],
    [width - 0.5, -0.5],
    [width - 0.5, height - 0.5],
    [-0.5, height - 0.5],
  ];
  const at = ([u, v], depth) => {
    const local = [((u - principal[0]) / focal[0]) * depth, ((v - principal[1]) / focal[1]) * depth, depth];
    return [0, 1, 2].map((k) => center[k] + axes[0][k] * local[0] + axes[1][k] * local[1] + axes[2][k] * local[2]);
  };
  const corners = [...pixels.map((p) => at(p, near)), ...pixels.map((p) => at(p, far))];
  const top = [0, 1, 2].map((k) => (corners[4][k] + corners[5][k]) / 2);
  const bottom = [0, 1, 2].map((k) => (corners[6][k] + corners[7][k]) / 2);
  return [...corners, top.map((t, k) => t + 0.35 * (t - bottom[k]))].flat();
}

const close = (actual, expected, tolerance = 1e-9) =>
  assert.ok(
    actual.every((x, k) => Math.abs(x - expected[k]) < tolerance),
    `${JSON.stringify(actual)} != ${JSON.stringify(expected)}`,
  );

test("cameraFromFrustum recovers a camera's centre, axis, up and field of view", () => {
  const s = Math.SQRT1_2;
  // Looking along -z from (1, 2, 3), image x along +x, image y (down) along -y: world up is up.
  const looking = {
    center: [1, 2, 3],
    axes: [
      [1, 0, 0],
      [0, -1, 0],
      [0, 0, -1],
    ],
  };
  // A second camera of a rig, rolled 45° about its axis (+x), near plane 0.5.
  const rolled = {
    center: [-4, 0, 0],
    axes: [
      [0, s, s],
      [0, -s, s],
      [1, 0, 0],
    ],
  };
  const intrinsics = {focal: [100, 100], principal: [63.5, 47.5], width: 128, height: 96}; // centred: pixel edges at ±0.5
  const positions = [
    ...frustum({...looking, ...intrinsics, near: 0, far: 2}),
    ...frustum({...rolled, ...intrinsics, near: 0.5, far: 3}),
  ];
  assert.equal(cameraCount(positions.length / 3), 2);
  const first = cameraFromFrustum(positions, 0);
  close(first.position, [1, 2, 3]);
  close(first.forward, [0, 0, -1]);
  close(first.up, [0, 1, 0]);
  close(first.target, [1, 2, 1]);
  const fov = (2 * Math.atan(48 / 100) * 180) / Math.PI;
  assert.ok(Math.abs(first.fov - fov) < 1e-9 && Math.abs(first.aspect - 128 / 96) < 1e-9);
  assert.ok(Math.abs(first.depth - 2) < 1e-9);
  const second = cameraFromFrustum(new Float32Array(positions), 1);
  close(second.position, [-4, 0, 0], 1e-5);
  close(second.forward, [1, 0, 0], 1e-6);
  close(second.up, [0, s, -s], 1e-6);
  assert.ok(Math.abs(second.fov - fov) < 1e-4 && Math.abs(second.depth - 3) < 1e-5);
  assert.throws(() => cameraFromFrustum(positions, 2), /index must be an integer in \[0, 2\), got 2/);
});

test('an off-centre principal point: the field of view spans the top and bottom edges', () => {
  const camera = {
    center: [0, 0, 0],
    axes: [
      [1, 0, 0],
      [0, -1, 0],
      [0, 0, -1],
    ],
    width: 100,
    height: 100,
  };
  const positions = frustum({...camera, focal: [50, 50], principal: [49.5, 19.5], near: 0, far: 1});
  const {fov} = cameraFromFrustum(positions, 0);
  const expected = ((Math.atan(20 / 50) + Math.atan(80 / 50)) * 180) / Math.PI;
  assert.ok(Math.abs(fov - expected) < 1e-9, `${fov} != ${expected}`);
});

test("scenes' URL state and the grouping round-trip, malformed parts read as defaults", () => {
  const cards = new Map([
    [cardKey('train', 'pose'), {step: 3, camera: null}],
    [
      sceneKey('train', 'pose'),
      {step: 7, camera: [1, 2, 3, 0, 0, 0], layers: [['pose/target', false, 0.5]], through: ['pose/camera', 1]},
    ],
    [sceneKey('train', 'idle'), {step: null, camera: null, layers: [], through: null}], // nothing to keep
  ]);
  const state = {filter: '', hiddenRuns: [], syncCamera: false, syncStep: false, grouping: 'parent', cards};
  const read = readState(writeState('#mesh3d', state));
  assert.equal(read.grouping, 'parent');
  assert.deepEqual(read.cards.get(cardKey('train', 'pose')), {step: 3, camera: null});
  assert.deepEqual(read.cards.get(sceneKey('train', 'pose')), cards.get(sceneKey('train', 'pose')));
  assert.ok(!read.cards.has(sceneKey('train', 'idle')));
  const bad = JSON.stringify([
    [
      'r',
      'p',
      'x',
      [1],
      [
        ['t', 'yes', 2],
        ['u', true, 0.25],
      ],
      ['c', -1],
    ],
    [1, 2],
  ]);
  const malformed = readState(`#mesh3d&p.mesh3d.group=9&p.mesh3d.scenes=${encodeURIComponent(bad)}`);
  assert.equal(malformed.grouping, '');
  assert.deepEqual(malformed.cards.get(sceneKey('r', 'p')), {
    step: null,
    camera: null,
    layers: [['u', true, 0.25]],
    through: null,
  });
  assert.equal(readState('#mesh3d').grouping, '');
});

test("a scene's images: the run's image tags under the same prefix", () => {
  const images = {runs: {a: {'pose/render': {}, 'pose/target': {}, 'other/render': {}, render: {}}, b: {'pose/x': {}}}};
  const tags = (prefix, grouping) => sceneImages(images, 'a', prefix, grouping).map(({tag}) => tag);
  assert.deepEqual(tags('pose', 'parent'), ['pose/render', 'pose/target']);
  assert.deepEqual(tags('other', '1'), ['other/render']);
  assert.deepEqual(sceneImages(images, 'c', 'pose', 'parent'), []);
});
