// A card's arrow controls: which vector (K = 3) attribute to draw as arrows, and a log-scale length factor
// relative to the automatic length (the longest arrow a tenth of the model's radius).
import {SCALE_SLIDER, sliderFactor} from './arrows.js';
import {el, labelled, select} from './dom.js';
import {formatValue} from './range.js';

export class ArrowControls {
  /**
   * @param {object} entry the tag's listing (`attributes`).
   * @param {() => void} onChange called when a control changes.
   */
  constructor(entry, onChange) {
    this.vectors = (entry.attributes || []).filter((a) => a.components === 3);
    this.element = el('div', 'mesh3d-options mesh3d-arrow-options');
    this.element.hidden = this.vectors.length === 0;
    const choices = this.vectors.map((a, i) => [String(i), a.placement === 'face' ? `${a.name} (per face)` : a.name]);
    this.choice = select('arrows ', 'mesh3d-arrows', [['none', 'none'], ...choices]);
    const slider = {...SCALE_SLIDER, type: 'range', value: 0, class: 'mesh3d-arrow-length'};
    this.length = labelled('length ', 'mesh3d-option', slider);
    this.factorLabel = el('span', 'mesh3d-arrow-factor');
    this.length.label.append(this.factorLabel);
    this.element.append(this.choice.label, this.length.label);
    this.choice.input.addEventListener('change', () => {
      this.update();
      onChange();
    });
    this.length.input.addEventListener('input', () => {
      this.update();
      onChange();
    });
    this.update();
  }

  update() {
    this.length.label.hidden = this.name() === null;
    this.factorLabel.textContent = `×${formatValue(this.factor())}`;
  }

  /** The name of the attribute drawn as arrows, or null. */
  name() {
    const value = this.choice.input.value;
    return value === 'none' ? null : this.vectors[Number(value)].name;
  }

  /** The length factor relative to the automatic length. */
  factor() {
    return sliderFactor(Number(this.length.input.value));
  }
}
