// Value ranges of attributes and how they map onto a colormap. Pure functions: no DOM, no three.js.

/**
 * The (min, max) of one row of an attribute's stored ranges (`[K + 1, 2]`, docs/wire-format.md): row k
 * is component k, row K the magnitude.
 *
 * @param {Float32Array} ranges
 * @param {number} row
 * @returns {{min: number, max: number}}
 */
export function storedRange(ranges, row) {
  return {min: ranges[2 * row], max: ranges[2 * row + 1]};
}

/** The smallest range holding both (either may be null). */
export function unionRange(a, b) {
  if (!a) return b;
  if (!b) return a;
  return {min: Math.min(a.min, b.min), max: Math.max(a.max, b.max)};
}

/**
 * Which colormap to use: `choice` itself, or for "auto" a diverging map when signed values span 0 and
 * the sequential one otherwise (always for magnitudes).
 *
 * @param {string} choice "auto" or a colormap name.
 * @param {{min: number, max: number}} range
 * @param {boolean} magnitude whether the values are magnitudes (never negative).
 * @returns {string} "viridis" or "blue-red".
 */
export function chooseColormap(choice, range, magnitude) {
  if (choice !== 'auto') return choice;
  return !magnitude && range.min < 0 && range.max > 0 ? 'blue-red' : 'viridis';
}

/**
 * The linear map from values to colormap coordinates, t = value * scale + offset, clamped to [0, 1]
 * by the shader. A diverging map is centred on 0 and covers [-m, m] with m = max(|min|, |max|); a
 * sequential one covers [min, max]. A range of width 0 gives scale 0: every value maps to the middle
 * (or, diverging, to the end its sign points to), never to NaN.
 *
 * @param {{min: number, max: number}} range
 * @param {boolean} diverging
 * @returns {{scale: number, offset: number, low: number, high: number}} low and high are the colour
 *   bar's ends.
 */
export function normalization(range, diverging) {
  if (diverging) {
    const m = Math.max(Math.abs(range.min), Math.abs(range.max));
    return m > 0 ? {scale: 0.5 / m, offset: 0.5, low: -m, high: m} : {scale: 0, offset: 0.5, low: 0, high: 0};
  }
  const width = range.max - range.min;
  if (!(width > 0) || !Number.isFinite(1 / width)) {
    return {scale: 0, offset: 0.5, low: range.min, high: range.min};
  }
  return {scale: 1 / width, offset: -range.min / width, low: range.min, high: range.max};
}

/** A value as a short label: three significant digits, exponent notation when very large or small. */
export function formatValue(x) {
  const rounded = Number(x.toPrecision(3));
  const magnitude = Math.abs(rounded);
  if (magnitude !== 0 && (magnitude >= 1e5 || magnitude < 1e-3)) {
    return rounded
      .toExponential(2)
      .replace(/\.?0+e/, 'e')
      .replace('e+', 'e');
  }
  return String(rounded);
}

/**
 * A range typed by the user, or null unless both ends are finite numbers with min <= max.
 *
 * @param {string} minText
 * @param {string} maxText
 */
export function parseRange(minText, maxText) {
  if (String(minText).trim() === '' || String(maxText).trim() === '') return null;
  const min = Number(minText);
  const max = Number(maxText);
  return Number.isFinite(min) && Number.isFinite(max) && min <= max ? {min, max} : null;
}
