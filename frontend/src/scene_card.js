// A scene card: several tags of one run under a common prefix (scene_grouping.js) drawn as layers of one
// view (scene_layers.js), with one camera, one step slider over every step any layer kept (each layer
// shows its nearest kept step at or before it), per-layer visibility, opacity and colouring, hover picking
// of the visible layers (view_picking.js), "view through" a logged camera, and the run's images under the
// prefix beside the view (image_strip.js). It answers the
// dashboard as a MeshCard does (start, goToStep, cameraPose, urlState, update, park, unpark, dispose).
import {unionSphere} from './camera_fit.js';
import {drawingOptions} from './card_controls.js';
import {el} from './dom.js';
import {ImageStrip, imagesFor, sceneImages} from './image_strip.js';
import {SceneLayer} from './scene_layers.js';
import {StepLoader} from './step_loader.js';
import {StepNavigator} from './step_navigation.js';
import {unionSteps} from './steps.js';
import {ViewOptions, snapshotName} from './view_options.js';
import {ViewPicking} from './view_picking.js';
import {Viewport} from './viewport.js';

const round = (x) => Number(x.toFixed(4));

export class SceneCard {
  /**
   * @param {object} options
   * @param {string} options.run
   * @param {string} options.prefix the scene's prefix; its layers are `tags`.
   * @param {string[]} options.tags sorted.
   * @param {string} options.grouping the grouping that made the scene (scene_grouping.GROUPINGS).
   * @param {object} options.listing the `tags` route's JSON.
   * @param {import('./shared_renderer.js').SharedRenderer} options.shared
   * @param {import('./picking.js').Picker} options.picker
   * @param {string} options.theme "light" or "dark".
   * @param {{step?: (number|null), camera?: (number[]|null), layers?: Array, through?: Array}} [options.initial]
   *   state restored from the URL.
   * @param {{onStep?: Function, onCamera?: Function, onStateChange?: Function, relist?: Function}} [options.hooks]
   *   as MeshCard's.
   */
  constructor({run, prefix, tags, grouping, listing, shared, picker, theme = 'light', initial = {}, hooks = {}}) {
    this.run = run;
    this.prefix = prefix;
    this.grouping = grouping;
    this.members = JSON.stringify(tags);
    this.listing = listing;
    this.hooks = hooks;
    this.initial = {step: initial.step ?? null, camera: initial.camera ?? null};
    this.through = initial.through ? {tag: initial.through[0], camera: initial.through[1]} : null;
    this.style = {pointSize: 2, pointWorldSize: null, wireframe: false, flat: false};
    this.parked = false;
    this.disposed = false;
    this.dirty = false;
    this.loads = 0;

    this.element = el('section', 'mesh3d-card mesh3d-scene');
    Object.assign(this.element.dataset, {run, scene: prefix});
    const title = el('header', 'mesh3d-title');
    title.append(el('span', 'mesh3d-tag', `${prefix}/`), el('span', 'mesh3d-run', run));
    title.append(el('span', 'mesh3d-source', `scene of ${tags.length} layers`));
    this.view = el('div', 'mesh3d-view');
    this.view.tabIndex = 0;
    this.view.setAttribute('aria-label', `3D scene ${prefix} in ${run}: drag to orbit, ← → or [ ] to step`);
    this.viewport = new Viewport({
      element: this.view,
      shared,
      theme,
      onUserCamera: () => {
        this.through = null;
        this.hooks.onCamera?.(this);
        this.hooks.onStateChange?.(this);
      },
      onDrawn: () => this.afterDraw(),
    });
    this.loader = new StepLoader({onLoading: () => this.setState('loading'), onIdle: () => this.redraw()});
    const looks = new Map(
      (initial.layers ?? []).map(([tag, visible, opacity, coloring]) => [tag, {visible, opacity, coloring}]),
    );
    const layerHooks = {
      onLook: () => {
        if (this.started && !this.parked) this.showStep(this.nav.index); // loads a layer shown again
        this.redraw();
        this.picking.refreshPinned(); // a pin on a layer hidden goes
        this.hooks.onStateChange?.(this);
      },
      onThrough: (layer, camera) => this.viewThrough(layer.tag, camera),
      redraw: () => this.redraw(),
      onColoring: () => this.hooks.onStateChange?.(this),
    };
    this.layers = tags.map(
      (tag, index) =>
        new SceneLayer({
          run,
          tag,
          name: tag.slice(prefix.length + 1),
          entry: listing.runs[run][tag],
          index,
          scene: this.viewport.scene,
          look: looks.get(tag) ?? {visible: true, opacity: 1},
          coloring: looks.get(tag)?.coloring,
          hooks: layerHooks,
        }),
    );
    this.nav = new StepNavigator({
      view: this.view,
      steps: this.sceneSteps(),
      show: (index) => this.showStep(index),
      onUserStep: (step) => {
        this.hooks.onStep?.(this, step);
        this.hooks.onStateChange?.(this);
      },
      onFollow: () => this.hooks.onStateChange?.(this),
      relist: hooks.relist,
    });
    this.picking = new ViewPicking({
      card: this.element,
      viewport: this.viewport,
      picker,
      layers: () => this.layers.filter((l) => l.look.visible).map((l) => l.pickLayer()),
    });
    this.images = new ImageStrip({run, prefix});
    this.updateImages();
    const body = el('div', 'mesh3d-scene-body');
    body.append(this.view, this.images.element);
    const layerList = el('div', 'mesh3d-layers');
    layerList.append(...this.layers.map((layer) => layer.row));
    this.element.append(title, body, layerList, this.buildControls());
    if (this.nav.steps.length > 0) this.start();
    else this.setState('error');
  }

