// A card: one run and tag, its WebGL view, step slider and display controls. Steps load on demand.
import * as THREE from 'three';
import {OrbitControls} from 'three/addons/controls/OrbitControls.js';

import {fetchMesh} from './api.js';
import {ArrowControls} from './arrow_controls.js';
import {autoArrowScale} from './arrows.js';
import {coloringUniforms, setColoring} from './attribute_color.js';
import {fitCamera} from './camera_fit.js';
import {ColorControls} from './color_controls.js';
import {COLORMAPS} from './colormap.js';
import {el, labelled} from './dom.js';
import {GhostControl, buildGhost, ghostCandidates} from './ghost.js';
import {Legend} from './legend.js';
import {StepModel, restyleMaterial} from './model.js';
import {chooseColormap, normalization, storedRange, unionRange} from './range.js';
import {indexAfterRelisting, indexAtOrBefore} from './steps.js';

const FOV_DEGREES = 45;
const BACKGROUND = 0xf3f4f6;

function countText(entry) {
  const parts = [];
  if (entry.vertex_count != null) {
    const noun = entry.kind === 'point_cloud' ? 'points' : 'vertices';
    parts.push(`${entry.vertex_count.toLocaleString('en-US')} ${noun}`);
  }
  if (entry.face_count != null) parts.push(`${entry.face_count.toLocaleString('en-US')} faces`);
  if (entry.segment_count != null) parts.push(`${entry.segment_count.toLocaleString('en-US')} segments`);
  return parts.join(' · ');
}

export class MeshCard {
  /**
   * @param {{run: string, tag: string, listing: object, shared: import('./shared_renderer.js').SharedRenderer}} options
   *   listing is the `tags` route's JSON, holding this card's entry.
   */
  constructor({run, tag, listing, shared}) {
    this.run = run;
    this.tag = tag;
    this.listing = listing;
    this.entry = listing.runs[run][tag];
    this.shared = shared;
    this.steps = this.entry.steps || [];
    this.index = -1;
    this.style = {pointSize: 2, wireframe: false};
    this.model = null; // the StepModel of the step shown
    this.shownStep = null;
    this.ghost = null; // {object, key, step}
    this.seen = new Map(); // attribute name -> per-row union of the ranges of the steps loaded
    this.uniforms = coloringUniforms();
    this.arrowScale = null; // {name, scale}: the automatic arrow scale, fixed when arrows are chosen
    this.cameraFitted = false;
    this.requests = new Map(); // "step" or "ghost" -> the AbortController of its latest fetch
    this.loading = new Set(); // "step" and "ghost" while they are fetched
    this.dirty = false; // a change waits for the next frame
    this.failed = false;
    this.started = false;
    this.sample = 0;

    this.element = el('section', 'mesh3d-card');
    this.element.dataset.run = run;
    this.element.dataset.tag = tag;
    const title = el('header', 'mesh3d-title');
    title.append(el('span', 'mesh3d-tag', tag), el('span', 'mesh3d-run', run));
    this.element.append(title);
    if (this.entry.description) this.element.append(el('p', 'mesh3d-description', this.entry.description));
    this.view = el('div', 'mesh3d-view');
    this.view.tabIndex = 0;
    this.legend = new Legend();
    this.errorBox = el('div', 'mesh3d-error');
    this.errorBox.hidden = true;
    this.element.append(this.view, this.legend.element, this.errorBox, this.buildControls());

    this.scene = new THREE.Scene();
    this.scene.background = new THREE.Color(BACKGROUND);
    this.camera = new THREE.PerspectiveCamera(FOV_DEGREES, 1, 0.01, 100);
    const headlight = new THREE.DirectionalLight(0xffffff, 2.2);
    headlight.position.set(0.5, 1, 1);
    this.camera.add(headlight);
    this.scene.add(this.camera, new THREE.HemisphereLight(0xffffff, 0x667080, 0.9));
    this.controls = new OrbitControls(this.camera, this.view);
    this.controls.addEventListener('change', () => shared.requestRender());

    if (this.entry.error) {
      this.fail(this.entry.error);
    } else if (this.steps.length === 0) {
      this.fail('No steps of this tag were kept.');
    } else {
      this.start();
    }
  }

  start() {
    this.started = true;
    this.shared.add({element: this.view, draw: (...args) => this.draw(...args), afterDraw: () => this.afterDraw()});
    this.updateSlider(this.steps.length - 1);
    this.showStep(this.steps.length - 1);
  }

