// A card's colouring controls: colour by (logged colours, none, or an attribute: a scalar, or a vector's
// magnitude or one component), the colormap, and the range (per step, all steps seen, or typed in).
import {COLORMAPS} from './colormap.js';
import {el, labelled, select} from './dom.js';
import {formatValue, parseRange} from './range.js';

const COMPONENT_NAMES = ['x', 'y', 'z', 'w'];
const PLAIN_SOURCES = ['logged', 'faces', 'none'];

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
