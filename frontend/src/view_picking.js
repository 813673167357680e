// Picking in a card's view: hovering shows the vertex (and face) under the cursor in a tooltip, a click
// pins it, another click unpins it. Vertices near the cursor are found on the CPU (picking.js), a mesh's
// large triangles by the GPU id pass; the pinned vertex is described again when the step changes.
import * as THREE from 'three';

import {PickTooltip, describePick} from './inspector.js';
import {refineMeshPick, screenPick} from './picking.js';
import {positionAt} from './positions.js';

const CLICK_SLOP_PX = 4;
const PICK_RADIUS_PX = 4;

export class ViewPicking {
  /**
   * @param {object} options
   * @param {HTMLElement} options.card the card's element: gets `data-picked`, `data-pick-ms`, `data-pick-method`.
   * @param {import('./viewport.js').Viewport} options.viewport
   * @param {import('./picking.js').Picker} options.picker
   * @param {() => ({model: (import('./model.js').StepModel|null), preview: (object|null)})} options.shown
   *   the step shown now and its preview field.
   */
  constructor({card, viewport, picker, shown}) {
    this.card = card;
    this.viewport = viewport;
    this.view = viewport.element;
    this.picker = picker;
    this.shown = shown;
    this.pinned = null; // {vertex, face, x, y} of a clicked pick
    this.tooltip = new PickTooltip();
    this.view.append(this.tooltip.element);
    this.frame = 0;
    this.listen();
  }

  listen() {
    let down = null;
    this.view.addEventListener('pointerdown', (event) => {
      cancelAnimationFrame(this.frame);
      down = {x: event.clientX, y: event.clientY};
    });
    this.view.addEventListener('pointermove', (event) => {
      if (event.buttons !== 0 || this.pinned) return;
      const at = this.viewPoint(event);
      cancelAnimationFrame(this.frame);
      this.frame = requestAnimationFrame(() => this.showPick(at, false));
    });
    this.view.addEventListener('pointerleave', () => {
      cancelAnimationFrame(this.frame);
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
    const {model} = this.shown();
    if (!model) return null;
    const started = performance.now();
    const camera = this.viewport.camera;
    const rect = this.view.getBoundingClientRect();
    const material = model.object.material;
    const pointSize = model.as === 'points' && !material.sizeAttenuation ? material.size : 1;
    const at = {x, y, width: rect.width, height: rect.height, radius: Math.max(PICK_RADIUS_PX, pointSize / 2)};
    model.object.updateWorldMatrix(true, false);
    const {data, unit} = model.localPositions();
    const matrix = new THREE.Matrix4()
      .multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse)
      .multiply(model.object.matrixWorld)
      .multiply(new THREE.Matrix4().makeScale(unit, unit, unit));
    let vertex = screenPick(data, matrix, at);
    let method = 'screen';
    if (vertex < 0 && model.as === 'mesh') {
      const hit = this.picker.pick(this.viewport.shared.renderer, model.object, camera, {...at, pointSize});
      const unshared = hit && !model.object.geometry.index;
      vertex = !hit ? -1 : unshared ? model.arrays.faces.data[hit.index] : hit.index;
      method = 'gpu';
    }
    let pick = vertex < 0 ? null : {vertex, face: -1};
    if (pick && model.as === 'mesh') {
      const project = (i) => {
        const p = new THREE.Vector3(...positionAt(model.arrays, i)).project(camera);
        return [((p.x + 1) / 2) * rect.width, ((1 - p.y) / 2) * rect.height];
      };
      pick = refineMeshPick(model.arrays.faces.data, vertex, project, [x, y]);
    }
    this.card.dataset.pickMs = (performance.now() - started).toFixed(2);
    this.card.dataset.pickMethod = method;
    return pick;
  }

  /** Picks at `at` and shows (or, pinned, keeps) the tooltip there. */
  showPick(at, pin) {
    if (this.pinned && !pin) return;
    const pick = this.pickAt(at);
    if (!pick) {
      if (pin) this.pinned = null;
      this.tooltip.hide();
      delete this.card.dataset.picked;
      return;
    }
    if (pin) this.pinned = {...pick, ...at};
    this.card.dataset.picked = String(pick.vertex);
    const {model, preview} = this.shown();
    this.tooltip.show(describePick(model, pick, preview), at.x, at.y, pin);
  }

  /** Describes the pinned vertex again in a newly shown step (vertex indices usually persist). */
  refreshPinned() {
    const {model, preview} = this.shown();
    if (!this.pinned || !model) return;
    const {vertex, face, x, y} = this.pinned;
    if (vertex >= model.arrays.vertices.shape[0] || face >= (model.arrays.faces?.shape[0] ?? 0)) {
      this.pinned = null;
      this.tooltip.hide();
      return;
    }
    this.tooltip.show(describePick(model, {vertex, face}, preview), x, y, true);
  }

  /** Drops a pick waiting for the next frame (the pinned one stays). */
  cancel() {
    cancelAnimationFrame(this.frame);
  }
}
