// Colormaps as 256-entry RGBA tables, sampled from d3-scale-chromatic's published schemes. The same table
// feeds the GPU (a 256 × 1 texture, see attribute_color.js) and the legend's colour bar.
import {rgb} from 'd3-color';
import {interpolateRdBu, interpolateViridis} from 'd3-scale-chromatic';

export const TABLE_SIZE = 256;

/** The colormaps offered: a perceptual sequential one and a diverging one (blue below, red above). */
export const COLORMAPS = {
  viridis: {label: 'viridis', diverging: false, at: interpolateViridis},
  'blue-red': {label: 'blue–red (diverging)', diverging: true, at: (t) => interpolateRdBu(1 - t)},
};

const tables = new Map();

/**
 * The RGBA bytes of a colormap: entry i is the scheme's colour at i / 255.
 *
 * @param {string} name a key of COLORMAPS.
 * @returns {Uint8Array} TABLE_SIZE * 4 bytes, alpha 255.
 */
export function colormapTable(name) {
  const scheme = COLORMAPS[name];
  if (!scheme) throw new RangeError(`unknown colormap ${JSON.stringify(name)}`);
  let table = tables.get(name);
  if (!table) {
    table = new Uint8Array(TABLE_SIZE * 4);
    for (let i = 0; i < TABLE_SIZE; i++) {
      const {r, g, b} = rgb(scheme.at(i / (TABLE_SIZE - 1)));
      table.set([r, g, b, 255], i * 4);
    }
    tables.set(name, table);
  }
  return table;
}

/**
 * The colour at t in [0, 1] (clamped), interpolated between table entries as the GPU's linear filter does.
 *
 * @returns {number[]} [r, g, b], 0–255 (not rounded).
 */
export function sampleColormap(name, t) {
  const table = colormapTable(name);
  const x = Math.min(Math.max(Number.isFinite(t) ? t : 0, 0), 1) * (TABLE_SIZE - 1);
  const i = Math.min(Math.floor(x), TABLE_SIZE - 2);
  const f = x - i;
  return [0, 1, 2].map((k) => table[i * 4 + k] * (1 - f) + table[(i + 1) * 4 + k] * f);
}
