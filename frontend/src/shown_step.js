// The step a card shows: its model (three.js objects over GPU buffers) in the view's scene, its step
// number and, while a decimated preview stands in for it, the header's preview field. Picking and the
// colour controls read `model`, `step` and `preview` from it.
import {StepModel} from './model.js';

export class ShownStep {
  /**
   * @param {import('three').Scene} scene where the model is drawn.
   * @param {string} kind the tag's kind.
   * @param {number|undefined} color the colour of a step without colours of its own (a built-in summary's).
   */
  constructor(scene, kind, color) {
    this.scene = scene;
    this.kind = kind;
    this.color = color;
    /** @type {StepModel|null} */
    this.model = null;
    this.step = null;
    this.preview = null;
  }

  /** Draws a decoded body of step `step` (a preview, or the whole step) in `style` instead of the model. */
  replace(decoded, step, style) {
    this.remove();
    this.model = new StepModel(this.kind, decoded, style, this.color);
    this.step = step;
    this.preview = decoded.header.preview;
    this.scene.add(this.model.group);
  }

  /** The bounding sphere of the model, or null without one. */
  boundingSphere() {
    return this.model?.boundingSphere() ?? null;
  }

  restyle(style) {
    this.model?.restyle(style);
  }

  /** Takes the model out of the scene and frees its GPU buffers (the step number stays). */
  remove() {
    if (!this.model) return;
    this.scene.remove(this.model.group);
    this.model.dispose();
    this.model = null;
  }
}
