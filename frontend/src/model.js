// Turns a decoded step (wire.js) into three.js objects. The typed arrays go to GPU buffers as they are.
import * as THREE from 'three';

import {buildArrows} from './arrows.js';
import {colorByAttribute} from './attribute_color.js';
import {faceCentroids, repeatPerCorner, unshareFaces} from './flat_faces.js';
import {floatPositions, localSphere, positionAttribute, positionBounds, positionMatrix} from './positions.js';
import {vertexNormals} from './vertex_normals.js';

const DEFAULT_COLORS = {mesh: 0xb4bccb, points: 0x3b6fd1, lines: 0x202124};

/** How a step is drawn: "mesh" (with faces), "lines" (with segments) or "points". */
export function drawnAs(kind, arrays) {
  if (kind === 'mesh' && arrays.faces) return 'mesh';
  if (kind === 'lines' && arrays.segments) return 'lines';
  return 'points';
}

/**
 * A geometry over the decoded buffers: positions, logged colours, and faces or segments as the index.
 * Its bounding sphere is set from `bounds` (so three.js does not compute one over every vertex);
 * normals are computed later, only if smooth shading needs them (ensureNormals).
 */
export function buildGeometry(kind, arrays, bounds = positionBounds(arrays)) {
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute('position', positionAttribute(arrays));
  geometry.boundingSphere = localSphere(arrays, bounds);
  const colors = arrays.colors;
  if (colors) {
    // uint8 0–255 read by the GPU as normalised 0–1; 4 channels carry alpha.
    geometry.setAttribute('color', new THREE.BufferAttribute(colors.data, colors.shape[1], true));
  }
  const as = drawnAs(kind, arrays);
  // Uint32 indices: meshes over 65,535 vertices need them (WebGL2 draws them natively).
  if (as === 'mesh') geometry.setIndex(new THREE.BufferAttribute(arrays.faces.data, 1));
  if (as === 'lines') geometry.setIndex(new THREE.BufferAttribute(arrays.segments.data, 1));
  return geometry;
}

/**
 * Computes a mesh geometry's vertex normals the first time smooth shading needs them: float32 positions
 * in one pass over the arrays (vertex_normals.js), 16-bit ones by three.js.
 */
export function ensureNormals(geometry) {
  if (geometry.getAttribute('normal')) return;
  const position = geometry.getAttribute('position');
  if (position.array instanceof Float32Array && !position.normalized) {
    geometry.setAttribute('normal', new THREE.BufferAttribute(vertexNormals(position.array, geometry.index.array), 3));
  } else {
    geometry.computeVertexNormals();
  }
}

/**
 * A material for objects drawn `as` "mesh", "lines" or "points".
 *
 * @param {string} as
 * @param {{color: number, vertexColors: boolean, transparent: boolean}} look
 * @param {Style} style
 */
export function buildMaterial(as, {color, vertexColors, transparent}, style) {
  let material;
  if (as === 'mesh') {
    material = new THREE.MeshStandardMaterial({
      color,
      vertexColors,
      transparent,
      roughness: 0.75,
      metalness: 0,
      side: THREE.DoubleSide,
    });
  } else if (as === 'lines') {
    material = new THREE.LineBasicMaterial({color, vertexColors, transparent});
  } else {
    material = new THREE.PointsMaterial({color, vertexColors, transparent});
  }
  restyleMaterial(material, style);
  return material;
}

/**
 * The three.js object drawing `geometry` `as` "mesh", "lines" or "points", placed by the positions'
 * dequantisation matrix (identity for float positions).
 */
export function buildObject(as, geometry, material, arrays) {
  const Kind = {mesh: THREE.Mesh, lines: THREE.LineSegments, points: THREE.Points}[as];
  const object = new Kind(geometry, material);
  object.applyMatrix4(positionMatrix(arrays));
  return object;
}

/** The default colour of objects drawn `as` "mesh", "lines" or "points". */
export function defaultColor(as) {
  return DEFAULT_COLORS[as];
}

/**
 * How a card draws: point size in pixels (or `pointWorldSize` world units, from a built-in mesh
 * summary's material), wireframe, and flat or smooth shading of meshes.
 *
 * @typedef {{pointSize: number, pointWorldSize: (number|null), wireframe: boolean, flat: boolean}} Style
 */

/** Applies a changed style to a material from buildMaterial. */
export function restyleMaterial(material, style) {
  if (material.isPointsMaterial) {
    const world = style.pointWorldSize > 0;
    material.size = world ? style.pointWorldSize * (style.pointSize / 2) : style.pointSize;
    material.sizeAttenuation = world;
  } else if (material.isMeshStandardMaterial) {
    material.wireframe = style.wireframe;
    if (material.flatShading !== style.flat || material.userData.faceColored) {
      material.flatShading = style.flat || Boolean(material.userData.faceColored);
      material.needsUpdate = true;
    }
  }
}

/**
 * One decoded step drawn in a card: the object, coloured by its logged colours, a plain colour or an
 * attribute, and optional arrows of a vector attribute. `group` holds what to add to the scene.
 */
