// Turns a decoded step (wire.js) into a three.js object. The typed arrays go to GPU buffers as they are.
import * as THREE from 'three';

const DEFAULT_MESH_COLOR = 0xb4bccb;
const DEFAULT_POINT_COLOR = 0x3b6fd1;
const DEFAULT_LINE_COLOR = 0x202124;

function geometryOf(arrays) {
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute('position', new THREE.BufferAttribute(arrays.vertices.data, 3));
  const colors = arrays.colors;
  if (colors) {
    // uint8 0–255 read by the GPU as normalised 0–1; 4 channels carry alpha.
    geometry.setAttribute('color', new THREE.BufferAttribute(colors.data, colors.shape[1], true));
  }
  return geometry;
}

/**
 * A mesh or point cloud for one decoded step.
 *
 * @param {string} kind "mesh", "point_cloud" or "lines".
 * @param {Object} arrays decoded buffers: vertices [N, 3] float32, faces [F, 3] or segments [E, 2] uint32,
 *   colors [N, C] uint8.
 * @param {{pointSize: number, wireframe: boolean}} style
 * @returns {THREE.Mesh|THREE.Points|THREE.LineSegments}
 */
export function buildObject(kind, arrays, style) {
  const geometry = geometryOf(arrays);
  const colors = arrays.colors;
  const translucent = Boolean(colors && colors.shape[1] === 4);
  if (kind === 'mesh' && arrays.faces) {
    // Uint32 indices: meshes over 65,535 vertices need them (WebGL2 draws them natively).
    geometry.setIndex(new THREE.BufferAttribute(arrays.faces.data, 1));
    geometry.computeVertexNormals();
    const material = new THREE.MeshStandardMaterial({
      color: colors ? 0xffffff : DEFAULT_MESH_COLOR,
      vertexColors: Boolean(colors),
      transparent: translucent,
      roughness: 0.75,
      metalness: 0,
      side: THREE.DoubleSide,
      wireframe: style.wireframe,
    });
    return new THREE.Mesh(geometry, material);
  }
  if (kind === 'lines' && arrays.segments) {
    geometry.setIndex(new THREE.BufferAttribute(arrays.segments.data, 1));
    const material = new THREE.LineBasicMaterial({
      color: colors ? 0xffffff : DEFAULT_LINE_COLOR,
      vertexColors: Boolean(colors),
      transparent: translucent,
    });
    return new THREE.LineSegments(geometry, material);
  }
  const material = new THREE.PointsMaterial({
    color: colors ? 0xffffff : DEFAULT_POINT_COLOR,
    vertexColors: Boolean(colors),
    transparent: translucent,
    size: style.pointSize,
    sizeAttenuation: false,
  });
  return new THREE.Points(geometry, material);
}

/** Applies a changed style to an object from buildObject without rebuilding it. */
export function restyle(object, style) {
  if (object.isPoints) object.material.size = style.pointSize;
  else if (object.isMesh) object.material.wireframe = style.wireframe;
}

export function disposeObject(object) {
  object.geometry.dispose();
  object.material.dispose();
}