  buildControls() {
    const controls = el('div', 'mesh3d-controls');
    const step = labelled('', 'mesh3d-step-control', {
      type: 'range', min: 0, max: 0, step: 1, value: 0, 'aria-label': 'step',
    });
    this.stepInput = step.input;
    this.stepInput.className = 'mesh3d-step';
    this.stepInput.addEventListener('input', () => {
      const index = Number(this.stepInput.value);
      this.follow.input.checked = index === this.steps.length - 1;
      this.showStep(index);
    });
    this.stepLabel = el('span', 'mesh3d-step-label');
    this.follow = labelled('follow latest step ', 'mesh3d-option', {type: 'checkbox', class: 'mesh3d-follow'});
    this.follow.input.checked = true;
    this.follow.input.addEventListener('change', () => {
      const last = this.steps.length - 1;
      if (this.follow.input.checked && this.started && this.index !== last) {
        this.updateSlider(last);
        this.showStep(last);
      }
    });
    const stepRow = el('div', 'mesh3d-options');
    stepRow.append(this.stepLabel, this.follow.label);
    controls.append(step.label, stepRow);

    const options = el('div', 'mesh3d-options');
    if (this.entry.kind === 'mesh') {
      const wireframe = labelled('wireframe ', 'mesh3d-option', {type: 'checkbox', class: 'mesh3d-wireframe'});
      wireframe.input.addEventListener('change', () => {
        this.style.wireframe = wireframe.input.checked;
        this.restyle();
      });
      options.append(wireframe.label);
    } else if (this.entry.kind === 'point_cloud') {
      const size = labelled('point size ', 'mesh3d-option', {
        type: 'range', min: 1, max: 12, step: 1, value: this.style.pointSize, class: 'mesh3d-point-size',
      });
      size.input.addEventListener('input', () => {
        this.style.pointSize = Number(size.input.value);
        this.restyle();
      });
      options.append(size.label);
    }
    if (this.entry.samples > 1) {
      const sample = labelled('sample ', 'mesh3d-option', {
        type: 'number', min: 0, max: this.entry.samples - 1, step: 1, value: 0, class: 'mesh3d-sample',
      });
      sample.input.addEventListener('change', () => {
        const value = Math.trunc(Number(sample.input.value));
        this.sample = Math.min(Math.max(Number.isFinite(value) ? value : 0, 0), this.entry.samples - 1);
        sample.input.value = String(this.sample);
        this.showStep(this.index);
      });
      options.append(sample.label);
    }
    this.ghostControl = new GhostControl(() => this.loadGhost());
    this.ghostControl.setCandidates(ghostCandidates(this.listing, this.run, this.tag));
    options.append(this.ghostControl.element, el('span', 'mesh3d-counts', countText(this.entry)));

    this.colorControls = new ColorControls(this.entry, () => this.applyColoring());
    this.arrowControls = new ArrowControls(this.entry, () => this.applyArrows());
    controls.append(options, this.colorControls.element, this.arrowControls.element);
    return controls;
  }

  updateSlider(index) {
    this.stepInput.max = String(Math.max(this.steps.length - 1, 0));
    this.stepInput.disabled = this.steps.length < 2;
    this.stepInput.value = String(index);
  }

  /**
   * Takes a new listing of the tags: the step slider grows with the run, and a following card moves
   * to the newest step.
   */
  update(listing) {
    this.listing = listing;
    this.ghostControl.setCandidates(ghostCandidates(listing, this.run, this.tag));
    const entry = listing.runs?.[this.run]?.[this.tag];
    if (!entry || entry.error || !(entry.steps?.length > 0)) return;
    const current = this.steps[this.index]?.step;
    this.entry = {...this.entry, steps: entry.steps, max_step: entry.max_step};
    this.steps = entry.steps;
    if (!this.started) {
      this.errorBox.hidden = true;
      this.failed = false;
      this.start();
      return;
    }
    const index = indexAfterRelisting(this.steps, current, this.follow.input.checked);
    this.updateSlider(index);
    if (this.steps[index].step !== current) {
      this.showStep(index);
    } else {
      this.index = index;
      this.loadGhost();
    }
  }

  restyle() {
    this.model?.restyle(this.style);
    if (this.ghost) restyleMaterial(this.ghost.object.material, this.style);
    this.redraw();
  }

  setState(state) {
    this.element.dataset.state = state;
  }

  fail(message) {
    this.failed = true;
    this.setState('error');
    this.errorBox.textContent = message;
    this.errorBox.hidden = false;
  }

  setLoading(what, loading) {
    if (loading) {
      this.loading.add(what);
      if (!this.failed) this.setState('loading');
    } else {
      this.loading.delete(what);
      if (this.loading.size === 0) this.redraw();
    }
  }

  /** Asks for a frame; the card reads "ready" once it is drawn with nothing left to load. */
  redraw() {
    this.dirty = true;
    if (this.loading.size === 0 && !this.failed) this.setState('drawing');
    this.shared.requestRender();
  }

  /**
   * Fetches one step for `what` ("step" or "ghost"), cancelling the earlier request for it. Resolves to
   * the decoded step, or null if a newer request replaced this one; rejects (no longer loading) on failure.
   */
  async fetchLatest(what, query) {
    this.requests.get(what)?.abort();
    const request = new AbortController();
    this.requests.set(what, request);
    this.setLoading(what, true);
    try {
      const decoded = await fetchMesh(query, request.signal);
      return request.signal.aborted ? null : decoded;
    } catch (error) {
      if (request.signal.aborted) return null;
      this.setLoading(what, false);
      throw error;
    }
  }

