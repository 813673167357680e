// Turns a decoded step (wire.js) into three.js objects. The typed arrays go to GPU buffers as they are.
import * as THREE from 'three';

import {buildArrows} from './arrows.js';
import {colorByAttribute} from './attribute_color.js';
import {boundingSphere} from './camera_fit.js';
import {faceCentroids, repeatPerCorner, unshareFaces} from './flat_faces.js';

const DEFAULT_COLORS = {mesh: 0xb4bccb, points: 0x3b6fd1, lines: 0x202124};

/** How a step is drawn: "mesh" (with faces), "lines" (with segments) or "points". */
export function drawnAs(kind, arrays) {
  if (kind === 'mesh' && arrays.faces) return 'mesh';
  if (kind === 'lines' && arrays.segments) return 'lines';
  return 'points';
}

/** A geometry over the decoded buffers: positions, logged colours, and faces or segments as the index. */
export function buildGeometry(kind, arrays) {
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute('position', new THREE.BufferAttribute(arrays.vertices.data, 3));
  const colors = arrays.colors;
  if (colors) {
    // uint8 0–255 read by the GPU as normalised 0–1; 4 channels carry alpha.
    geometry.setAttribute('color', new THREE.BufferAttribute(colors.data, colors.shape[1], true));
  }
  const as = drawnAs(kind, arrays);
  // Uint32 indices: meshes over 65,535 vertices need them (WebGL2 draws them natively).
  if (as === 'mesh') geometry.setIndex(new THREE.BufferAttribute(arrays.faces.data, 1));
  if (as === 'lines') geometry.setIndex(new THREE.BufferAttribute(arrays.segments.data, 1));
  if (as === 'mesh') geometry.computeVertexNormals();
  return geometry;
}

/**
 * A material for objects drawn `as` "mesh", "lines" or "points".
 *
 * @param {string} as
 * @param {{color: number, vertexColors: boolean, transparent: boolean}} look
 * @param {{pointSize: number, wireframe: boolean}} style
 */
export function buildMaterial(as, {color, vertexColors, transparent}, style) {
  if (as === 'mesh') {
    return new THREE.MeshStandardMaterial({
      color, vertexColors, transparent, roughness: 0.75, metalness: 0, side: THREE.DoubleSide,
      wireframe: style.wireframe,
    });
  }
  if (as === 'lines') return new THREE.LineBasicMaterial({color, vertexColors, transparent});
  return new THREE.PointsMaterial({color, vertexColors, transparent, size: style.pointSize, sizeAttenuation: false});
}

/** The three.js object drawing `geometry` `as` "mesh", "lines" or "points". */
export function buildObject(as, geometry, material) {
  const Kind = {mesh: THREE.Mesh, lines: THREE.LineSegments, points: THREE.Points}[as];
  return new Kind(geometry, material);
}

/** The default colour of objects drawn `as` "mesh", "lines" or "points". */
export function defaultColor(as) {
  return DEFAULT_COLORS[as];
}

/** Applies a changed style to a material from buildMaterial. */
export function restyleMaterial(material, style) {
  if (material.isPointsMaterial) material.size = style.pointSize;
  else if (material.isMeshStandardMaterial) material.wireframe = style.wireframe;
}

/**
 * One decoded step drawn in a card: the object, coloured by its logged colours, a plain colour or an
 * attribute, and optional arrows of a vector attribute. `group` holds what to add to the scene.
 */
export class StepModel {
  /**
   * @param {string} kind "mesh", "point_cloud" or "lines".
   * @param {{header: object, arrays: object}} decoded from wire.js.
   * @param {{pointSize: number, wireframe: boolean}} style
   */
  constructor(kind, {header, arrays}, style) {
    this.arrays = arrays;
    this.as = drawnAs(kind, arrays);
    this.style = style;
    const withArrays = (a) => [a.name, {...a, values: arrays[a.values], ranges: arrays[a.ranges]}];
    const present = (header.attributes || []).filter((a) => arrays[a.values] && arrays[a.ranges]);
    this.attributes = new Map(present.map(withArrays));
    this.geometry = buildGeometry(kind, arrays);
    this.unshared = null; // the geometry with unshared faces, made when a face attribute is shown
    this.coloringKey = null; // what the object is coloured by now
    this.object = buildObject(this.as, this.geometry);
    this.arrows = null;
    this.sphere = null;
    this.group = new THREE.Group();
    this.group.add(this.object);
    this.setColoring(null);
  }

