// A card: one run and tag, its DOM (title, view, controls), the step it shows and its state ("loading",
// "drawing", "ready", "error"), and its lifecycle (park, unpark, dispose). The parts it holds do the
// rest: step navigation (step_navigation.js), the 3D view (viewport.js), fetching steps (step_loader.js),
// the step drawn (shown_step.js), picking (view_picking.js), colouring and arrows (step_coloring.js) and
// the ghost overlay (ghost.js).
import {builtinLook} from './builtin_config.js';
import {countText, drawingOptions, heading, samplingNote} from './card_controls.js';
import {el} from './dom.js';
import {GhostOverlay} from './ghost.js';
import {StepColoring} from './step_coloring.js';
import {StepLoader} from './step_loader.js';
import {StepNavigator} from './step_navigation.js';
import {ShownStep} from './shown_step.js';
import {ViewOptions, snapshotName} from './view_options.js';
import {ViewPicking} from './view_picking.js';
import {Viewport} from './viewport.js';

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
    this.style = {pointSize: 2, pointWorldSize: this.look.pointWorldSize, wireframe: false, flat: false};
    this.dirty = false; // a change waits for the next frame
    this.failed = false;
    this.parked = false; // hidden, holding nothing on the GPU (park())
    this.disposed = false;
    this.sample = 0;
    this.loads = 0; // counts showStep() calls: a load knows whether a newer one replaced it

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
        this.hooks.onCamera?.(this);
        this.hooks.onStateChange?.(this);
      },
      onDrawn: () => this.afterDraw(),
    });
    this.nav = new StepNavigator({
      view: this.view,
      steps: this.entry.steps || [],
      show: (index) => this.showStep(index),
      onUserStep: (step) => {
        this.hooks.onStep?.(this, step);
        this.hooks.onStateChange?.(this);
      },
      onFollow: () => this.hooks.onStateChange?.(this),
      relist: hooks.relist,
    });
    this.loader = new StepLoader({
      onLoading: () => {
        if (!this.failed) this.setState('loading');
      },
      onIdle: () => this.redraw(),
    });
    this.shown = new ShownStep(this.viewport.scene, this.entry.kind, this.look.color ?? undefined);
    const shown = () => this.shown;
    this.picking = new ViewPicking({card: this.element, viewport: this.viewport, picker, layers: () => [this.shown]});
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

    if (this.entry.error) {
      this.fail(this.entry.error);
    } else if (this.nav.steps.length === 0) {
      this.fail('No steps of this tag were kept.');
    } else {
      this.start();
    }
  }

  /** Whether the card has shown (or is loading) a step: it has steps and no error. */
  get started() {
    return this.nav.started;
  }

  start() {
    this.viewport.attach();
    this.nav.start(this.initial.step);
  }

  /** Shows the nearest kept step at or before `step` (sync step). */
  goToStep(step) {
    this.nav.goToStep(step);
  }

  /** The camera as `[position xyz, target xyz]`. */
  cameraPose() {
    return this.viewport.cameraPose();
  }

  /** Places the camera at a pose from cameraPose() (sync camera): it goes into the URL from now on. */
  setCameraPose(pose) {
    this.viewport.setCameraPose(pose);
    this.viewport.moved = true;
  }

  /** This card's part of the URL state: its step unless following, its camera if moved. */
  urlState() {
    return {step: this.nav.urlStep(), camera: this.viewport.moved ? this.cameraPose() : null};
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
    const options = el('div', 'mesh3d-options');
    const drawing = drawingOptions(this.entry, this.style, {
      onRestyle: () => this.restyle(),
      onSample: (sample) => {
        this.sample = sample;
        this.showStep(this.nav.index);
      },
    });
    options.append(...drawing, this.ghost.element, el('span', 'mesh3d-counts', countText(this.entry)));
    this.viewOptions = new ViewOptions(this.entry.kind, {
      onChange: () => {
        this.style.flat = this.viewOptions.flat();
        this.updateHelpers();
        this.restyle();
      },
      onSave: () => this.viewport.savePng(snapshotName(this.run, this.tag, this.shown.step)),
    });
    const {colorControls, arrowControls} = this.coloring;
    const controls = el('div', 'mesh3d-controls');
    controls.append(...this.nav.elements, options, this.viewOptions.element);
    controls.append(colorControls.element, arrowControls.element);
    return controls;
  }

  /** Rebuilds the bounding box and axes of the shown step as the view options say. */
  updateHelpers() {
    this.viewport.setHelpers(this.shown.boundingSphere(), this.viewOptions.helpers());
    this.redraw();
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
    this.entry = {...this.entry, steps: entry.steps, max_step: entry.max_step, sampling: entry.sampling};
    const moved = this.nav.relisted(entry.steps);
    this.updateSamplingNote();
    if (!this.started) {
      if (this.parked) return;
      this.errorBox.hidden = true;
      this.failed = false;
      this.start();
    } else if (this.parked) {
      // the step is shown when the card is shown again
    } else if (moved) {
      this.showStep(this.nav.index);
    } else {
      this.loadGhost();
    }
  }

  restyle() {
    this.shown.restyle(this.style);
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
    const step = this.nav.showing(index);
    const load = ++this.loads;
    const query = {source: this.source, run: this.run, tag: this.tag, step, sample: this.sample};
    try {
      const show = (decoded) => this.showDecoded(decoded, step);
      if (!(await this.loader.loadStep(query, this.entry.vertex_count, show))) return;
    } catch (error) {
      // A newer load, or the card's end, replaced this one while the new listing was on its way.
      const replaced = (await this.nav.relistAfter(error)) && (this.disposed || load !== this.loads);
      if (!replaced) this.fail(`Step ${step}, sample ${this.sample} could not be loaded: ${error.message}`);
      return;
    }
    this.nav.loaded();
    this.loader.finish('step');
    this.loadGhost();
  }

  /** Draws one decoded body of the step `step` (a preview, or the whole step). */
  showDecoded(decoded, step) {
    this.errorBox.hidden = true;
    this.failed = false;
    this.shown.replace(decoded, step, this.style);
    this.element.dataset.preview = this.shown.preview ? 'shown' : 'done';
    this.coloring.noteRanges(this.shown.model);
    const pose = this.initial.camera ?? undefined;
    this.viewport.fitFirst(this.shown.boundingSphere(), {position: this.look.position ?? undefined, pose});
    this.coloring.applyColoring();
    this.coloring.applyArrows();
    this.updateHelpers();
    this.picking.refreshPinned();
  }

  loadGhost() {
    const {listing, sample, style} = this;
    return this.ghost.load({listing, step: this.shown.step, index: this.nav.index, sample, style});
  }

  /** Called once the frame holding this card's view has been drawn. */
  afterDraw() {
    if (!this.dirty || this.loader.busy()) return;
    this.dirty = false;
    this.element.dataset.step = String(this.shown.step);
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
    this.shown.remove();
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
    this.showStep(this.nav.index);
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
