// The layers of a scene card: one tag of the run each, drawn in the scene's view at the scene's step
// (its nearest kept step at or before it) through its own ShownStep, with a row of controls: shown or
// hidden, opacity, colour by (an attribute, with its colormap, range and legend: step_coloring.js), and
// for a logged camera "view through" (which camera, for a rig). Tags are user text: shown with textContent.
import {cameraCount, cameraFromFrustum} from './camera_frustum.js';
import {el, labelled, option} from './dom.js';
import {floatPositions} from './positions.js';
import {ShownStep} from './shown_step.js';
import {StepColoring} from './step_coloring.js';
import {indexAtOrBefore} from './steps.js';

// Colours of layers without logged colours, one per layer in tag order (kind colours are for lone cards).
const LAYER_COLORS = [0xb4bccb, 0xe8710a, 0x3b6fd1, 0x188038, 0xa142f4, 0xd93025, 0x12b5cb, 0x5f6368];

/** The colour of layer number `index` of a scene. */
export function layerColor(index) {
  return LAYER_COLORS[index % LAYER_COLORS.length];
}

/** Applies a layer's visibility and opacity to a drawn model (a StepModel). */
export function applyLook(model, {visible, opacity}) {
  model.group.visible = visible;
  const material = model.object.material;
  material.userData.ownTransparent ??= material.transparent;
  material.transparent = material.userData.ownTransparent || opacity < 1;
  material.opacity = opacity;
  material.depthWrite = opacity >= 1;
  model.object.renderOrder = opacity < 1 ? 1 : 0;
}

export class SceneLayer {
  /**
   * @param {object} options
   * @param {string} options.run
   * @param {string} options.tag
   * @param {string} options.name the tag shown in the row (the part after the scene's prefix).
   * @param {object} options.entry the tag's listing.
   * @param {number} options.index the layer's place in the scene (its colour).
   * @param {import('three').Scene} options.scene
   * @param {{visible: boolean, opacity: number}} options.look from the URL, or the default.
   * @param {Array|undefined} options.coloring the colour choice from the URL (color_controls.coloringState).
   * @param {{onLook: () => void, onThrough: (layer: SceneLayer, camera: number) => void, redraw: () => void,
   *   onColoring: () => void}} options.hooks the user changed the layer's look (a layer shown again is loaded
   *   at the scene's step); the user asked to view through camera number `camera`; the layer needs a frame;
   *   the user changed its colouring.
   */
  constructor({run, tag, name, entry, index, scene, look, coloring, hooks}) {
    this.run = run;
    this.tag = tag;
    this.entry = entry;
    this.key = `layer ${tag}`; // its purpose in the scene's StepLoader
    this.look = {...look};
    this.shown = new ShownStep(scene, entry.kind, layerColor(index)); // logged colours win
    this.empty = false; // nothing to draw at the scene's step (no kept step at or before it, or it failed)
    this.requested = null; // the step last fetched
    this.note = el('span', 'mesh3d-layer-note');
    this.row = el('div', 'mesh3d-layer');
    this.row.dataset.tag = tag;
    const visible = labelled('', 'mesh3d-option', {type: 'checkbox', class: 'mesh3d-layer-visible'});
    visible.input.checked = this.look.visible;
    visible.label.append(el('span', 'mesh3d-layer-name', name));
    visible.input.addEventListener('change', () => {
      this.look.visible = visible.input.checked;
      this.restyle(hooks.onLook);
    });
    const slider = {type: 'range', min: 0, max: 1, step: 0.05, value: this.look.opacity, class: 'mesh3d-layer-opacity'};
    const opacity = labelled('opacity ', 'mesh3d-option', slider);
    opacity.input.addEventListener('input', () => {
      this.look.opacity = Number(opacity.input.value);
      this.restyle(hooks.onLook);
    });
    this.coloring = new StepColoring(entry, {
      shown: () => this.shown,
      redraw: () => {
        if (this.shown.model) applyLook(this.shown.model, this.look); // a new colouring is a new material
        hooks.redraw();
      },
      arrows: false,
    });
    const {colorControls, legend} = this.coloring;
    if (coloring) colorControls.restore(coloring);
    colorControls.element.addEventListener('change', hooks.onColoring); // after the control's own listener
    colorControls.element.addEventListener('input', hooks.onColoring);
    this.row.append(visible.label, opacity.label);
    if (entry.camera) this.row.append(...this.throughControls(hooks.onThrough));
    this.row.append(colorControls.element, this.note, legend.element);
  }

