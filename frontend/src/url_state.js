// The dashboard's state in TensorBoard's own URL, so a view can be shared and survives a reload.
// TensorBoard keeps plugin state in its hash as `p.<plugin>.<key>=<value>` pairs (its plugin API's
// GetURLPluginData reads them back; in TensorBoard 2.21 that call answered {} even for a URL holding
// such keys, so the frame reads its parent's hash itself: same origin). Writes replace the parent's
// history entry without a hashchange, so TensorBoard does not re-route.

import {isGrouping} from './scene_grouping.js';

const PREFIX = 'p.mesh3d.';
const DIGITS = 5;

/** TensorBoard's hash `#tab&key=value&...` as `{tab, pairs: Map}` (keys and values decoded). */
export function parseHash(hash) {
  const pairs = new Map();
  let tab = '';
  for (const part of String(hash).replace(/^#/, '').split('&')) {
    if (!part) continue;
    const pieces = part.split('=');
    try {
      if (pieces.length === 1) tab = decodeURIComponent(pieces[0]);
      else if (pieces.length === 2) pairs.set(decodeURIComponent(pieces[0]), decodeURIComponent(pieces[1]));
    } catch {
      // A malformed escape: skip the pair, as TensorBoard would fail to read it too.
    }
  }
  return {tab, pairs};
}

/** The hash of `{tab, pairs}`, in TensorBoard's format. */
export function formatHash({tab, pairs}) {
  const parts = tab ? [encodeURIComponent(tab)] : [];
  for (const [key, value] of pairs) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
  return `#${parts.join('&')}`;
}

function parseJson(text, fallback) {
  try {
    return text === undefined ? fallback : JSON.parse(text);
  } catch {
    return fallback;
  }
}

const isNumberList = (value, length) =>
  Array.isArray(value) && value.length === length && value.every((x) => typeof x === 'number' && Number.isFinite(x));

const isLayerLook = (value) =>
  Array.isArray(value) &&
  typeof value[0] === 'string' &&
  typeof value[1] === 'boolean' &&
  typeof value[2] === 'number' &&
  value[2] >= 0 &&
  value[2] <= 1;

/**
 * A layer's URL state: `[tag, visible, opacity]`, and its colouring (color_controls.coloringState, checked
 * against the tag's attributes by the layer) when it has one; null if malformed.
 */
function readLayer(value) {
  if (!isLayerLook(value)) return null;
  return Array.isArray(value[3]) ? value.slice(0, 4) : value.slice(0, 3);
}

/** A scene's URL state from an item of the `scenes` key `[run, prefix, step, camera, layers, through]`. */
function readScene(item) {
  const through = Array.isArray(item[5]) && typeof item[5][0] === 'string' && Number.isSafeInteger(item[5][1]);
  return {
    step: Number.isSafeInteger(item[2]) ? item[2] : null,
    camera: isNumberList(item[3], 6) ? item[3] : null,
    layers: Array.isArray(item[4]) ? item[4].map(readLayer).filter(Boolean) : [],
    through: through && item[5][1] >= 0 ? item[5].slice(0, 2) : null,
  };
}

/**
 * The dashboard state held in a hash; anything malformed reads as the default.
 *
 * @returns {{filter: string, hiddenRuns: string[], syncCamera: boolean, syncStep: boolean, grouping: string,
 *   cards: Map<string, {step: (number|null), camera: (number[]|null)}>}} cards keyed by cardKey(), and
 *   scenes by sceneKey() with their `layers` (`[tag, visible, opacity]`, or
 *   `[tag, visible, opacity, colouring]`) and `through` (`[tag, camera]`).
 */
export function readState(hash) {
  const {pairs} = parseHash(hash);
  const get = (key) => pairs.get(PREFIX + key);
  const hidden = parseJson(get('hide_runs'), []);
  const sync = String(get('sync') ?? '').split(',');
  const cards = new Map();
  const listed = parseJson(get('cards'), []);
  for (const item of Array.isArray(listed) ? listed : []) {
    if (!Array.isArray(item) || typeof item[0] !== 'string' || typeof item[1] !== 'string') continue;
    const step = Number.isSafeInteger(item[2]) ? item[2] : null;
    const camera = isNumberList(item[3], 6) ? item[3] : null;
    cards.set(cardKey(item[0], item[1]), {step, camera});
  }
  const scenes = parseJson(get('scenes'), []);
  for (const item of Array.isArray(scenes) ? scenes : []) {
    if (!Array.isArray(item) || typeof item[0] !== 'string' || typeof item[1] !== 'string') continue;
    cards.set(sceneKey(item[0], item[1]), readScene(item));
  }
  return {
    filter: typeof get('filter') === 'string' ? get('filter') : '',
    hiddenRuns: Array.isArray(hidden) ? hidden.filter((r) => typeof r === 'string') : [],
    syncCamera: sync.includes('camera'),
    syncStep: sync.includes('step'),
    grouping: isGrouping(get('group')) ? get('group') : '',
    cards,
  };
}

/** The key of a card in readState()'s `cards`. */
export function cardKey(run, tag) {
  return JSON.stringify([run, tag]);
}

/** The key of a scene card (scene_card.js) of the tags of `run` under `prefix` in readState()'s `cards`. */
export function sceneKey(run, prefix) {
  return JSON.stringify([run, prefix, 'scene']);
}

const round = (x) => Number(x.toPrecision(DIGITS));

/** `hash` with the dashboard's keys replaced by `state` (the shape readState returns); other keys kept. */
export function writeState(hash, state) {
  const parsed = parseHash(hash);
  for (const key of [...parsed.pairs.keys()]) if (key.startsWith(PREFIX)) parsed.pairs.delete(key);
  const set = (key, value) => parsed.pairs.set(PREFIX + key, value);
  if (state.filter) set('filter', state.filter);
  if (state.hiddenRuns.length) set('hide_runs', JSON.stringify(state.hiddenRuns));
  const sync = [state.syncCamera && 'camera', state.syncStep && 'step'].filter(Boolean);
  if (sync.length) set('sync', sync.join(','));
  if (state.grouping) set('group', state.grouping);
  const cards = [];
  const scenes = [];
  for (const [key, {step, camera, layers = [], through = null}] of state.cards) {
    if (step === null && camera === null && layers.length === 0 && through === null) continue;
    const [run, tag, scene] = JSON.parse(key);
    if (scene) scenes.push([run, tag, step, camera && camera.map(round), layers, through]);
    else cards.push([run, tag, step, camera && camera.map(round)]);
  }
  if (cards.length) set('cards', JSON.stringify(cards));
  if (scenes.length) set('scenes', JSON.stringify(scenes));
  return formatHash(parsed);
}

/** Reads and writes the state in the URL of TensorBoard's page (or this page outside TensorBoard). */
export class UrlState {
  constructor() {
    let host = window;
    try {
      if (window.parent !== window && window.parent.location.href) host = window.parent;
    } catch {
      host = window; // a parent of another origin: keep the state in this frame's URL
    }
    this.host = host;
    this.timer = null;
  }

  read() {
    return readState(this.host.location.hash);
  }

  /** Writes `state` soon (changes while dragging the camera are coalesced). */
  write(state) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const hash = writeState(this.host.location.hash, state);
      if (hash !== this.host.location.hash && !(hash === '#' && !this.host.location.hash)) {
        const url = new URL(this.host.location.href);
        url.hash = hash;
        this.host.history.replaceState(this.host.history.state, '', url.toString());
      }
    }, 250);
  }
}
