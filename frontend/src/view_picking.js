// Picking in a card's view: hovering shows the vertex (and face) under the cursor in a tooltip, a click
// pins it, another click unpins it. Vertices near the cursor are found on the CPU (picking.js), a mesh's
// large triangles by the GPU id pass; the pinned vertex is described again when the step changes. A view
// of several layers (a scene card's) picks each and keeps the hit nearest the camera, naming its layer.
import * as THREE from 'three';

import {PickTooltip, describePick} from './inspector.js';
import {refineMeshPick, screenPick} from './picking.js';
import {positionAt} from './positions.js';

/**
 * @typedef {object} PickLayer something drawn in the view that can be picked.
 * @property {import('./model.js').StepModel|null} model the step drawn.
 * @property {{stride: number}|null} [preview] the header's preview field while a preview is shown.
 * @property {string} [name] the layer's name, shown first in the tooltip (a scene's layers have one).
 */

/** The tooltip lines of a pick in `layer`: its name (when it has one), then describePick's lines. */
export function describeLayerPick(layer, pick) {
  const lines = describePick(layer.model, pick, layer.preview ?? undefined);
  return layer.name === undefined ? lines : [['layer', layer.name], ...lines];
}

const CLICK_SLOP_PX = 4;
const PICK_RADIUS_PX = 4;

export class ViewPicking {
  /**
   * @param {object} options
   * @param {HTMLElement} options.card the card's element: gets `data-picked`, `data-pick-ms`, `data-pick-method`
   *   and, for a named layer, `data-picked-layer`.
   * @param {import('./viewport.js').Viewport} options.viewport
   * @param {import('./picking.js').Picker} options.picker
   * @param {() => PickLayer[]} options.layers what can be picked now: a card's shown step, or a scene's
   *   visible layers.
   */
  constructor({card, viewport, picker, layers}) {
    this.card = card;
    this.viewport = viewport;
    this.view = viewport.element;
    this.picker = picker;
    this.layers = layers;
    this.pinned = null; // {name, vertex, face, x, y} of a clicked pick
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
   * The vertex (and face) under view pixel (x, y) of the layer hit nearest the camera, or null.
   *
   * @returns {{layer: PickLayer, vertex: number, face: number}|null}
   */
  pickAt({x, y}) {
    const started = performance.now();
    const rect = this.view.getBoundingClientRect();
    let best = null;
    let method = 'screen';
    for (const layer of this.layers()) {
      if (!layer.model) continue;
      const hit = this.pickModel(layer.model, {x, y, width: rect.width, height: rect.height});
      if (hit.method === 'gpu') method = 'gpu';
      if (hit.vertex >= 0 && (!best || hit.depth < best.depth)) best = {...hit, layer};
    }
    this.card.dataset.pickMs = (performance.now() - started).toFixed(2);
    this.card.dataset.pickMethod = best?.method ?? method;
    return best && {layer: best.layer, vertex: best.vertex, face: best.face};
  }

  /**
   * The vertex (and face) of one model under view pixel (x, y), and its depth (clip space).
   *
   * @returns {{vertex: number, face: number, depth: number, method: string}} vertex -1 for none.
   */
  pickModel(model, {x, y, width, height}) {
    const camera = this.viewport.camera;
    const material = model.object.material;
    const pointSize = model.as === 'points' && !material.sizeAttenuation ? material.size : 1;
    const at = {x, y, width, height, radius: Math.max(PICK_RADIUS_PX, pointSize / 2)};
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
    if (vertex < 0) return {vertex, face: -1, depth: Infinity, method};
    const clip = (i) => new THREE.Vector3(...positionAt(model.arrays, i)).project(camera); // model = world
    let pick = {vertex, face: -1};
    if (model.as === 'mesh') {
      const project = (i) => {
        const p = clip(i);
        return [((p.x + 1) / 2) * width, ((1 - p.y) / 2) * height];
      };
      pick = refineMeshPick(model.arrays.faces.data, vertex, project, [x, y]);
    }
    return {...pick, depth: clip(pick.vertex).z, method};
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
    const {layer, vertex, face} = pick;
    if (pin) this.pinned = {name: layer.name, vertex, face, ...at};
    this.card.dataset.picked = String(vertex);
    if (layer.name === undefined) delete this.card.dataset.pickedLayer;
    else this.card.dataset.pickedLayer = layer.name;
    this.tooltip.show(describeLayerPick(layer, {vertex, face}), at.x, at.y, pin);
  }

  /**
   * Describes the pinned vertex again in a newly shown step (vertex indices usually persist); a pin on a
   * layer no longer shown or drawn, or past its vertices, is dropped.
   */
  refreshPinned() {
    if (!this.pinned) return;
    const {name, vertex, face, x, y} = this.pinned;
    const layer = this.layers().find((l) => l.name === name);
    const model = layer?.model;
    if (!model || vertex >= model.arrays.vertices.shape[0] || face >= (model.arrays.faces?.shape[0] ?? 0)) {
      this.pinned = null;
      this.tooltip.hide();
      return;
    }
    this.tooltip.show(describeLayerPick(layer, {vertex, face}), x, y, true);
  }

  /** Drops a pick waiting for the next frame (the pinned one stays). */
  cancel() {
    cancelAnimationFrame(this.frame);
  }
}
