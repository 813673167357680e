// A card's view options: flat or smooth shading (meshes), a bounding box and axes (drawn from the
// step's bounds, so no pass over the vertices), and saving the view as a PNG.
import * as THREE from 'three';

import {el, labelled, select} from './dom.js';

const HELPER_COLORS = {light: 0x5f6368, dark: 0xbdc1c6};

/**
 * A file name for a saved view: run, tag and step, with anything but letters, digits, '.', '_' and
 * '-' replaced (run names and tags are user text).
 */
export function snapshotName(run, tag, step) {
  const safe = (text) =>
    String(text)
      .replace(/[^\p{L}\p{N}._-]+/gu, '_')
      .replace(/^_+|_+$/g, '') || 'untitled';
  return `${safe(run)}-${safe(tag)}-step${step}.png`;
}

/** The box and axes of `bounds` (`{min, max}` in model coordinates), in the theme's helper colour. */
export function buildHelpers(bounds, {box, axes}, theme) {
  const group = new THREE.Group();
  const color = HELPER_COLORS[theme] ?? HELPER_COLORS.light;
  const min = new THREE.Vector3(...bounds.min);
  const max = new THREE.Vector3(...bounds.max);
  if (box) group.add(new THREE.Box3Helper(new THREE.Box3(min, max), color));
  if (axes) {
    const size = Math.max(max.clone().sub(min).length() / 2, 1e-6);
    const helper = new THREE.AxesHelper(size);
    helper.position.copy(min);
    group.add(helper);
  }
  return group;
}

/** Disposes what buildHelpers made. */
export function disposeHelpers(group) {
  group.traverse((object) => {
    object.geometry?.dispose();
    object.material?.dispose();
  });
}

export class ViewOptions {
  /**
   * @param {string} kind the tag's kind: shading applies to meshes.
   * @param {{onChange: () => void, onSave: () => void}} callbacks
   */
  constructor(kind, {onChange, onSave}) {
    this.element = el('div', 'mesh3d-options mesh3d-view-options');
    this.shading = select('shading ', 'mesh3d-shading', [
      ['smooth', 'smooth'],
      ['flat', 'flat'],
    ]);
    this.shading.label.hidden = kind !== 'mesh';
    this.box = labelled('box ', 'mesh3d-option', {type: 'checkbox', class: 'mesh3d-box'});
    this.axes = labelled('axes ', 'mesh3d-option', {type: 'checkbox', class: 'mesh3d-axes'});
    this.save = el('button', 'mesh3d-save', 'save PNG');
    this.save.type = 'button';
    this.element.append(this.shading.label, this.box.label, this.axes.label, this.save);
    for (const input of [this.shading.input, this.box.input, this.axes.input])
      input.addEventListener('change', onChange);
    this.save.addEventListener('click', onSave);
  }

  flat() {
    return this.shading.input.value === 'flat';
  }

  /** `{box, axes}`: which helpers are on. */
  helpers() {
    return {box: this.box.input.checked, axes: this.axes.input.checked};
  }
}
