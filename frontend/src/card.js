// A card: one run and tag, its WebGL view, step slider and display controls. Steps load on demand
// (large ones as a decimated preview first). Hovering the view shows the vertex under the cursor
// (GPU picking), a click pins it; ← → or [ ] step through the kept steps when the view has focus.
import * as THREE from 'three';
import {OrbitControls} from 'three/addons/controls/OrbitControls.js';

import {fetchMesh} from './api.js';
import {ArrowControls} from './arrow_controls.js';
import {autoArrowScale} from './arrows.js';
import {coloringUniforms, setColoring} from './attribute_color.js';
import {builtinLook} from './builtin_config.js';
import {fitCamera} from './camera_fit.js';
import {ColorControls} from './color_controls.js';
import {COLORMAPS} from './colormap.js';
import {el, labelled} from './dom.js';
import {GhostControl, buildGhost, ghostCandidates, ghostStepIndex} from './ghost.js';
import {PickTooltip, describePick} from './inspector.js';
import {Legend} from './legend.js';
import {StepModel, restyleMaterial} from './model.js';
import {refineMeshPick, screenPick} from './picking.js';
import {positionAt} from './positions.js';
import {chooseColormap, normalization, storedRange, unionRange} from './range.js';
import {indexAfterRelisting, indexAtOrBefore} from './steps.js';
import {BACKGROUNDS} from './theme.js';
import {ViewOptions, buildHelpers, disposeHelpers, snapshotName} from './view_options.js';

const FOV_DEGREES = 45;
// Steps of more vertices than this are fetched as a preview of PREVIEW_POINTS first.
export const PREVIEW_MIN_VERTICES = 262_144;
export const PREVIEW_POINTS = 65_536;
const STEP_KEYS = {ArrowLeft: -1, '[': -1, ArrowRight: 1, ']': 1};
const CLICK_SLOP_PX = 4;
const PICK_RADIUS_PX = 4;

