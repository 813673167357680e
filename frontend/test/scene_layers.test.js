// Scene layers' colouring in the URL: a colour choice as state and back, checked against the tag's
// attributes, and a layer's URL item with it; and picking in a view of several layers: the nearest hit
// wins, and the tooltip names its layer.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {coloringState, quantitiesOf, readColoringState} from '../src/color_controls.js';
import {readState, sceneKey, writeState} from '../src/url_state.js';
import {ViewPicking, describeLayerPick} from '../src/view_picking.js';

const QUANTITIES = [
  ...quantitiesOf({name: 'grad', placement: 'vertex', components: 3}),
  ...quantitiesOf({name: 'grad_norm', placement: 'vertex', components: 1}),
];
const PLAIN = ['logged', 'none'];

test('a colour choice as URL state and back: attribute quantities, plain sources, manual ranges', () => {
  const norm = QUANTITIES.findIndex((q) => q.name === 'grad_norm');
  const state = coloringState({quantity: QUANTITIES[norm], plain: '0', colormap: 'auto', mode: 'step', manual: null});
  assert.deepEqual(state, [['grad_norm', 0], 'auto', 'step']);
  assert.deepEqual(readColoringState(state, QUANTITIES, PLAIN), {
    source: String(norm),
    colormap: 'auto',
    range: 'step',
    min: '',
    max: '',
  });
  const magnitude = coloringState({
    quantity: QUANTITIES[0],
    plain: '0',
    colormap: 'blue-red',
    mode: 'manual',
    manual: {min: -1, max: 2.5},
  });
  assert.deepEqual(magnitude, [['grad', 3], 'blue-red', [-1, 2.5]]);
  assert.deepEqual(readColoringState(magnitude, QUANTITIES, PLAIN), {
    source: '0',
    colormap: 'blue-red',
    range: 'manual',
    min: '-1',
    max: '2.5',
  });
  const plain = coloringState({quantity: null, plain: 'none', colormap: 'auto', mode: 'manual', manual: null});
  assert.deepEqual(plain, ['none', 'auto', 'manual']); // an incomplete manual range stays "manual"
  assert.equal(readColoringState(plain, QUANTITIES, PLAIN).source, 'none');
});

test('a colour choice that does not apply to the tag, or is malformed, reads as null', () => {
  for (const state of [
    [['grad', 7], 'auto', 'step'], // no such row
    [['loss', 0], 'auto', 'step'], // no such attribute
    ['faces', 'auto', 'step'], // no face colours offered
    [['grad', 0], 'rainbow', 'step'],
    [['grad', 0], 'auto', 'always'],
    [['grad', 0], 'auto', [2, 1]], // min > max
    [['grad', 0], 'auto', ['a', 1]],
    [['grad', 0], 'auto'],
    'grad',
    null,
  ]) {
    assert.equal(readColoringState(state, QUANTITIES, PLAIN), null, JSON.stringify(state));
  }
});

test("a layer's colouring round-trips through the URL; a malformed one is dropped, its look kept", () => {
  const layers = [
    ['pose/predicted', true, 1, [['grad_norm', 0], 'auto', 'seen']],
    ['pose/true', false, 0.5],
  ];
  const cards = new Map([[sceneKey('train', 'pose'), {step: null, camera: null, layers, through: null}]]);
  const state = {filter: '', hiddenRuns: [], syncCamera: false, syncStep: false, grouping: 'parent', cards};
  assert.deepEqual(readState(writeState('#mesh3d', state)).cards.get(sceneKey('train', 'pose')).layers, layers);
  const bad = JSON.stringify([
    [
      'train',
      'pose',
      null,
      null,
      [
        ['a', true, 1, 'grad'],
        ['b', true, 1, [], 'extra'],
      ],
    ],
  ]);
  const read = readState(`#mesh3d&p.mesh3d.scenes=${encodeURIComponent(bad)}`);
  assert.deepEqual(read.cards.get(sceneKey('train', 'pose')).layers, [
    ['a', true, 1],
    ['b', true, 1, []], // its colouring is checked against the tag's attributes by the layer
  ]);
});

test('a pick in a named layer is described with the layer first, as text', () => {
  const model = {
    as: 'points',
    arrays: {vertices: {dtype: 'float32', data: new Float32Array([0, 1, 2, 3, 4, 5]), shape: [2, 3]}},
    attributes: new Map([
      [
        'grad_norm',
        {name: 'grad_norm', placement: 'vertex', values: {data: new Float32Array([0.5, 0.25]), shape: [2]}},
      ],
    ]),
  };
  const name = '<img src=x onerror=alert(1)>/points';
  assert.deepEqual(describeLayerPick({name, model, preview: null}, {vertex: 1, face: -1}), [
    ['layer', name],
    ['point', '1'],
    ['position', '(3, 4, 5)'],
    ['grad_norm', '0.25'],
  ]);
  assert.equal(describeLayerPick({model}, {vertex: 0, face: -1})[0][0], 'point'); // a card's step: no layer line
});

test('a view of several layers keeps the hit nearest the camera among the layers it is given', () => {
  const hits = {
    far: {vertex: 3, face: -1, depth: 0.5, method: 'screen'},
    near: {vertex: 7, face: 2, depth: 0.2, method: 'gpu'},
    missed: {vertex: -1, face: -1, depth: Infinity, method: 'gpu'},
  };
  const layers = [...Object.keys(hits).map((name) => ({name, model: name})), {name: 'loading', model: null}];
  const view = {
    layers: () => layers,
    view: {getBoundingClientRect: () => ({width: 100, height: 80})},
    card: {dataset: {}},
    pickModel: (model) => hits[model],
  };
  const pickAt = (at) => ViewPicking.prototype.pickAt.call(view, at);
  assert.deepEqual(pickAt({x: 1, y: 2}), {layer: layers[1], vertex: 7, face: 2});
  assert.equal(view.card.dataset.pickMethod, 'gpu');
  layers.splice(1, 1); // the near layer hidden: the far one is hit
  assert.deepEqual(pickAt({x: 1, y: 2}), {layer: layers[0], vertex: 3, face: -1});
  assert.equal(view.card.dataset.pickMethod, 'screen');
  layers.splice(0, 1);
  assert.equal(pickAt({x: 1, y: 2}), null);
});