  get started() {
    return this.nav.started;
  }

  /** The kept steps of every layer that can be shown, merged. */
  sceneSteps() {
    return unionSteps(this.layers.filter((l) => !l.entry.error).map((l) => l.entry.steps || []));
  }

  start() {
    this.viewport.attach();
    this.nav.start(this.initial.step);
  }

  buildControls() {
    const controls = el('div', 'mesh3d-controls');
    const options = el('div', 'mesh3d-options');
    const kinds = new Set(this.layers.map((l) => l.entry.kind));
    for (const kind of ['mesh', 'point_cloud'].filter((k) => kinds.has(k))) {
      options.append(...drawingOptions({kind, samples: 1}, this.style, {onRestyle: () => this.restyle()}));
    }
    this.viewOptions = new ViewOptions(kinds.has('mesh') ? 'mesh' : 'lines', {
      onChange: () => {
        this.style.flat = this.viewOptions.flat();
        this.restyle();
      },
      onSave: () => this.viewport.savePng(snapshotName(this.run, this.prefix, this.nav.shown()?.step)),
    });
    controls.append(...this.nav.elements, options, this.viewOptions.element);
    return controls;
  }

  restyle() {
    for (const layer of this.layers) layer.shown.restyle(this.style);
    this.updateHelpers();
  }

  /** The bounds of every drawn layer, or null. */
  bounds() {
    const spheres = this.layers.map((l) => l.shown.boundingSphere()).filter(Boolean);
    return spheres.length ? unionSphere(spheres) : null;
  }

  updateHelpers() {
    this.viewport.setHelpers(this.bounds(), this.viewOptions.helpers());
    this.redraw();
  }

  /** Shows the scene's kept step number `index`: every layer at its nearest kept step at or before it. */
  async showStep(index) {
    const step = this.nav.showing(index);
    const load = ++this.loads;
    this.images.show(step);
    const onDrawn = (layer) => this.layerDrawn(layer);
    const loading = this.layers.map((layer) =>
      layer.load({step, loader: this.loader, style: this.style, sample: 0, onDrawn}),
    );
    await Promise.all(loading);
    if (this.disposed || load !== this.loads) return;
    this.nav.loaded();
    this.fitOnce();
    this.updateHelpers();
    this.picking.refreshPinned();
  }

