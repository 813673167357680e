import assert from 'node:assert/strict';
import {test} from 'node:test';

import {alertLine, bannerText} from '../src/alerts.js';

const alert = (step, wallTime) => ({
  run: 'train',
  step,
  wall_time: wallTime,
  op: 'graphics_ops.rendering.interpolation.interpolate',
  tag: 'trace/interpolate',
  found_in: 'output',
  inputs: 'attributes: min 0, max 1, mean 0.5, NaN/Inf 1',
});

test('an alert line names the run, step, op, tag and inputs', () => {
  assert.equal(
    alertLine(alert(3, 1)),
    'train, step 3: NaN/Inf first in the output of graphics_ops.rendering.interpolation.interpolate ' +
      '(tag trace/interpolate); inputs: attributes: min 0, max 1, mean 0.5, NaN/Inf 1',
  );
});

test('the banner lists the latest five alerts, newest first, and counts them all', () => {
  const alerts = [1, 2, 3, 4, 5, 6, 7].map((step) => alert(step, step));
  const {heading, lines} = bannerText(alerts);
  assert.equal(heading, '7 traced steps produced NaN or Inf (the latest 5):');
  assert.deepEqual(
    lines.map((line) => line.split(':')[0]),
    [7, 6, 5, 4, 3].map((step) => `train, step ${step}`),
  );
  assert.equal(bannerText([alert(1, 1)]).heading, '1 traced step produced NaN or Inf:');
});
