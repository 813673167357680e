// URL state, the tag filter and run selection, the built-in config and file names: pure functions.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {builtinLook} from '../src/builtin_config.js';
import {samplingNote} from '../src/card_controls.js';
import {ghostCandidates, ghostStepIndex} from '../src/ghost.js';
import {compileFilter, isShown} from '../src/toolbar.js';
import {cardKey, formatHash, parseHash, readState, writeState} from '../src/url_state.js';
import {snapshotName} from '../src/view_options.js';

const HOSTILE = '<img src=x onerror=alert(1)>&p.mesh3d.filter=x#=';

test("the state round-trips through TensorBoard's hash, keeping its other keys", () => {
  const cards = new Map([
    [cardKey('train', HOSTILE), {step: 40, camera: [1.234567, 2, 3, 0, 0, 0]}],
    [cardKey('eval', 'mesh'), {step: null, camera: null}], // nothing to keep: left out
  ]);
  const state = {filter: 'pose/.*', hiddenRuns: ['eval', HOSTILE], syncCamera: true, syncStep: false, cards};
  const hash = writeState('#mesh3d&smoothing=0.6&p.mesh3d.old=1', state);
  const {tab, pairs} = parseHash(hash);
  assert.equal(tab, 'mesh3d');
  assert.equal(pairs.get('smoothing'), '0.6');
  assert.ok(!pairs.has('p.mesh3d.old'));
  assert.ok(
    !hash
      .slice(1)
      .split('&')
      .some((part) => part.split('=').length > 2),
    'values are escaped',
  );
  const read = readState(hash);
  assert.equal(read.filter, 'pose/.*');
  assert.deepEqual(read.hiddenRuns, ['eval', HOSTILE]);
  assert.deepEqual([read.syncCamera, read.syncStep], [true, false]);
  assert.deepEqual([...read.cards], [[cardKey('train', HOSTILE), {step: 40, camera: [1.2346, 2, 3, 0, 0, 0]}]]);
});

test('malformed URL state reads as the defaults', () => {
  for (const hash of [
    '',
    '#',
    '#mesh3d&p.mesh3d.cards=%7Bnot json',
    '#p.mesh3d.cards=' + encodeURIComponent('[[1,2],["a","b",1.5,[1,2]]]'),
    '#p.mesh3d.hide_runs=%22x%22&p.mesh3d.sync=nothing',
    '#%E0%A4%A=1',
  ]) {
    const state = readState(hash);
    assert.equal(state.filter, '');
    assert.deepEqual(state.hiddenRuns, []);
    assert.equal(state.syncCamera || state.syncStep, false);
    for (const card of state.cards.values()) assert.deepEqual(card, {step: null, camera: null});
  }
  assert.equal(formatHash(parseHash('#mesh3d&a=b')), '#mesh3d&a=b');
});

test('the tag filter is a case-insensitive regular expression; an invalid one filters nothing', () => {
  const filter = compileFilter('^pose/(pred|target)$');
  assert.equal(filter.error, null);
  assert.ok(isShown({run: 'a', tag: 'pose/Pred'}, filter, new Set()));
  assert.ok(!isShown({run: 'a', tag: 'pose/other'}, filter, new Set()));
  assert.ok(!isShown({run: 'a', tag: 'pose/pred'}, filter, new Set(['a'])));
  const invalid = compileFilter('pose/(');
  assert.match(invalid.error, /^Invalid regular expression: /);
  assert.ok(isShown({run: 'a', tag: 'anything'}, invalid, new Set()));
  assert.deepEqual(compileFilter(''), {regex: null, error: null});
});

test('built-in mesh configs give a camera fov and position and a point material; junk is ignored', () => {
  const config = {
    camera: {cls: 'PerspectiveCamera', fov: 30, position: [0, 0, 5]},
    material: {cls: 'PointsMaterial', size: 0.05, color: '#ff8800'},
  };
  assert.deepEqual(builtinLook(config), {fov: 30, position: [0, 0, 5], color: 0xff8800, pointWorldSize: 0.05});
  const junk = {camera: {fov: 'wide', position: [1, 'x', 2]}, material: {size: -1, color: '<b>red</b>'}};
  assert.deepEqual(builtinLook(junk), {fov: null, position: null, color: null, pointWorldSize: null});
  assert.deepEqual(builtinLook(undefined), builtinLook({camera: null}));
});

test('a ghost of the same tag at its first or previous kept step, or of another tag at or before', () => {
  const listing = {runs: {train: {a: {}, b: {}}, eval: {a: {}}}};
  const candidates = ghostCandidates(listing, 'train', 'a');
  assert.deepEqual(
    candidates.map((c) => [c.run, c.tag, c.at]),
    [
      ['train', 'a', 'first'],
      ['train', 'a', 'previous'],
      ['train', 'b', undefined],
      ['eval', 'a', undefined],
    ],
  );
  const steps = [{step: 0}, {step: 10}, {step: 20}];
  assert.equal(ghostStepIndex(candidates[0], steps, 20, 2), 0);
  assert.equal(ghostStepIndex(candidates[1], steps, 20, 2), 1);
  assert.equal(ghostStepIndex(candidates[1], steps, 0, 0), -1);
  assert.equal(ghostStepIndex(candidates[2], steps, 15, 1), 1);
});

test('saved views are named after run, tag and step, with user text made safe for a file name', () => {
  assert.equal(snapshotName('train/run 1', 'pose/pred', 12), 'train_run_1-pose_pred-step12.png');
  assert.equal(snapshotName('../..', '<script>', 0), '.._..-script-step0.png');
  assert.equal(snapshotName('ünïcode', '', 3), 'ünïcode-untitled-step3.png');
});

test('the sampling note names how many steps were kept and the flag that keeps them all', () => {
  const entry = {
    steps: new Array(10).fill({}),
    max_step: 99,
    sampling: {limit: 10, may_have_dropped: true, keep_all_flag: '--samples_per_plugin=mesh=0'},
  };
  assert.match(
    samplingNote(entry),
    /^Showing the 10 steps TensorBoard kept up to step 99: .* --samples_per_plugin=mesh=0 to keep them all\.$/,
  );
  assert.equal(samplingNote({...entry, sampling: {...entry.sampling, may_have_dropped: false}}), '');
  assert.equal(samplingNote({steps: []}), '');
});
