import assert from 'node:assert/strict';
import {test} from 'node:test';

import {COLORMAPS, TABLE_SIZE, colormapTable, sampleColormap} from '../src/colormap.js';

const near = (actual, expected, tolerance = 1.5) =>
  assert.ok(
    actual.every((v, k) => Math.abs(v - expected[k]) <= tolerance),
    `${actual} != ${expected}`,
  );

test('viridis runs from purple through teal to yellow', () => {
  near(sampleColormap('viridis', 0), [0x44, 0x01, 0x54]);
  near(sampleColormap('viridis', 0.5), [0x21, 0x91, 0x8c]);
  near(sampleColormap('viridis', 1), [0xfd, 0xe7, 0x25]);
});

test('the diverging map is blue below its middle, near white at it, red above', () => {
  const [low, middle, high] = [0, 0.5, 1].map((t) => sampleColormap('blue-red', t));
  assert.ok(low[2] > 90 && low[0] < 10, `blue end ${low}`);
  assert.ok(high[0] > 100 && high[2] < 40, `red end ${high}`);
  assert.ok(Math.min(...middle) > 230, `white middle ${middle}`);
  // Symmetric around the middle: equally far from white on both sides.
  const distance = (c) => Math.hypot(...c.map((v, k) => v - middle[k]));
  for (const d of [0.1, 0.25, 0.4]) {
    assert.ok(
      Math.abs(distance(sampleColormap('blue-red', 0.5 - d)) - distance(sampleColormap('blue-red', 0.5 + d))) < 40,
    );
  }
  assert.ok(COLORMAPS['blue-red'].diverging && !COLORMAPS.viridis.diverging);
});

test('tables hold TABLE_SIZE opaque RGBA entries and are made once', () => {
  const table = colormapTable('viridis');
  assert.equal(table.length, TABLE_SIZE * 4);
  for (let i = 3; i < table.length; i += 4) assert.equal(table[i], 255);
  assert.equal(colormapTable('viridis'), table);
  assert.throws(() => colormapTable('jet'), /unknown colormap "jet"/);
});

test('sampling clamps and interpolates between entries like a linear texture filter', () => {
  assert.deepEqual(sampleColormap('viridis', -3), sampleColormap('viridis', 0));
  assert.deepEqual(sampleColormap('viridis', 7), sampleColormap('viridis', 1));
  assert.deepEqual(sampleColormap('viridis', NaN), sampleColormap('viridis', 0));
  const table = colormapTable('viridis');
  const between = sampleColormap('viridis', 10.5 / (TABLE_SIZE - 1));
  between.forEach((v, k) => assert.equal(v, (table[40 + k] + table[44 + k]) / 2));
});
