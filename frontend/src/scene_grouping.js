// Which tags of a run are drawn together as one scene card. Tags are grouped by a prefix of their path:
// "parent" takes the tag up to its last '/' (`pose/estimate`, `pose/target` and `pose/camera` make the
// scene `pose`); a number n takes the first n parts (`trace/render/mesh` and `trace/loss/grad` share
// `trace` at 1). Tags without such a prefix, and prefixes holding a single tag of the run, stay cards.

/** The groupings the toolbar offers: `[value, label]`; "" keeps a card per tag. */
export const GROUPINGS = [
  ['', 'a card per tag'],
  ['parent', 'by prefix (up to the last /)'],
  ['1', 'by first part'],
  ['2', 'by first 2 parts'],
  ['3', 'by first 3 parts'],
];

/** Whether `value` is one of GROUPINGS' values. */
export function isGrouping(value) {
  return GROUPINGS.some(([known]) => known === value);
}

/**
 * The scene prefix of `tag` under `grouping` (a GROUPINGS value), or null when the tag is not in one.
 *
 * @param {string} tag
 * @param {string} grouping
 */
export function scenePrefix(tag, grouping) {
  if (!grouping) return null;
  const parts = tag.split('/');
  if (grouping === 'parent') return parts.length > 1 ? parts.slice(0, -1).join('/') : null;
  const depth = Number(grouping);
  if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`grouping must be one of GROUPINGS, got ${grouping}`);
  return parts.length > depth ? parts.slice(0, depth).join('/') : null;
}

/**
 * The cards of `entries` (`{run, tag}` sorted by run then tag): `{run, tag}` for a tag's own card, and
 * `{run, prefix, tags}` for a scene of two or more tags of a run (tags sorted), at its first tag's place.
 *
 * @param {{run: string, tag: string}[]} entries
 * @param {string} grouping a GROUPINGS value.
 */
export function groupCards(entries, grouping) {
  const scenes = new Map(); // JSON [run, prefix] -> the scene's tags
  for (const {run, tag} of entries) {
    const prefix = scenePrefix(tag, grouping);
    if (prefix === null) continue;
    const key = JSON.stringify([run, prefix]);
    if (!scenes.has(key)) scenes.set(key, []);
    scenes.get(key).push(tag);
  }
  const placed = new Set();
  const cards = [];
  for (const {run, tag} of entries) {
    const prefix = scenePrefix(tag, grouping);
    const key = JSON.stringify([run, prefix]);
    const tags = prefix === null ? null : scenes.get(key);
    if (!tags || tags.length < 2) {
      cards.push({run, tag});
    } else if (!placed.has(key)) {
      placed.add(key);
      cards.push({run, prefix, tags});
    }
  }
  return cards;
}