  /** Fetches step number `index` of this tag's steps and draws it; a newer request cancels an older one. */
  async showStep(index) {
    this.index = index;
    const {step, wall_time: wallTime} = this.steps[index];
    this.stepLabel.textContent = `step ${step} · ${new Date(wallTime * 1000).toLocaleString()}`;
    let decoded;
    try {
      decoded = await this.fetchLatest('step', {run: this.run, tag: this.tag, step, sample: this.sample});
    } catch (error) {
      this.fail(`Step ${step}, sample ${this.sample} could not be loaded: ${error.message}`);
      return;
    }
    if (!decoded) return;
    this.errorBox.hidden = true;
    this.failed = false;
    this.replaceModel(new StepModel(this.entry.kind, decoded, this.style), step);
    this.applyColoring();
    this.applyArrows();
    this.setLoading('step', false);
    this.loadGhost();
  }

  replaceModel(model, step) {
    if (this.model) {
      this.scene.remove(this.model.group);
      this.model.dispose();
    }
    this.model = model;
    this.shownStep = step;
    this.scene.add(model.group);
    for (const [name, attribute] of model.attributes) {
      const rows = this.seen.get(name) || [];
      for (let row = 0; row <= attribute.components; row++) {
        rows[row] = unionRange(rows[row], storedRange(attribute.ranges.data, row));
      }
      this.seen.set(name, rows);
    }
    if (!this.cameraFitted) {
      this.fitCamera(model.boundingSphere());
      this.cameraFitted = true;
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
    const model = this.model;
    if (!model) return;
    const quantity = this.colorControls.quantity();
    const attribute = quantity && model.drawable(quantity.name);
    if (!attribute) {
      model.setColoring(quantity || this.colorControls.plainSource() === 'none' ? 'none' : null);
      if (quantity) this.legend.showMessage(`Step ${this.shownStep} has no attribute ${quantity.name}.`);
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
    const model = this.model;
    if (!model) return;
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

  /** Loads the overlay chosen in the ghost control at the nearest kept step at or before this card's. */
  async loadGhost() {
    const target = this.ghostControl.target();
    const entry = target && this.listing.runs?.[target.run]?.[target.tag];
    const step = this.shownStep;
    const index = entry && !entry.error && step !== null ? indexAtOrBefore(entry.steps || [], step) : -1;
    if (index < 0) {
      this.requests.get('ghost')?.abort();
      this.ghostControl.note.textContent = target ? ` no step at or before ${step}` : '';
      this.removeGhost();
      this.setLoading('ghost', false);
      return;
    }
    const ghostStep = entry.steps[index].step;
    const sample = Math.min(this.sample, Math.max((entry.samples || 1) - 1, 0));
    const key = JSON.stringify([target.run, target.tag, ghostStep, sample]);
    if (this.ghost?.key === key) return;
    let decoded;
    try {
      decoded = await this.fetchLatest('ghost', {run: target.run, tag: target.tag, step: ghostStep, sample});
    } catch (error) {
      this.ghostControl.note.textContent = ` could not be loaded: ${error.message}`;
      this.removeGhost();
      this.redraw();
      return;
    }
    if (!decoded) return;
    this.removeGhost();
    const object = buildGhost(entry.kind, decoded, this.style);
    this.scene.add(object);
    this.ghost = {object, key, step: ghostStep};
    this.ghostControl.note.textContent = ghostStep === step ? '' : ` (step ${ghostStep})`;
    this.setLoading('ghost', false);
  }

  removeGhost() {
    if (!this.ghost) return;
    this.scene.remove(this.ghost.object);
    this.ghost.object.geometry.dispose();
    this.ghost.object.material.dispose();
    this.ghost = null;
  }

  fitCamera(sphere) {
    const rect = this.view.getBoundingClientRect();
    const aspect = rect.width > 0 && rect.height > 0 ? rect.width / rect.height : 1;
    const fit = fitCamera(sphere, FOV_DEGREES, aspect);
    this.camera.position.set(...fit.position);
    // Leave room to zoom out: the far plane covers the controls' largest distance.
    this.controls.maxDistance = fit.distance * 8;
    this.camera.near = fit.near;
    this.camera.far = fit.far + this.controls.maxDistance;
    this.controls.target.set(...fit.target);
    this.camera.updateProjectionMatrix();
    this.controls.update();
  }

  /** Called by the shared renderer with the scissor set to this card's view. */
  draw(renderer, width, height) {
    if (this.camera.aspect !== width / height) {
      this.camera.aspect = width / height;
      this.camera.updateProjectionMatrix();
    }
    renderer.render(this.scene, this.camera);
  }

  /** Called once the frame holding this card's view has been drawn. */
  afterDraw() {
    if (!this.dirty || this.loading.size > 0) return;
    this.dirty = false;
    this.element.dataset.step = String(this.shownStep);
    if (this.ghost) this.element.dataset.ghostStep = String(this.ghost.step);
    else delete this.element.dataset.ghostStep;
    if (!this.failed) this.setState('ready');
  }
}
