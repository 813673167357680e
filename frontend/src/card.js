// A card: one run and tag, its WebGL view, step slider and display controls. Steps load on demand.
import * as THREE from 'three';
import {OrbitControls} from 'three/addons/controls/OrbitControls.js';

import {fetchMesh} from './api.js';
import {boundingSphere, fitCamera} from './camera_fit.js';
import {el, labelled} from './dom.js';
import {buildObject, disposeObject, restyle} from './model.js';

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
   * @param {{run: string, tag: string, entry: object, shared: import('./shared_renderer.js').SharedRenderer}} options
   *   entry is this tag's listing from the `tags` route.
   */
  constructor({run, tag, entry, shared}) {
    this.run = run;
    this.tag = tag;
    this.entry = entry;
    this.shared = shared;
    this.steps = entry.steps || [];
    this.style = {pointSize: 2, wireframe: false};
    this.object = null;
    this.cameraFitted = false;
    this.request = null;
    this.pendingStep = null;
    this.sample = 0;

    this.element = el('section', 'mesh3d-card');
    this.element.dataset.run = run;
    this.element.dataset.tag = tag;
    const title = el('header', 'mesh3d-title');
    title.append(el('span', 'mesh3d-tag', tag), el('span', 'mesh3d-run', run));
    this.element.append(title);
    if (entry.description) this.element.append(el('p', 'mesh3d-description', entry.description));
    this.view = el('div', 'mesh3d-view');
    this.view.tabIndex = 0;
    this.element.append(this.view);
    this.errorBox = el('div', 'mesh3d-error');
    this.errorBox.hidden = true;
    this.element.append(this.errorBox);
    this.element.append(this.buildControls());

    this.scene = new THREE.Scene();
    this.scene.background = new THREE.Color(BACKGROUND);
    this.camera = new THREE.PerspectiveCamera(FOV_DEGREES, 1, 0.01, 100);
    const headlight = new THREE.DirectionalLight(0xffffff, 2.2);
    headlight.position.set(0.5, 1, 1);
    this.camera.add(headlight);
    this.scene.add(this.camera, new THREE.HemisphereLight(0xffffff, 0x667080, 0.9));
    this.controls = new OrbitControls(this.camera, this.view);
    this.controls.addEventListener('change', () => shared.requestRender());

    if (entry.error) {
      this.fail(entry.error);
    } else if (this.steps.length === 0) {
      this.fail('No steps of this tag were kept.');
    } else {
      shared.add({element: this.view, draw: (...args) => this.draw(...args), afterDraw: () => this.afterDraw()});
      this.showStep(this.steps.length - 1);
    }
  }

  buildControls() {
    const controls = el('div', 'mesh3d-controls');
    const last = Math.max(this.steps.length - 1, 0);
    const step = labelled('', 'mesh3d-step-control', {
      type: 'range', min: 0, max: last, step: 1, value: last, 'aria-label': 'step',
    });
    this.stepInput = step.input;
    this.stepInput.className = 'mesh3d-step';
    this.stepInput.disabled = this.steps.length < 2;
    this.stepInput.addEventListener('input', () => this.showStep(Number(this.stepInput.value)));
    this.stepLabel = el('span', 'mesh3d-step-label');
    controls.append(step.label, this.stepLabel);

    const options = el('div', 'mesh3d-options');
    if (this.entry.kind === 'mesh') {
      const wireframe = labelled('wireframe ', 'mesh3d-option', {type: 'checkbox'});
      wireframe.input.className = 'mesh3d-wireframe';
      wireframe.input.addEventListener('change', () => {
        this.style.wireframe = wireframe.input.checked;
        this.restyle();
      });
      options.append(wireframe.label);
    } else if (this.entry.kind === 'point_cloud') {
      const size = labelled('point size ', 'mesh3d-option', {
        type: 'range', min: 1, max: 12, step: 1, value: this.style.pointSize,
      });
      size.input.className = 'mesh3d-point-size';
      size.input.addEventListener('input', () => {
        this.style.pointSize = Number(size.input.value);
        this.restyle();
      });
      options.append(size.label);
    }
    if (this.entry.samples > 1) {
      const sample = labelled('sample ', 'mesh3d-option', {
        type: 'number', min: 0, max: this.entry.samples - 1, step: 1, value: 0,
      });
      sample.input.className = 'mesh3d-sample';
      sample.input.addEventListener('change', () => {
        const value = Math.trunc(Number(sample.input.value));
        this.sample = Math.min(Math.max(Number.isFinite(value) ? value : 0, 0), this.entry.samples - 1);
        sample.input.value = String(this.sample);
        this.showStep(Number(this.stepInput.value));
      });
      options.append(sample.label);
    }
    options.append(el('span', 'mesh3d-counts', countText(this.entry)));
    controls.append(options);
    return controls;
  }

  restyle() {
    if (!this.object) return;
    restyle(this.object, this.style);
    this.shared.requestRender();
  }

  setState(state) {
    this.element.dataset.state = state;
  }

  fail(message) {
    this.setState('error');
    this.errorBox.textContent = message;
    this.errorBox.hidden = false;
  }

  /** Fetches step number `index` of this tag's steps and draws it; a newer request cancels an older one. */
  async showStep(index) {
    const {step, wall_time: wallTime} = this.steps[index];
    this.stepLabel.textContent = `step ${step} · ${new Date(wallTime * 1000).toLocaleString()}`;
    this.request?.abort();
    const request = new AbortController();
    this.request = request;
    this.pendingStep = null;
    this.setState('loading');
    let decoded;
    try {
      decoded = await fetchMesh({run: this.run, tag: this.tag, step, sample: this.sample}, request.signal);
    } catch (error) {
      if (request.signal.aborted) return;
      this.fail(`Step ${step}, sample ${this.sample} could not be loaded: ${error.message}`);
      return;
    }
    if (request.signal.aborted) return;
    this.errorBox.hidden = true;
    this.replaceObject(buildObject(this.entry.kind, decoded.arrays, this.style), decoded.arrays.vertices.data);
    this.pendingStep = step;
    this.shared.requestRender();
  }

  replaceObject(object, positions) {
    if (this.object) {
      this.scene.remove(this.object);
      disposeObject(this.object);
    }
    this.object = object;
    this.scene.add(object);
    if (!this.cameraFitted) {
      this.fitCamera(positions);
      this.cameraFitted = true;
    }
  }

  fitCamera(positions) {
    const rect = this.view.getBoundingClientRect();
    const aspect = rect.width > 0 && rect.height > 0 ? rect.width / rect.height : 1;
    const fit = fitCamera(boundingSphere(positions), FOV_DEGREES, aspect);
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
    if (this.pendingStep === null) return;
    this.element.dataset.step = String(this.pendingStep);
    this.pendingStep = null;
    this.setState('ready');
  }
}