/** The note a card shows when TensorBoard may have dropped steps of its tag, or "". */
export function samplingNote(entry) {
  const sampling = entry.sampling;
  if (!sampling?.may_have_dropped) return '';
  const kept = (entry.steps || []).length;
  return (
    `Showing the ${kept} steps TensorBoard kept up to step ${entry.max_step}: it keeps at most ` +
    `${sampling.limit} per tag and may have dropped others. Start it with ${sampling.keep_all_flag} to keep them all.`
  );
}

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
   * @param {object} options
   * @param {string} options.run
   * @param {string} options.tag
   * @param {object} options.listing the `tags` route's JSON, holding this card's entry.
   * @param {import('./shared_renderer.js').SharedRenderer} options.shared
   * @param {import('./picking.js').Picker} options.picker
   * @param {string} options.theme "light" or "dark".
   * @param {{step: (number|null), camera: (number[]|null)}} [options.initial] state restored from the URL.
   * @param {{onStep?: Function, onCamera?: Function, onStateChange?: Function}} [options.hooks] called
   *   with this card when the user changes its step or camera (for syncing), and when its URL state changes.
   */
  constructor({run, tag, listing, shared, picker, theme = 'light', initial = {}, hooks = {}}) {
    this.run = run;
    this.tag = tag;
    this.listing = listing;
    this.entry = listing.runs[run][tag];
    this.source = this.entry.source || 'mesh3d';
    this.look = this.source === 'mesh' ? builtinLook(this.entry.config) : builtinLook(undefined);
    this.shared = shared;
    this.picker = picker;
    this.theme = theme;
    this.hooks = hooks;
    this.initial = {step: initial.step ?? null, camera: initial.camera ?? null};
    this.steps = this.entry.steps || [];
    this.index = -1;
    this.style = {pointSize: 2, pointWorldSize: this.look.pointWorldSize, wireframe: false, flat: false};
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
    this.helpers = null; // the bounding box and axes group
    this.cameraMoved = false; // the user moved the camera (its pose goes into the URL)
    this.interacting = false;
    this.pinned = null; // {vertex, face, x, y} of a clicked pick
    this.preview = null; // the header's preview field while a preview is shown

    this.element = el('section', 'mesh3d-card');
    this.element.dataset.run = run;
    this.element.dataset.tag = tag;
    this.element.dataset.source = this.source;
    const title = el('header', 'mesh3d-title');
    title.append(el('span', 'mesh3d-tag', tag), el('span', 'mesh3d-run', run));
    if (this.source === 'mesh') title.append(el('span', 'mesh3d-source', 'TensorBoard mesh summary'));
    this.element.append(title);
    if (this.entry.description) this.element.append(el('p', 'mesh3d-description', this.entry.description));
    this.samplingBox = el('p', 'mesh3d-sampling');
    this.view = el('div', 'mesh3d-view');
    this.view.tabIndex = 0;
    this.view.setAttribute('aria-label', `3D view of ${tag} in ${run}: drag to orbit, ← → or [ ] to step`);
    this.tooltip = new PickTooltip();
    this.view.append(this.tooltip.element);
    this.legend = new Legend();
    this.errorBox = el('div', 'mesh3d-error');
    this.errorBox.hidden = true;
    this.element.append(this.samplingBox, this.view, this.legend.element, this.errorBox, this.buildControls());
    this.updateSamplingNote();

    this.scene = new THREE.Scene();
    this.scene.background = new THREE.Color(BACKGROUNDS[theme]);
    this.camera = new THREE.PerspectiveCamera(this.look.fov ?? FOV_DEGREES, 1, 0.01, 100);
    const headlight = new THREE.DirectionalLight(0xffffff, 2.2);
    headlight.position.set(0.5, 1, 1);
    this.camera.add(headlight);
    this.scene.add(this.camera, new THREE.HemisphereLight(0xffffff, 0x667080, 0.9));
    this.controls = new OrbitControls(this.camera, this.view);
    this.controls.addEventListener('start', () => {
      this.interacting = true;
    });
    this.controls.addEventListener('end', () => {
      this.interacting = false;
    });
    this.controls.addEventListener('change', () => {
      shared.requestRender(this.sharedView);
      if (!this.interacting) return;
      this.cameraMoved = true;
      this.hooks.onCamera?.(this);
      this.hooks.onStateChange?.(this);
    });
    // This card's view in the shared renderer.
    this.sharedView = {element: this.view, draw: (...args) => this.draw(...args), afterDraw: () => this.afterDraw()};
    this.listenForPicks();
    this.view.addEventListener('keydown', (event) => {
      const delta = STEP_KEYS[event.key];
      if (delta === undefined || event.altKey || event.ctrlKey || event.metaKey || !this.started) return;
      event.preventDefault();
      this.stepBy(delta);
    });

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
    this.shared.add(this.sharedView);
    let index = this.steps.length - 1;
    if (this.initial.step !== null) {
      index = Math.max(indexAtOrBefore(this.steps, this.initial.step), 0);
      this.follow.input.checked = index === this.steps.length - 1;
    }
    this.updateSlider(index);
    this.showStep(index);
  }

  /** Moves to kept step number `index`, as the user did: following stops unless it is the newest. */
  userStep(index) {
    this.follow.input.checked = index === this.steps.length - 1;
    this.updateSlider(index);
    this.showStep(index);
    this.hooks.onStep?.(this, this.steps[index].step);
    this.hooks.onStateChange?.(this);
  }

  /** Steps `delta` kept steps back or forward (the keyboard's ← → and [ ]). */
  stepBy(delta) {
    const index = Math.min(Math.max(this.index + delta, 0), this.steps.length - 1);
    if (index !== this.index) this.userStep(index);
  }

  /** Shows the nearest kept step at or before `step` (the first kept one if all are later): sync step. */
  goToStep(step) {
    if (!this.started) return;
    const index = Math.max(indexAtOrBefore(this.steps, step), 0);
    this.follow.input.checked = index === this.steps.length - 1;
    if (index === this.index) return;
    this.updateSlider(index);
    this.showStep(index);
  }

  /** The camera as `[position xyz, target xyz]`. */
  cameraPose() {
    return [...this.camera.position.toArray(), ...this.controls.target.toArray()];
  }

  /** Places the camera at a pose from cameraPose() (sync camera, or the URL). */
  setCameraPose(pose) {
    this.camera.position.set(pose[0], pose[1], pose[2]);
    this.controls.target.set(pose[3], pose[4], pose[5]);
    const distance = this.camera.position.distanceTo(this.controls.target);
    if (distance * 4 > this.controls.maxDistance) this.controls.maxDistance = distance * 8;
    this.camera.far = Math.max(this.camera.far, distance * 10);
    this.camera.near = Math.min(this.camera.near, distance / 100);
    this.camera.updateProjectionMatrix();
    this.controls.update();
    this.shared.requestRender(this.sharedView);
  }

  /** This card's part of the URL state: its step unless following, its camera if moved. */
  urlState() {
    const shown = this.steps[this.index]?.step;
    const step = this.follow.input.checked || shown === undefined ? null : shown;
    return {step, camera: this.cameraMoved ? this.cameraPose() : null};
  }

  updateSamplingNote() {
    this.samplingBox.textContent = samplingNote(this.entry);
    this.samplingBox.hidden = this.samplingBox.textContent === '';
  }

  setTheme(theme) {
    this.theme = theme;
    this.scene.background.set(BACKGROUNDS[theme]);
    this.updateHelpers();
    this.redraw();
  }

  buildControls() {
    const controls = el('div', 'mesh3d-controls');
    const step = labelled('', 'mesh3d-step-control', {
      type: 'range',
      min: 0,
      max: 0,
      step: 1,
      value: 0,
      'aria-label': 'step',
    });
    this.stepInput = step.input;
    this.stepInput.className = 'mesh3d-step';
    this.stepInput.addEventListener('input', () => this.userStep(Number(this.stepInput.value)));
    this.stepLabel = el('span', 'mesh3d-step-label');
    this.follow = labelled('follow latest step ', 'mesh3d-option', {type: 'checkbox', class: 'mesh3d-follow'});
    this.follow.input.checked = true;
    this.follow.input.addEventListener('change', () => {
      const last = this.steps.length - 1;
      if (this.follow.input.checked && this.started && this.index !== last) {
        this.updateSlider(last);
        this.showStep(last);
      }
      this.hooks.onStateChange?.(this);
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
        type: 'range',
        min: 1,
        max: 12,
        step: 1,
        value: this.style.pointSize,
        class: 'mesh3d-point-size',
      });
      size.input.addEventListener('input', () => {
        this.style.pointSize = Number(size.input.value);
        this.restyle();
      });
      options.append(size.label);
    }
    if (this.entry.samples > 1) {
      const sample = labelled('sample ', 'mesh3d-option', {
        type: 'number',
        min: 0,
        max: this.entry.samples - 1,
        step: 1,
        value: 0,
        class: 'mesh3d-sample',
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
    this.viewOptions = new ViewOptions(this.entry.kind, {
      onChange: () => {
        this.style.flat = this.viewOptions.flat();
        this.updateHelpers();
        this.restyle();
      },
      onSave: () => this.savePng(),
    });
    controls.append(options, this.viewOptions.element, this.colorControls.element, this.arrowControls.element);
    return controls;
  }

  /** Saves the view as it is drawn now as a PNG download named after run, tag and step. */
  savePng() {
    const canvas = this.shared.snapshot(this.view);
    canvas.toBlob((blob) => {
      const link = el('a');
      link.href = URL.createObjectURL(blob);
      link.download = snapshotName(this.run, this.tag, this.shownStep);
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    }, 'image/png');
  }

  /** Rebuilds the bounding box and axes of the shown step as the view options say. */
  updateHelpers() {
    if (this.helpers) {
      this.scene.remove(this.helpers);
      disposeHelpers(this.helpers);
      this.helpers = null;
    }
    const wanted = this.viewOptions.helpers();
    if (this.model && (wanted.box || wanted.axes)) {
      this.helpers = buildHelpers(this.model.boundingSphere(), wanted, this.theme);
      this.scene.add(this.helpers);
    }
    this.redraw();
  }

  listenForPicks() {
    let down = null;
    let frame = 0;
    this.view.addEventListener('pointerdown', (event) => {
      cancelAnimationFrame(frame);
      down = {x: event.clientX, y: event.clientY};
    });
    this.view.addEventListener('pointermove', (event) => {
      if (event.buttons !== 0 || this.pinned) return;
      const at = this.viewPoint(event);
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => this.showPick(at, false));
    });
    this.view.addEventListener('pointerleave', () => {
      cancelAnimationFrame(frame);
      if (!this.pinned) this.tooltip.hide();
    });
    this.view.addEventListener('pointerup', (event) => {
      if (!down || Math.hypot(event.clientX - down.x, event.clientY - down.y) > CLICK_SLOP_PX) return;
      if (this.pinned) {
        this.pinned = null;
        this.tooltip.hide();
      } else {
        this.showPick(this.viewPoint(event), true);
      }
    });
  }

  viewPoint(event) {
    const rect = this.view.getBoundingClientRect();
    return {x: event.clientX - rect.left, y: event.clientY - rect.top};
  }

  /**
   * The vertex (and face) of the shown step under view pixel (x, y), or null.
   *
   * @returns {{vertex: number, face: number}|null}
   */
  pickAt({x, y}) {
    const model = this.model;
    if (!model) return null;
    const started = performance.now();
    const rect = this.view.getBoundingClientRect();
    const material = model.object.material;
    const pointSize = model.as === 'points' && !material.sizeAttenuation ? material.size : 1;
    const at = {x, y, width: rect.width, height: rect.height, radius: Math.max(PICK_RADIUS_PX, pointSize / 2)};
    model.object.updateWorldMatrix(true, false);
    const {data, unit} = model.localPositions();
    const matrix = new THREE.Matrix4()
      .multiplyMatrices(this.camera.projectionMatrix, this.camera.matrixWorldInverse)
      .multiply(model.object.matrixWorld)
      .multiply(new THREE.Matrix4().makeScale(unit, unit, unit));
    let vertex = screenPick(data, matrix, at);
    let method = 'screen';
    if (vertex < 0 && model.as === 'mesh') {
      const hit = this.picker.pick(this.shared.renderer, model.object, this.camera, {...at, pointSize});
      const unshared = hit && !model.object.geometry.index;
      vertex = !hit ? -1 : unshared ? model.arrays.faces.data[hit.index] : hit.index;
      method = 'gpu';
    }
    let pick = vertex < 0 ? null : {vertex, face: -1};
    if (pick && model.as === 'mesh') {
      const project = (i) => {
        const p = new THREE.Vector3(...positionAt(model.arrays, i)).project(this.camera);
        return [((p.x + 1) / 2) * rect.width, ((1 - p.y) / 2) * rect.height];
      };
      pick = refineMeshPick(model.arrays.faces.data, vertex, project, [x, y]);
    }
    this.element.dataset.pickMs = (performance.now() - started).toFixed(2);
    this.element.dataset.pickMethod = method;
    return pick;
  }

  /** Picks at `at` and shows (or, pinned, keeps) the tooltip there. */
  showPick(at, pin) {
    if (this.pinned && !pin) return;
    const pick = this.pickAt(at);
    if (!pick) {
      if (pin) this.pinned = null;
      this.tooltip.hide();
      delete this.element.dataset.picked;
      return;
    }
    if (pin) this.pinned = {...pick, ...at};
    this.element.dataset.picked = String(pick.vertex);
    this.tooltip.show(describePick(this.model, pick, this.preview), at.x, at.y, pin);
  }

  /** Describes the pinned vertex again in a newly shown step (vertex indices usually persist). */
  refreshPinned() {
    if (!this.pinned || !this.model) return;
    const {vertex, face, x, y} = this.pinned;
    if (vertex >= this.model.arrays.vertices.shape[0] || face >= (this.model.arrays.faces?.shape[0] ?? 0)) {
      this.pinned = null;
      this.tooltip.hide();
      return;
    }
    this.tooltip.show(describePick(this.model, {vertex, face}, this.preview), x, y, true);
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
    this.entry = {...this.entry, steps: entry.steps, max_step: entry.max_step, sampling: entry.sampling};
    this.steps = entry.steps;
    this.updateSamplingNote();
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
    if (this.ghost) restyleMaterial(this.ghost.object.material, {...this.style, flat: true});
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
    this.shared.requestRender(this.sharedView);
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

  /**
   * Fetches step number `index` of this tag's steps and draws it; a newer request cancels an older one.
   * A step of more than PREVIEW_MIN_VERTICES vertices is drawn from a preview first.
   */
  async showStep(index) {
    this.index = index;
    const {step, wall_time: wallTime} = this.steps[index];
    this.stepLabel.textContent = `step ${step} · ${new Date(wallTime * 1000).toLocaleString()}`;
    const query = {source: this.source, run: this.run, tag: this.tag, step, sample: this.sample};
    const passes = (this.entry.vertex_count ?? 0) > PREVIEW_MIN_VERTICES ? [PREVIEW_POINTS, undefined] : [undefined];
    for (const maxPoints of passes) {
      let decoded;
      try {
        decoded = await this.fetchLatest('step', {...query, maxPoints});
      } catch (error) {
        this.fail(`Step ${step}, sample ${this.sample} could not be loaded: ${error.message}`);
        return;
      }
      if (!decoded) return;
      this.errorBox.hidden = true;
      this.failed = false;
      this.preview = decoded.header.preview;
      this.element.dataset.preview = this.preview ? 'shown' : 'done';
      this.replaceModel(new StepModel(this.entry.kind, decoded, this.style, this.look.color ?? undefined), step);
      this.applyColoring();
      this.applyArrows();
      this.updateHelpers();
      this.refreshPinned();
    }
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
      if (this.look.position) this.setCameraPose([...this.look.position, ...model.boundingSphere().center]);
      if (this.initial.camera) {
        this.setCameraPose(this.initial.camera);
        this.cameraMoved = true;
      }
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
      const plain = this.colorControls.plainSource();
      model.setColoring(quantity || plain === 'none' ? 'none' : plain === 'faces' ? 'faces' : null);
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

  /**
   * Loads the overlay chosen in the ghost control: another tag or run at the nearest kept step at or
   * before this card's, or this tag at its first or previous kept step.
   */
  async loadGhost() {
    const target = this.ghostControl.target();
    const entry = target && this.listing.runs?.[target.run]?.[target.tag];
    const step = this.shownStep;
    const index =
      entry && !entry.error && step !== null ? ghostStepIndex(target, entry.steps || [], step, this.index) : -1;
    if (index < 0) {
      this.requests.get('ghost')?.abort();
      this.ghostControl.note.textContent = !target
        ? ''
        : target.at
          ? ' no earlier step'
          : ` no step at or before ${step}`;
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
      const source = entry.source || 'mesh3d';
      decoded = await this.fetchLatest('ghost', {source, run: target.run, tag: target.tag, step: ghostStep, sample});
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
    const fit = fitCamera(sphere, this.camera.fov, aspect);
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
