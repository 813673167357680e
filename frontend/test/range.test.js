import assert from 'node:assert/strict';
import {test} from 'node:test';

import {chooseColormap, formatValue, normalization, parseRange, storedRange, unionRange} from '../src/range.js';

const t = ({scale, offset}, value) => Math.min(Math.max(value * scale + offset, 0), 1);

test('stored ranges are read per row: components, then the magnitude', () => {
  const ranges = new Float32Array([-1, 2, -3, 4, 0.5, 6, 0.25, 7]); // K = 3
  assert.deepEqual(storedRange(ranges, 1), {min: -3, max: 4});
  assert.deepEqual(storedRange(ranges, 3), {min: 0.25, max: 7});
});

test('union of ranges', () => {
  assert.deepEqual(unionRange({min: -1, max: 2}, {min: 0, max: 5}), {min: -1, max: 5});
  assert.deepEqual(unionRange(undefined, {min: 0, max: 5}), {min: 0, max: 5});
  assert.deepEqual(unionRange({min: 0, max: 5}, null), {min: 0, max: 5});
});

test('a sequential map covers [min, max]: ends at 0 and 1, midpoint at 0.5', () => {
  const map = normalization({min: 2, max: 6}, false);
  assert.deepEqual([t(map, 2), t(map, 4), t(map, 6)], [0, 0.5, 1]);
  assert.deepEqual([map.low, map.high], [2, 6]);
});

test('a diverging map is centred on 0 and symmetric', () => {
  const map = normalization({min: -1, max: 3}, true);
  assert.equal(t(map, 0), 0.5);
  assert.equal(t(map, 3), 1);
  assert.equal(t(map, -3), 0);
  assert.equal(t(map, -1), 0.5 - 1 / 6);
  assert.deepEqual([map.low, map.high], [-3, 3]);
  const positive = normalization({min: 1, max: 2}, true);
  assert.equal(t(positive, 0), 0.5);
  assert.equal(t(positive, 2), 1);
});

test('constant attributes (min == max) map to finite colours, never NaN', () => {
  for (const diverging of [false, true]) {
    for (const value of [0, 2, -5, 1e-30, 3e38]) {
      const map = normalization({min: value, max: value}, diverging);
      for (const x of [value, 0, 1]) assert.ok(Number.isFinite(t(map, x)), `${diverging} ${value} ${x}`);
      assert.ok(Number.isFinite(map.low) && Number.isFinite(map.high));
    }
  }
  assert.equal(t(normalization({min: 2, max: 2}, false), 2), 0.5);
  assert.equal(t(normalization({min: 0, max: 0}, true), 0), 0.5);
  assert.equal(t(normalization({min: 2, max: 2}, true), 2), 1);
});

test('a range too narrow for its reciprocal still gives finite colours', () => {
  const map = normalization({min: 1, max: 1 + 1e-320}, false);
  assert.ok(Number.isFinite(map.scale) && Number.isFinite(map.offset));
});

test('auto picks the diverging map only for signed values spanning 0', () => {
  assert.equal(chooseColormap('auto', {min: -1, max: 2}, false), 'blue-red');
  assert.equal(chooseColormap('auto', {min: 0, max: 2}, false), 'viridis');
  assert.equal(chooseColormap('auto', {min: -3, max: -1}, false), 'viridis');
  assert.equal(chooseColormap('auto', {min: -1, max: 2}, true), 'viridis');
  assert.equal(chooseColormap('blue-red', {min: 0, max: 2}, true), 'blue-red');
});

test('labels have three significant digits, exponents when very large or small', () => {
  assert.deepEqual([0, 2, 0.5, -1.23456, 123.456, 99999, 123456, 0.000123, -2.5e-7].map(formatValue), [
    '0',
    '2',
    '0.5',
    '-1.23',
    '123',
    '1e5',
    '1.23e5',
    '1.23e-4',
    '-2.5e-7',
  ]);
});

test('typed ranges need two finite numbers in order', () => {
  assert.deepEqual(parseRange('-1', '2.5'), {min: -1, max: 2.5});
  assert.deepEqual(parseRange('3', '3'), {min: 3, max: 3});
  for (const [a, b] of [
    ['', '2'],
    ['1', ' '],
    ['x', '2'],
    ['3', '1'],
    ['1', 'Infinity'],
  ])
    assert.equal(parseRange(a, b), null);
});
