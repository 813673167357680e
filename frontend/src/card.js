// A card: one run and tag, its DOM (title, view, controls), its step navigation (slider, following the
// newest step, ← → or [ ] when the view has focus) and its state ("loading", "drawing", "ready",
// "error"). The parts it holds do the rest: the 3D view (viewport.js), fetching steps (step_loader.js),
// picking (view_picking.js), colouring and arrows (step_coloring.js) and the ghost overlay (ghost.js).
import {ApiError} from './api.js';
import {builtinLook} from './builtin_config.js';
import {StepControls, countText, drawingOptions, heading, samplingNote} from './card_controls.js';
import {el} from './dom.js';
import {GhostOverlay} from './ghost.js';
import {StepModel} from './model.js';
import {StepColoring} from './step_coloring.js';
import {StepLoader} from './step_loader.js';
import {indexAfterRelisting, indexAtOrBefore} from './steps.js';
import {ViewOptions, snapshotName} from './view_options.js';
import {ViewPicking} from './view_picking.js';
import {Viewport} from './viewport.js';

const STEP_KEYS = {ArrowLeft: -1, '[': -1, ArrowRight: 1, ']': 1};
// How many times in a row a step that was listed but not found is answered by listing the tags again,
// and after how many a following card shows the step before the newest (steps.indexAfterRelisting).
const MAX_RELISTS = 3;
const DROPPED_BEFORE_STEPPING_BACK = 2;

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
   * @param {{onStep?: Function, onCamera?: Function, onStateChange?: Function, relist?: Function}} [options.hooks]
   *   called with this card when the user changes its step or camera (for syncing), and when its URL
   *   state changes; `relist()` lists the tags again and hands the listing to the cards (a promise).
   */
  constructor({run, tag, listing, shared, picker, theme = 'light', initial = {}, hooks = {}}) {
    this.run = run;
    this.tag = tag;
    this.listing = listing;
    this.entry = listing.runs[run][tag];
    this.source = this.entry.source || 'mesh3d';
    this.look = this.source === 'mesh' ? builtinLook(this.entry.config) : builtinLook(undefined);
    this.hooks = hooks;
    this.initial = {step: initial.step ?? null, camera: initial.camera ?? null};
    this.steps = this.entry.steps || [];
    this.index = -1;
    this.style = {pointSize: 2, pointWorldSize: this.look.pointWorldSize, wireframe: false, flat: false};
    this.model = null; // the StepModel of the step shown
    this.shownStep = null;
    this.preview = null; // the header's preview field while a preview is shown
    this.cameraFitted = false;
    this.cameraMoved = false; // the user moved the camera (its pose goes into the URL)
    this.dirty = false; // a change waits for the next frame
    this.failed = false;
    this.started = false;
    this.parked = false; // hidden, holding nothing on the GPU (park())
    this.disposed = false;
    this.sample = 0;
    this.loads = 0; // counts showStep() calls: a load knows whether a newer one replaced it
    this.relists = 0; // listings asked for in a row because a listed step was not found

    this.element = el('section', 'mesh3d-card');
    Object.assign(this.element.dataset, {run, tag, source: this.source});
    this.element.append(...heading(run, tag, this.entry));
    this.samplingBox = el('p', 'mesh3d-sampling');
    this.view = el('div', 'mesh3d-view');
    this.view.tabIndex = 0;
    this.view.setAttribute('aria-label', `3D view of ${tag} in ${run}: drag to orbit, ← → or [ ] to step`);
    this.errorBox = el('div', 'mesh3d-error');
    this.errorBox.hidden = true;

    this.viewport = new Viewport({
      element: this.view,
      shared,
      theme,
      fov: this.look.fov ?? undefined,
      onUserCamera: () => {
        this.cameraMoved = true;
        this.hooks.onCamera?.(this);
        this.hooks.onStateChange?.(this);
      },
      onDrawn: () => this.afterDraw(),
    });
    this.loader = new StepLoader({
      onLoading: () => {
        if (!this.failed) this.setState('loading');
      },
      onIdle: () => this.redraw(),
    });
    const shown = () => ({model: this.model, step: this.shownStep, preview: this.preview});
    this.picking = new ViewPicking({card: this.element, viewport: this.viewport, picker, shown});
    this.coloring = new StepColoring(this.entry, {shown, redraw: () => this.redraw()});
    this.ghost = new GhostOverlay({
      scene: this.viewport.scene,
      loader: this.loader,
      redraw: () => this.redraw(),
      onChange: () => this.loadGhost(),
    });
    this.ghost.setCandidates(listing, run, tag);
    this.element.append(this.samplingBox, this.view, this.coloring.legend.element, this.errorBox, this.buildControls());
    this.updateSamplingNote();
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
    this.viewport.attach();
    let index = this.steps.length - 1;
    if (this.initial.step !== null) {
      index = Math.max(indexAtOrBefore(this.steps, this.initial.step), 0);
      this.stepControls.setFollowing(index === this.steps.length - 1);
    }
    this.updateSlider(index);
    this.showStep(index);
  }

  /** Moves to kept step number `index`, as the user did: following stops unless it is the newest. */
  userStep(index) {
    this.stepControls.setFollowing(index === this.steps.length - 1);
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
    this.stepControls.setFollowing(index === this.steps.length - 1);
    if (index === this.index) return;
    this.updateSlider(index);
    this.showStep(index);
  }

  /** The camera as `[position xyz, target xyz]`. */
  cameraPose() {
    return this.viewport.cameraPose();
  }

  /** Places the camera at a pose from cameraPose() (sync camera, or the URL). */
  setCameraPose(pose) {
    this.viewport.setCameraPose(pose);
  }

  /** This card's part of the URL state: its step unless following, its camera if moved. */
  urlState() {
    const shown = this.steps[this.index]?.step;
    const step = this.stepControls.following() || shown === undefined ? null : shown;
    return {step, camera: this.cameraMoved ? this.cameraPose() : null};
  }

  updateSamplingNote() {
    this.samplingBox.textContent = samplingNote(this.entry);
    this.samplingBox.hidden = this.samplingBox.textContent === '';
  }

  setTheme(theme) {
    this.viewport.setTheme(theme);
    this.updateHelpers();
  }

  buildControls() {
    const controls = el('div', 'mesh3d-controls');
    this.stepControls = new StepControls({
      onStep: (index) => this.userStep(index),
      onFollow: () => {
        const last = this.steps.length - 1;
        if (this.stepControls.following() && this.started && this.index !== last) {
          this.updateSlider(last);
          this.showStep(last);
        }
        this.hooks.onStateChange?.(this);
      },
    });
    const options = el('div', 'mesh3d-options');
    const drawing = drawingOptions(this.entry, this.style, {
      onRestyle: () => this.restyle(),
      onSample: (sample) => {
        this.sample = sample;
        this.showStep(this.index);
      },
    });
    options.append(...drawing, this.ghost.element, el('span', 'mesh3d-counts', countText(this.entry)));
    this.viewOptions = new ViewOptions(this.entry.kind, {
      onChange: () => {
        this.style.flat = this.viewOptions.flat();
        this.updateHelpers();
        this.restyle();
      },
      onSave: () => this.viewport.savePng(snapshotName(this.run, this.tag, this.shownStep)),
    });
    const {colorControls, arrowControls} = this.coloring;
    controls.append(...this.stepControls.elements, options, this.viewOptions.element);
    controls.append(colorControls.element, arrowControls.element);
    return controls;
  }

  /** Rebuilds the bounding box and axes of the shown step as the view options say. */
  updateHelpers() {
    this.viewport.setHelpers(this.model?.boundingSphere() ?? null, this.viewOptions.helpers());
    this.redraw();
  }

  updateSlider(index) {
    this.stepControls.setSlider(index, this.steps.length);
  }

  /**
   * Takes a new listing of the tags: the step slider grows with the run, and a following card moves
   * to the newest step.
   */
  update(listing) {
    this.listing = listing;
    this.ghost.setCandidates(listing, this.run, this.tag);
    const entry = listing.runs?.[this.run]?.[this.tag];
    if (!entry || entry.error || !(entry.steps?.length > 0)) return;
    const current = this.steps[this.index]?.step;
    this.entry = {...this.entry, steps: entry.steps, max_step: entry.max_step, sampling: entry.sampling};
    this.steps = entry.steps;
    this.updateSamplingNote();
    if (!this.started) {
      if (this.parked) return;
      this.errorBox.hidden = true;
      this.failed = false;
      this.start();
      return;
    }
    const dropping = this.relists >= DROPPED_BEFORE_STEPPING_BACK;
    const index = indexAfterRelisting(this.steps, current, this.stepControls.following(), dropping);
    this.updateSlider(index);
    if (this.parked) {
      this.index = index; // shown when the card is shown again
    } else if (this.steps[index].step !== current) {
      this.showStep(index);
    } else {
      this.index = index;
      this.loadGhost();
    }
  }

  restyle() {
    this.model?.restyle(this.style);
    this.ghost.restyle(this.style);
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

  /** Asks for a frame; the card reads "ready" once it is drawn with nothing left to load. */
  redraw() {
    this.dirty = true;
    if (!this.loader.busy() && !this.failed) this.setState('drawing');
    this.viewport.requestRender();
  }

  /**
   * Fetches step number `index` of this tag's steps and draws it (a large step from a preview first); a
   * newer request cancels an older one.
   */
  async showStep(index) {
    this.index = index;
    const load = ++this.loads;
    const {step, wall_time: wallTime} = this.steps[index];
    this.stepControls.setLabel(step, wallTime);
    const query = {source: this.source, run: this.run, tag: this.tag, step, sample: this.sample};
    try {
      const show = (decoded) => this.showDecoded(decoded, step);
      if (!(await this.loader.loadStep(query, this.entry.vertex_count, show))) return;
    } catch (error) {
      if (!(await this.relistedAfter(error, load))) {
        this.fail(`Step ${step}, sample ${this.sample} could not be loaded: ${error.message}`);
      }
      return;
    }
    this.relists = 0;
    this.loader.finish('step');
    this.loadGhost();
  }

  /**
   * Whether a failed load was answered by listing the tags again: a step that is listed but not found
   * (404) was dropped after it was listed (TensorBoard's sampling of a growing run, RustBoard's or the
   * Python loader's, keeps the newest step only until a newer one arrives), so the card lists the tags
   * again and shows what the new listing holds (update()) without an error. False when the new listing
   * moved the card nowhere else, or after MAX_RELISTS tries in a row.
   */
  async relistedAfter(error, load) {
    if (!(error instanceof ApiError) || error.status !== 404 || !this.hooks.relist || this.relists >= MAX_RELISTS) {
      return false;
    }
    this.relists += 1;
    try {
      await this.hooks.relist();
    } catch {
      return false;
    }
    return this.disposed || load !== this.loads;
  }

  /** Draws one decoded body of the step `step` (a preview, or the whole step). */
  showDecoded(decoded, step) {
    this.errorBox.hidden = true;
    this.failed = false;
    this.preview = decoded.header.preview;
    this.element.dataset.preview = this.preview ? 'shown' : 'done';
    this.replaceModel(new StepModel(this.entry.kind, decoded, this.style, this.look.color ?? undefined), step);
    this.coloring.applyColoring();
    this.coloring.applyArrows();
    this.updateHelpers();
    this.picking.refreshPinned();
  }

  replaceModel(model, step) {
    this.removeModel();
    this.model = model;
    this.shownStep = step;
    this.viewport.scene.add(model.group);
    this.coloring.noteRanges(model);
    if (!this.cameraFitted) {
      this.viewport.fit(model.boundingSphere());
      if (this.look.position) this.setCameraPose([...this.look.position, ...model.boundingSphere().center]);
      if (this.initial.camera) {
        this.setCameraPose(this.initial.camera);
        this.cameraMoved = true;
      }
      this.cameraFitted = true;
    }
  }

  removeModel() {
    if (!this.model) return;
    this.viewport.scene.remove(this.model.group);
    this.model.dispose();
    this.model = null;
  }

  loadGhost() {
    const {listing, shownStep: step, index, sample, style} = this;
    return this.ghost.load({listing, step, index, sample, style});
  }

  /** Called once the frame holding this card's view has been drawn. */
  afterDraw() {
    if (!this.dirty || this.loader.busy()) return;
    this.dirty = false;
    this.element.dataset.step = String(this.shownStep);
    const ghostStep = this.ghost.step();
    if (ghostStep !== null) this.element.dataset.ghostStep = String(ghostStep);
    else delete this.element.dataset.ghostStep;
    if (!this.failed) this.setState('ready');
  }

  /**
   * Puts a hidden card aside: stops loading, frees the GPU buffers of its step and overlay and gives its
   * renderer slot back, keeping its controls, step and camera for unpark().
   */
  park() {
    this.parked = true;
    this.loader.cancelAll();
    this.picking.cancel();
    this.ghost.remove();
    this.removeModel();
    this.viewport.detach();
  }

  /** Shows a parked card again: its step is fetched and drawn as it was. */
  unpark() {
    this.parked = false;
    if (!this.started) {
      this.update(this.listing);
      return;
    }
    this.viewport.attach();
    this.showStep(this.index);
  }

  /** Frees everything park() frees and the view's listeners, and takes the card out of the page for good. */
  dispose() {
    this.park();
    this.disposed = true;
    this.loader.dispose();
    this.viewport.dispose();
    this.element.remove();
  }
}
