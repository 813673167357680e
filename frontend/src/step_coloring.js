// What a card's colour and arrow controls ask of the step shown: colouring by logged colours, face
// colours, none or an attribute (its range per step, over the steps seen, or typed in) with the legend,
// and arrows of a vector attribute at the automatic length times the slider's factor. A scene card's
// layers use it without arrows.
import {ArrowControls} from './arrow_controls.js';
import {autoArrowScale} from './arrows.js';
import {coloringUniforms, setColoring} from './attribute_color.js';
import {ColorControls} from './color_controls.js';
import {COLORMAPS} from './colormap.js';
import {Legend} from './legend.js';
import {chooseColormap, normalization, storedRange, unionRange} from './range.js';

export class StepColoring {
  /**
   * @param {object} entry the tag's listing (attributes, colour channels).
   * @param {object} callbacks
   * @param {() => ({model: (import('./model.js').StepModel|null), step: (number|null)})} callbacks.shown
   *   the step shown now.
   * @param {() => void} callbacks.redraw asks for a frame.
   * @param {boolean} [callbacks.arrows] whether to offer arrows (`arrowControls` is null without).
   */
  constructor(entry, {shown, redraw, arrows = true}) {
    this.shown = shown;
    this.redraw = redraw;
    this.seen = new Map(); // attribute name -> per-row union of the ranges of the steps loaded
    this.uniforms = coloringUniforms();
    this.arrowScale = null; // {name, scale}: the automatic arrow scale, fixed when arrows are chosen
    this.legend = new Legend();
    this.colorControls = new ColorControls(entry, () => this.applyColoring());
    this.arrowControls = arrows ? new ArrowControls(entry, () => this.applyArrows()) : null;
  }

  /** Adds the attribute ranges of a newly loaded step to the ranges seen. */
  noteRanges(model) {
    for (const [name, attribute] of model.attributes) {
      const rows = this.seen.get(name) || [];
      for (let row = 0; row <= attribute.components; row++) {
        rows[row] = unionRange(rows[row], storedRange(attribute.ranges.data, row));
      }
      this.seen.set(name, rows);
    }
  }

  /** The range of one quantity of `attribute` that the chosen range mode asks for. */
  rangeOf(attribute, row) {
    const step = storedRange(attribute.ranges.data, row);
    const mode = this.colorControls.rangeMode();
    if (mode === 'seen') return this.seen.get(attribute.name)?.[row] ?? step;
    if (mode === 'manual') {
      this.colorControls.fillManual(step);
      return this.colorControls.manualRange() ?? step;
    }
    return step;
  }

  /** Colours the shown step as the colour controls say, and updates the legend. */
  applyColoring() {
    const {model, step} = this.shown();
    if (!model) return;
    const quantity = this.colorControls.quantity();
    const attribute = quantity && model.drawable(quantity.name);
    if (!attribute) {
      const plain = this.colorControls.plainSource();
      model.setColoring(quantity || plain === 'none' ? 'none' : plain === 'faces' ? 'faces' : null);
      if (quantity) this.legend.showMessage(`Step ${step} has no attribute ${quantity.name}.`);
      else this.legend.hide();
      this.redraw();
      return;
    }
    const range = this.rangeOf(attribute, quantity.row);
    const magnitude = quantity.row === attribute.components && attribute.components > 1;
    const colormap = chooseColormap(this.colorControls.colormapChoice(), range, magnitude);
    const {scale, offset, low, high} = normalization(range, COLORMAPS[colormap].diverging);
    setColoring(this.uniforms, {components: attribute.components, row: quantity.row, colormap, scale, offset});
    model.setColoring({name: attribute.name, uniforms: this.uniforms});
    this.legend.show({title: quantity.label, colormap, low, high});
    this.redraw();
  }

  /** Draws the chosen vector attribute as arrows, at the automatic length times the slider's factor. */
  applyArrows() {
    const {model} = this.shown();
    if (!model || !this.arrowControls) return;
    const name = this.arrowControls.name();
    const attribute = name === null ? undefined : model.drawable(name);
    if (!attribute) {
      model.setArrows(null);
      this.arrowScale = null;
    } else {
      if (this.arrowScale?.name !== name) {
        const longest = storedRange(attribute.ranges.data, attribute.components).max;
        this.arrowScale = {name, scale: autoArrowScale(longest, model.boundingSphere().radius)};
      }
      model.setArrows(name, this.arrowScale.scale * this.arrowControls.factor());
    }
    this.redraw();
  }
}