  /** The attribute `name` of this step, with its `values` and `ranges` arrays, or undefined. */
  attribute(name) {
    return this.attributes.get(name);
  }

  /** The attribute `name` if this step's object can show it (face attributes need drawn faces). */
  drawable(name) {
    const attribute = this.attributes.get(name);
    return attribute && (attribute.placement === 'vertex' || this.as === 'mesh') ? attribute : undefined;
  }

  /** The bounding sphere of the positions (computed once). */
  boundingSphere() {
    this.sphere ??= boundingSphere(this.arrays.vertices.data);
    return this.sphere;
  }

  /**
   * Colours the object: `null` for its logged colours (or the default colour), `'none'` for the default
   * colour, `{name, uniforms}` for an attribute of this step through shared uniforms (attribute_color.js;
   * later changes of their values need no call). Returns whether the attribute is shown.
   */
  setColoring(coloring) {
    const attribute = coloring && coloring !== 'none' ? this.drawable(coloring.name) : undefined;
    const key = attribute ? `attribute ${attribute.name}` : coloring === null ? 'logged' : 'none';
    if (key === this.coloringKey) return Boolean(attribute);
    this.coloringKey = key;
    const geometry = attribute?.placement === 'face' ? this.unsharedGeometry() : this.geometry;
    this.geometry.deleteAttribute('colorSource');
    this.unshared?.deleteAttribute('colorSource');
    if (attribute) {
      const {values, components, placement} = attribute;
      const rows = placement === 'face' ? repeatPerCorner(values.data, components) : values.data;
      geometry.setAttribute('colorSource', new THREE.BufferAttribute(rows, components));
    }
    this.object.geometry = geometry;
    const logged = coloring === null && Boolean(this.arrays.colors);
    const look = {
      color: attribute || logged ? 0xffffff : defaultColor(this.as),
      vertexColors: logged,
      transparent: logged && this.arrays.colors.shape[1] === 4,
    };
    const material = buildMaterial(this.as, look, this.style);
    // Unshared faces get their normals from screen-space derivatives: no normal buffer to compute.
    if (attribute?.placement === 'face') material.flatShading = true;
    if (attribute) colorByAttribute(material, coloring.uniforms);
    this.object.material?.dispose();
    this.object.material = material;
    return Boolean(attribute);
  }

  unsharedGeometry() {
    if (!this.unshared) {
      this.unshared = new THREE.BufferGeometry();
      const positions = unshareFaces(this.arrays.vertices.data, this.arrays.faces.data);
      this.unshared.setAttribute('position', new THREE.BufferAttribute(positions, 3));
    }
    return this.unshared;
  }

  /**
   * Shows arrows of the K = 3 attribute `name` at `scale` world units per unit, or hides them (null).
   *
   * @returns {boolean} whether arrows are shown.
   */
  setArrows(name, scale) {
    const attribute = name === null ? undefined : this.drawable(name);
    if (this.arrows && this.arrows.userData.name !== name) this.removeArrows();
    if (!attribute || attribute.components !== 3) return false;
    if (!this.arrows) {
      const {vertices, faces} = this.arrays;
      const origins = attribute.placement === 'face' ? faceCentroids(vertices.data, faces.data) : vertices.data;
      this.arrows = buildArrows(origins, attribute.values.data, scale);
      this.arrows.userData.name = name;
      this.group.add(this.arrows);
    }
    this.arrows.material.uniforms.arrowScale.value = scale;
    return true;
  }

  removeArrows() {
    this.group.remove(this.arrows);
    this.arrows.geometry.dispose();
    this.arrows.material.dispose();
    this.arrows = null;
  }

  restyle(style) {
    this.style = style;
    restyleMaterial(this.object.material, style);
  }

  dispose() {
    if (this.arrows) this.removeArrows();
    this.geometry.dispose();
    this.unshared?.dispose();
    this.object.material.dispose();
  }
}