  /**
   * A layer has a new body: fit the camera once every layer has one, and follow the camera looked through.
   * The frame waits until no layer is loading (StepLoader's onIdle): every frame of a 1M-point scene costs
   * a software renderer hundreds of ms.
   */
  layerDrawn(layer) {
    this.fitOnce();
    if (this.through?.tag === layer.tag) this.viewThrough(layer.tag, this.through.camera);
  }

  fitOnce() {
    if (this.viewport.fitted || !this.layers.every((l) => l.settled())) return;
    const bounds = this.bounds();
    if (bounds) this.viewport.fitFirst(bounds, {pose: this.initial.camera ?? undefined});
  }

  /** Moves the view to camera number `camera` of the camera layer `tag`, as drawn at the shown step. */
  viewThrough(tag, camera) {
    const view = this.layers.find((l) => l.tag === tag)?.cameraView(camera);
    if (!view) return;
    this.viewport.lookThrough(view);
    this.viewport.moved = true;
    this.through = {tag, camera};
    this.hooks.onStateChange?.(this);
    if (!this.loader.busy()) this.redraw();
  }

  goToStep(step) {
    this.nav.goToStep(step);
  }

  cameraPose() {
    return this.viewport.cameraPose();
  }

  setCameraPose(pose) {
    this.viewport.setCameraPose(pose);
    this.viewport.moved = true;
    this.through = null;
  }

  /** The scene's URL state: step, camera, the layers not at their default look, the camera looked through. */
  urlState() {
    return {
      step: this.nav.urlStep(),
      camera: this.viewport.moved ? this.cameraPose() : null,
      layers: this.layers.map((l) => l.urlState()).filter(Boolean),
      through: this.through ? [this.through.tag, this.through.camera] : null,
    };
  }

  setTheme(theme) {
    this.viewport.setTheme(theme);
    this.updateHelpers();
  }

  /** The images of the run under the scene's prefix, for the listing of the tags the card has. */
  async updateImages() {
    const listing = this.listing;
    const images = await imagesFor(listing);
    if (this.disposed || listing !== this.listing) return;
    this.images.setImages(sceneImages(images, this.run, this.prefix, this.grouping));
    if (this.started) this.images.show(this.nav.shown().step);
  }

  /** Takes a new listing of the tags: layers get their new steps, the slider grows. */
  update(listing) {
    this.listing = listing;
    for (const layer of this.layers) {
      const entry = listing.runs?.[this.run]?.[layer.tag];
      if (entry && !entry.error) layer.entry = {...layer.entry, steps: entry.steps};
    }
    this.updateImages();
    const steps = this.sceneSteps();
    if (steps.length === 0) return;
    const moved = this.nav.relisted(steps);
    if (!this.started) this.start();
    else if (moved && !this.parked) this.showStep(this.nav.index);
  }

  setState(state) {
    this.element.dataset.state = state;
  }

  redraw() {
    this.dirty = true;
    if (!this.loader.busy()) this.setState('drawing');
    this.viewport.requestRender();
  }

  afterDraw() {
    if (!this.dirty || this.loader.busy()) return;
    this.dirty = false;
    this.element.dataset.step = String(this.nav.shown()?.step);
    const {position, target, up, fov} = this.viewport.describeCamera();
    const camera = {position: position.map(round), target: target.map(round), up: up.map(round), fov: round(fov)};
    this.element.dataset.camera = JSON.stringify(camera);
    this.element.dataset.layersShown = String(this.layers.filter((l) => l.shown.model && l.look.visible).length);
    this.setState('ready');
  }

  /** Puts a hidden scene aside: stops loading and frees its layers' GPU buffers and its renderer slot. */
  park() {
    this.parked = true;
    this.loader.cancelAll();
    this.picking.cancel();
    for (const layer of this.layers) layer.shown.remove();
    this.viewport.detach();
  }

  unpark() {
    this.parked = false;
    if (!this.started) return;
    this.viewport.attach();
    this.showStep(this.nav.index);
  }

  dispose() {
    this.park();
    this.disposed = true;
    this.loader.dispose();
    this.viewport.dispose();
    this.element.remove();
  }
}