export class StepModel {
  /**
   * @param {string} kind "mesh", "point_cloud" or "lines".
   * @param {{header: object, arrays: object}} decoded from wire.js.
   * @param {Style} style
   * @param {number} [color] the default colour (else by kind).
   */
  constructor(kind, {header, arrays}, style, color = undefined) {
    this.arrays = arrays;
    this.header = header;
    this.as = drawnAs(kind, arrays);
    this.style = style;
    this.color = color ?? defaultColor(this.as);
    const withArrays = (a) => [a.name, {...a, values: arrays[a.values], ranges: arrays[a.ranges]}];
    const present = (header.attributes || []).filter((a) => arrays[a.values] && arrays[a.ranges]);
    this.attributes = new Map(present.map(withArrays));
    this.bounds = positionBounds(arrays);
    this.geometry = buildGeometry(kind, arrays, this.bounds);
    this.unshared = null; // the geometry with unshared faces, made when per-face values are shown
    this.coloringKey = null; // what the object is coloured by now
    this.object = buildObject(this.as, this.geometry, undefined, arrays);
    this.arrows = null;
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

  /** The bounding box and sphere of the positions in model coordinates. */
  boundingSphere() {
    return this.bounds;
  }

  /**
   * The positions as the CPU reads them for picking, in the object's local coordinates: the received
   * array with the worth of one stored unit (uint16 codes are normalised), or dequantised float16.
   */
  localPositions() {
    const {dtype, data} = this.arrays.vertices;
    if (dtype === 'float16') this.halfAsFloat ??= floatPositions(this.arrays);
    return dtype === 'float16' ? {data: this.halfAsFloat, unit: 1} : {data, unit: dtype === 'uint16' ? 1 / 65535 : 1};
  }

  /** Whether the step has per-face colours the object can show. */
  hasFaceColors() {
    return this.as === 'mesh' && Boolean(this.arrays.face_colors);
  }

  /**
   * Colours the object: `null` for its logged colours (or the default colour), `'none'` for the default
   * colour, `'faces'` for its per-face colours, `{name, uniforms}` for an attribute of this step through
   * shared uniforms (attribute_color.js; later changes of their values need no call). Returns whether
   * the attribute (or the face colours) is shown.
   */
  setColoring(coloring) {
    const attribute = coloring && typeof coloring === 'object' ? this.drawable(coloring.name) : undefined;
    const faceColors = coloring === 'faces' && this.hasFaceColors();
    const key = attribute
      ? `attribute ${attribute.name}`
      : faceColors
        ? 'faces'
        : coloring === null
          ? 'logged'
          : 'none';
    if (key === this.coloringKey) return Boolean(attribute || faceColors);
    this.coloringKey = key;
    const perFace = attribute?.placement === 'face' || faceColors;
    const geometry = perFace ? this.unsharedGeometry() : this.geometry;
    for (const name of ['colorSource', 'color']) this.unshared?.deleteAttribute(name);
    this.geometry.deleteAttribute('colorSource');
    if (attribute) {
      const {values, components, placement} = attribute;
      const rows = placement === 'face' ? repeatPerCorner(values.data, components) : values.data;
      geometry.setAttribute('colorSource', new THREE.BufferAttribute(rows, components));
    }
    if (faceColors) {
      const {data, shape} = this.arrays.face_colors;
      geometry.setAttribute('color', new THREE.BufferAttribute(repeatPerCorner(data, shape[1]), shape[1], true));
    }
    if (!perFace && geometry.index && !this.style.flat) ensureNormals(geometry);
    this.object.geometry = geometry;
    const logged = coloring === null && Boolean(this.arrays.colors);
    const channels = faceColors ? this.arrays.face_colors.shape[1] : logged ? this.arrays.colors.shape[1] : 3;
    const look = {
      color: attribute || logged || faceColors ? 0xffffff : this.color,
      vertexColors: logged || faceColors,
      transparent: channels === 4,
    };
    const material = buildMaterial(this.as, look, this.style);
    // Unshared faces get their normals from screen-space derivatives: no normal buffer to compute.
    material.userData.faceColored = perFace;
    restyleMaterial(material, this.style);
    if (attribute) colorByAttribute(material, coloring.uniforms);
    this.object.material?.dispose();
    this.object.material = material;
    return Boolean(attribute || faceColors);
  }

  /** The geometry with unshared faces, in the same position encoding as the indexed one. */
  unsharedGeometry() {
    if (!this.unshared) {
      this.unshared = new THREE.BufferGeometry();
      const positions = unshareFaces(this.arrays.vertices.data, this.arrays.faces.data);
      this.unshared.setAttribute(
        'position',
        positionAttribute({...this.arrays, vertices: {...this.arrays.vertices, data: positions}}),
      );
      this.unshared.boundingSphere = this.geometry.boundingSphere;
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
      const positions = floatPositions(this.arrays);
      const origins = attribute.placement === 'face' ? faceCentroids(positions, this.arrays.faces.data) : positions;
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
    if (this.object.geometry.index && this.as === 'mesh' && !style.flat) ensureNormals(this.object.geometry);
    restyleMaterial(this.object.material, style);
  }

  dispose() {
    if (this.arrows) this.removeArrows();
    this.geometry.dispose();
    this.unshared?.dispose();
    this.object.material.dispose();
  }
}
