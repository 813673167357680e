import assert from 'node:assert/strict';
import {test} from 'node:test';

import {indexAfterRelisting, indexAtOrBefore} from '../src/steps.js';

const steps = (...numbers) => numbers.map((step) => ({step, wall_time: step}));

test('the nearest kept step at or before a step', () => {
  const kept = steps(0, 10, 20, 30);
  assert.deepEqual(
    [-1, 0, 5, 10, 29, 30, 99].map((s) => indexAtOrBefore(kept, s)),
    [-1, 0, 0, 1, 2, 3, 3],
  );
  assert.equal(indexAtOrBefore([], 5), -1);
});

test('after listing again, a following card moves to the newest step', () => {
  assert.equal(indexAfterRelisting(steps(0, 1, 2, 3, 4), 2, true), 4);
  assert.equal(indexAfterRelisting(steps(0, 1), undefined, false), 1);
});

test('after listing again, a card not following keeps its step, or the last kept one before it', () => {
  assert.equal(indexAfterRelisting(steps(0, 1, 2, 3, 4), 2, false), 2);
  assert.equal(indexAfterRelisting(steps(0, 10, 40), 20, false), 1); // 20 was dropped from the kept steps
  assert.equal(indexAfterRelisting(steps(30, 40), 20, false), 0);
  assert.equal(indexAfterRelisting([], 20, false), -1);
});

test('a following card whose newest steps keep being dropped takes the step before the newest', () => {
  assert.equal(indexAfterRelisting(steps(0, 1, 2, 3, 4), 2, true, true), 3);
  assert.equal(indexAfterRelisting(steps(7), 7, true, true), 0); // nothing older to take
  assert.equal(indexAfterRelisting(steps(0, 1, 2, 3, 4), 2, false, true), 2); // not following: its own step
});
