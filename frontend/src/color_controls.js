// A card's colouring controls: colour by (logged colours, none, or an attribute: a scalar, or a vector's
// magnitude or one component), the colormap, and the range (per step, all steps seen, or typed in); and
// that choice as URL state (a scene card keeps each layer's).
import {COLORMAPS} from './colormap.js';
import {el, labelled, select} from './dom.js';
import {formatValue, parseRange} from './range.js';

const COMPONENT_NAMES = ['x', 'y', 'z', 'w'];
const PLAIN_SOURCES = ['logged', 'faces', 'none'];
const RANGE_MODES = ['step', 'seen', 'manual'];

/**
 * A colour choice as URL state: `[source, colormap, range]`, with source "logged", "faces", "none" or
 * `[attribute name, row]` (row as in quantitiesOf), and range "step", "seen", or `[min, max]` typed in
 * ("manual" while incomplete).
 *
 * @param {{quantity: ({name: string, row: number}|null), plain: string, colormap: string, mode: string,
 *   manual: ({min: number, max: number}|null)}} choice
 * @returns {Array}
 */
export function coloringState({quantity, plain, colormap, mode, manual}) {
  const source = quantity ? [quantity.name, quantity.row] : plain;
  return [source, colormap, mode === 'manual' && manual ? [manual.min, manual.max] : mode];
}

/**
 * The control values of coloringState() `state` for a tag offering `quantities` and the plain sources
 * `plain`, or null when it is malformed or does not apply (an attribute the tag has not, say).
 *
 * @param {*} state
 * @param {{name: string, row: number}[]} quantities
 * @param {string[]} plain the plain sources offered ("logged", "faces", "none").
 * @returns {{source: string, colormap: string, range: string, min: string, max: string}|null} source is
 *   the colour-by select's value (a plain source, or the quantity's index).
 */
export function readColoringState(state, quantities, plain) {
  if (!Array.isArray(state) || state.length !== 3) return null;
  const [source, colormap, range] = state;
  const index = Array.isArray(source) ? quantities.findIndex((q) => q.name === source[0] && q.row === source[1]) : -1;
  const value = index >= 0 ? String(index) : plain.includes(source) ? source : null;
  if (value === null || !(colormap === 'auto' || Object.hasOwn(COLORMAPS, colormap))) return null;
  const manual = Array.isArray(range) && range.length === 2 ? parseRange(range[0], range[1]) : null;
  if (!manual && !RANGE_MODES.includes(range)) return null;
  const [min, max] = manual ? [String(manual.min), String(manual.max)] : ['', ''];
  return {source: value, colormap, range: manual ? 'manual' : range, min, max};
}

/**
 * The quantities an attribute can be coloured by: its value (K = 1), or its magnitude and each component.
 *
 * @param {{name: string, placement: string, components: number}} attribute
 * @returns {{name: string, row: number, label: string}[]} row indexes the attribute's stored ranges.
 */
export function quantitiesOf(attribute) {
  const {name, placement, components} = attribute;
  const where = placement === 'face' ? ' (per face)' : '';
  if (components === 1) return [{name, row: 0, label: `${name}${where}`}];
  return [
    {name, row: components, label: `${name} · magnitude${where}`},
    ...COMPONENT_NAMES.slice(0, components).map((c, row) => ({name, row, label: `${name} · ${c}${where}`})),
  ];
}

export class ColorControls {
  /**
   * @param {object} entry the tag's listing (`attributes`, `color_channels`).
   * @param {() => void} onChange called when any control changes.
   */
  constructor(entry, onChange) {
    this.quantities = (entry.attributes || []).flatMap(quantitiesOf);
    this.element = el('div', 'mesh3d-options mesh3d-color-options');
    const sources = [];
    if (entry.color_channels > 0) sources.push(['logged', 'logged colours']);
    if (entry.face_color_channels > 0) sources.push(['faces', 'face colours']);
    sources.push(['none', 'none']);
    this.quantities.forEach((q, i) => sources.push([String(i), q.label]));
    this.source = select('colour by ', 'mesh3d-color-by', sources);
    this.element.hidden = sources.length < 2;
    this.colormap = select('colormap ', 'mesh3d-colormap', [
      ['auto', 'auto'],
      ...Object.entries(COLORMAPS).map(([name, {label}]) => [name, label]),
    ]);
    this.range = select('range ', 'mesh3d-range-mode', [
      ['step', 'per step'],
      ['seen', 'all steps seen'],
      ['manual', 'manual'],
    ]);
    this.min = labelled('min ', 'mesh3d-option', {type: 'number', step: 'any', class: 'mesh3d-range-min'});
    this.max = labelled('max ', 'mesh3d-option', {type: 'number', step: 'any', class: 'mesh3d-range-max'});
    this.element.append(this.source.label, this.colormap.label, this.range.label, this.min.label, this.max.label);
    for (const control of [this.source, this.colormap, this.range]) {
      control.input.addEventListener('change', () => {
        this.update();
        onChange();
      });
    }
    for (const input of [this.min.input, this.max.input]) {
      input.addEventListener('input', () => {
        const invalid = String(this.manualRange() === null);
        for (const field of [this.min.input, this.max.input]) field.setAttribute('aria-invalid', invalid);
        onChange();
      });
    }
    this.update();
    this.initialState = JSON.stringify(this.state());
  }

  /** The choice as URL state (coloringState). */
  state() {
    return coloringState({
      quantity: this.quantity(),
      plain: this.plainSource(),
      colormap: this.colormapChoice(),
      mode: this.rangeMode(),
      manual: this.manualRange(),
    });
  }

  /** Whether the choice is the one the controls started with. */
  isDefault() {
    return JSON.stringify(this.state()) === this.initialState;
  }

  /**
   * Sets the controls to URL state from state() (no change event); ignored unless it applies.
   *
   * @returns {boolean} whether it applied.
   */
  restore(state) {
    const plain = [...this.source.input.options].map((o) => o.value).filter((v) => PLAIN_SOURCES.includes(v));
    const values = readColoringState(state, this.quantities, plain);
    if (!values) return false;
    this.source.input.value = values.source;
    this.colormap.input.value = values.colormap;
    this.range.input.value = values.range;
    this.min.input.value = values.min;
    this.max.input.value = values.max;
    this.update();
    return true;
  }

  /** Shows only the controls that apply to the current choice. */
  update() {
    const attribute = this.quantity() !== null;
    this.colormap.label.hidden = !attribute;
    this.range.label.hidden = !attribute;
    const manual = attribute && this.range.input.value === 'manual';
    this.min.label.hidden = !manual;
    this.max.label.hidden = !manual;
  }

  /** The chosen quantity `{name, row, label}`, or null for logged colours, face colours or none. */
  quantity() {
    const value = this.source.input.value;
    return PLAIN_SOURCES.includes(value) ? null : this.quantities[Number(value)];
  }

  /** "logged", "faces" or "none" when no attribute is chosen. */
  plainSource() {
    return this.source.input.value;
  }

  colormapChoice() {
    return this.colormap.input.value;
  }

  /** "step", "seen" or "manual". */
  rangeMode() {
    return this.range.input.value;
  }

  /** The typed range, or null while it is incomplete or invalid. */
  manualRange() {
    return parseRange(this.min.input.value, this.max.input.value);
  }

  /** Fills empty manual fields with `range`, the one shown so far. */
  fillManual(range) {
    if (this.min.input.value === '' && this.max.input.value === '') {
      this.min.input.value = formatValue(range.min);
      this.max.input.value = formatValue(range.max);
    }
  }
}