  /** The "view through" button, and for a rig the camera chooser. */
  throughControls(onThrough) {
    const count = cameraCount(this.entry.vertex_count);
    const chooser = el('select', 'mesh3d-layer-camera');
    for (let i = 0; i < count; i++) chooser.append(option(String(i), `camera ${i}`));
    chooser.hidden = count < 2;
    const button = el('button', 'mesh3d-view-through', 'view through');
    button.type = 'button';
    button.addEventListener('click', () => onThrough(this, Number(chooser.value || 0)));
    return [chooser, button];
  }

  restyle(onLook) {
    if (this.shown.model) applyLook(this.shown.model, this.look);
    onLook();
  }

  /**
   * The layer's part of the URL state: `[tag, visible, opacity]`, and its colouring when chosen
   * (`[tag, visible, opacity, colouring]`), or null when it has the default look and colours.
   */
  urlState() {
    const look = [this.tag, this.look.visible, this.look.opacity];
    if (!this.coloring.colorControls.isDefault()) return [...look, this.coloring.colorControls.state()];
    return this.look.visible && this.look.opacity === 1 ? null : look;
  }

  /** What picking sees of the layer (view_picking.PickLayer): its step drawn, named by its tag. */
  pickLayer() {
    return {name: this.tag, model: this.shown.model, preview: this.shown.preview};
  }

  /**
   * Shows the layer's nearest kept step at or before `step` (unless it shows it already or is hidden), loaded as
   * `this.key` by `loader`. `onDrawn` is called once its model is in the scene.
   * Resolves once loaded, replaced by a newer load, or failed (the row says why).
   */
  async load({step, loader, style, sample, onDrawn}) {
    if (!this.look.visible) {
      loader.cancel(this.key); // a hidden layer costs nothing: it is loaded when shown again
      return;
    }
    const found = indexAtOrBefore(this.entry.steps || [], step);
    if (found < 0 || this.entry.error) {
      this.note.textContent = this.entry.error ?? `no step at or before ${step}`;
      this.shown.remove();
      this.empty = true;
      loader.cancel(this.key);
      return;
    }
    this.empty = false;
    const layerStep = this.entry.steps[found].step;
    const onItsWay = this.requested === layerStep && loader.loading.has(this.key);
    if ((this.shown.model && this.shown.step === layerStep) || onItsWay) return;
    this.requested = layerStep;
    const query = {source: this.entry.source || 'mesh3d', run: this.run, tag: this.tag, step: layerStep, sample};
    try {
      // One fetch, no decimated preview first: the scene draws once every layer is loaded.
      const decoded = await loader.fetchLatest(this.key, query);
      if (!decoded) return; // a newer load replaced this one
      this.shown.replace(decoded, layerStep, style);
      this.coloring.noteRanges(this.shown.model);
      this.coloring.applyColoring();
      applyLook(this.shown.model, this.look);
      this.note.textContent = layerStep === step ? '' : `step ${layerStep}`;
      onDrawn(this);
      loader.finish(this.key);
    } catch (error) {
      this.note.textContent = `step ${layerStep} could not be loaded: ${error.message}`;
      this.shown.remove();
      this.empty = true;
    }
  }

  /** Camera number `camera` of the frustums drawn (camera_frustum.cameraFromFrustum), or null if it has none. */
  cameraView(camera) {
    const model = this.shown.model;
    if (!model || !this.entry.camera) return null;
    const positions = floatPositions(model.arrays);
    return camera < cameraCount(positions.length / 3) ? cameraFromFrustum(positions, camera) : null;
  }

  /** Whether the layer has been drawn, or has nothing to draw at the scene's step (or is hidden). */
  settled() {
    return Boolean(this.shown.model) || this.empty || !this.look.visible;
  }
}
