// A card's 3D view: its scene, camera and lights, orbit controls, camera fitting, the bounding box and
// axes helpers, drawing into the shared renderer's canvas (its slot there) and saving the view as a PNG.
import * as THREE from 'three';
import {OrbitControls} from 'three/addons/controls/OrbitControls.js';

import {fitCamera} from './camera_fit.js';
import {el} from './dom.js';
import {BACKGROUNDS} from './theme.js';
import {buildHelpers, disposeHelpers} from './view_options.js';

const FOV_DEGREES = 45;
const WORLD_UP = new THREE.Vector3(0, 1, 0);

export class Viewport {
  /**
   * @param {object} options
   * @param {HTMLElement} options.element the view's element: the controls listen on it, it is drawn over.
   * @param {import('./shared_renderer.js').SharedRenderer} options.shared
   * @param {string} options.theme "light" or "dark".
   * @param {number} [options.fov] vertical field of view in degrees.
   * @param {() => void} options.onUserCamera called when the user moves the camera.
   * @param {() => void} options.onDrawn called once a frame holding this view has been drawn.
   */
  constructor({element, shared, theme, fov = FOV_DEGREES, onUserCamera, onDrawn}) {
    this.element = element;
    this.shared = shared;
    this.theme = theme;
    this.scene = new THREE.Scene();
    this.scene.background = new THREE.Color(BACKGROUNDS[theme]);
    this.camera = new THREE.PerspectiveCamera(fov, 1, 0.01, 100);
    const headlight = new THREE.DirectionalLight(0xffffff, 2.2);
    headlight.position.set(0.5, 1, 1);
    this.camera.add(headlight);
    this.scene.add(this.camera, new THREE.HemisphereLight(0xffffff, 0x667080, 0.9));
    this.helpers = null; // the bounding box and axes group
    this.fitted = false; // fitFirst() has placed the camera
    this.moved = false; // the user (or a pose given from outside) moved the camera: it goes into the URL
    this.interacting = false;
    this.controls = new OrbitControls(this.camera, element);
    this.controls.addEventListener('start', () => {
      this.interacting = true;
      this.camera.up.copy(WORLD_UP); // orbiting after lookThrough(): back to the world's up
    });
    this.controls.addEventListener('end', () => {
      this.interacting = false;
    });
    this.controls.addEventListener('change', () => {
      this.requestRender();
      if (!this.interacting) return;
      this.moved = true;
      onUserCamera();
    });
    // This view's slot in the shared renderer.
    this.slot = {element, draw: (renderer, width, height) => this.draw(renderer, width, height), afterDraw: onDrawn};
    this.attached = false;
  }

  /** Takes a slot in the shared renderer: the view is drawn from now on. */
  attach() {
    this.attached = true;
    this.shared.add(this.slot);
  }

  requestRender() {
    this.shared.requestRender(this.slot);
  }

  /** The camera as `[position xyz, target xyz]`. */
  cameraPose() {
    return [...this.camera.position.toArray(), ...this.controls.target.toArray()];
  }

  /** Places the camera at a pose from cameraPose(). */
  setCameraPose(pose) {
    this.camera.position.set(pose[0], pose[1], pose[2]);
    this.controls.target.set(pose[3], pose[4], pose[5]);
    const distance = this.camera.position.distanceTo(this.controls.target);
    if (distance * 4 > this.controls.maxDistance) this.controls.maxDistance = distance * 8;
    this.camera.far = Math.max(this.camera.far, distance * 10);
    this.camera.near = Math.min(this.camera.near, distance / 100);
    this.camera.updateProjectionMatrix();
    this.controls.update();
    this.requestRender();
  }

  /**
   * Looks through a logged camera: from `position` toward `target`, with its `up` (until the user orbits)
   * and vertical field of view `fov` in degrees.
   */
  lookThrough({position, target, up, fov}) {
    this.camera.up.set(...up);
    this.camera.fov = fov;
    this.setCameraPose([...position, ...target]);
  }

  /** The camera for tests and the URL: position, target, up and vertical field of view (degrees). */
  describeCamera() {
    const {position, up, fov} = this.camera;
    return {position: position.toArray(), target: this.controls.target.toArray(), up: up.toArray(), fov};
  }

  /**
   * Places the camera for the first step shown, once: fitted to its bounding sphere, then at `position`
   * looking at the sphere's centre (a built-in summary's camera), then at `pose` (from the URL).
   *
   * @param {{center: number[], radius: number}} sphere
   * @param {{position?: number[], pose?: number[]}} [places]
   */
  fitFirst(sphere, {position, pose} = {}) {
    if (this.fitted) return;
    this.fitted = true;
    this.fit(sphere);
    if (position) this.setCameraPose([...position, ...sphere.center]);
    if (pose) {
      this.setCameraPose(pose);
      this.moved = true;
    }
  }

  /** Points the camera at a bounding sphere (camera_fit.js) so it fills the view. */
  fit(sphere) {
    const rect = this.element.getBoundingClientRect();
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

  setTheme(theme) {
    this.theme = theme;
    this.scene.background.set(BACKGROUNDS[theme]);
  }

  /** Replaces the bounding box and axes: of `bounds` as `wanted` (`{box, axes}`) says, or none (null). */
  setHelpers(bounds, wanted) {
    if (this.helpers) {
      this.scene.remove(this.helpers);
      disposeHelpers(this.helpers);
      this.helpers = null;
    }
    if (bounds && (wanted.box || wanted.axes)) {
      this.helpers = buildHelpers(bounds, wanted, this.theme);
      this.scene.add(this.helpers);
    }
  }

  /** Saves the view as it is drawn now as a PNG download called `name`. */
  savePng(name) {
    const canvas = this.shared.snapshot(this.element);
    canvas.toBlob((blob) => {
      const link = el('a');
      link.href = URL.createObjectURL(blob);
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    }, 'image/png');
  }

  /** Called by the shared renderer with the scissor set to this view. */
  draw(renderer, width, height) {
    if (this.camera.aspect !== width / height) {
      this.camera.aspect = width / height;
      this.camera.updateProjectionMatrix();
    }
    renderer.render(this.scene, this.camera);
  }

  /** Gives the slot in the shared renderer back: the view is not drawn until attach(). */
  detach() {
    if (this.attached) this.shared.remove(this.slot);
    this.attached = false;
  }

  /** Frees the helpers and the controls' listeners and gives the renderer slot back. */
  dispose() {
    this.setHelpers(null);
    this.controls.dispose();
    this.detach();
  }
}
