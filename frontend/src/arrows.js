// Arrows for vector (K = 3) attributes: one instanced THREE.LineSegments whose per-arrow origins and
// vectors are the decoded typed arrays themselves. The vertex shader places each arrow, so changing the
// length scale is a uniform update: no buffer is rebuilt, nothing per vertex runs in JavaScript.
import * as THREE from 'three';

const ARROW_COLOR = 0x202124;
// The log10 range of the length-scale slider, relative to the automatic scale.
export const SCALE_SLIDER = {min: -2, max: 2, step: 0.05};

/**
 * The automatic length scale: the longest arrow is `fraction` of the model's bounding radius.
 *
 * @param {number} maxMagnitude the largest vector length (from the stored ranges).
 * @param {number} radius the bounding radius of the positions (1 is used for a single point).
 * @param {number} fraction
 * @returns {number} world units per unit of the attribute; 1 when every vector is zero.
 */
export function autoArrowScale(maxMagnitude, radius, fraction = 0.1) {
  const extent = radius > 0 ? radius : 1;
  const scale = (fraction * extent) / maxMagnitude;
  return maxMagnitude > 0 && Number.isFinite(scale) ? scale : 1;
}

/** The factor of the automatic scale at a slider position (log10 of the factor). */
export function sliderFactor(position) {
  return 10 ** position;
}

// One arrow in units of its own length: `x` along it, `y` across it (in the view plane). A shaft and
// two barbs, as three line segments.
const SHAPE = new Float32Array([0, 0, 0, 1, 0, 0, 1, 0, 0, 0.8, 0.07, 0, 1, 0, 0, 0.8, -0.07, 0]);

const VERTEX_SHADER = `
uniform float arrowScale;
attribute vec3 arrowOrigin;
attribute vec3 arrowVector;
void main() {
  vec3 start = (modelViewMatrix * vec4(arrowOrigin, 1.0)).xyz;
  vec3 along = (modelViewMatrix * vec4(arrowOrigin + arrowScale * arrowVector, 1.0)).xyz - start;
  vec3 across = vec3(-along.y, along.x, 0.0);
  gl_Position = projectionMatrix * vec4(start + position.x * along + position.y * across, 1.0);
}`;

const FRAGMENT_SHADER = `
uniform vec3 color;
void main() {
  gl_FragColor = vec4(color, 1.0);
}`;

/**
 * Builds the arrows of `count` vectors.
 *
 * @param {Float32Array} origins [count * 3] where the arrows start (the vertices, or face centroids).
 * @param {Float32Array} vectors [count * 3] the vectors.
 * @param {number} scale world units per unit of the vectors.
 * @returns {THREE.LineSegments} its material's `uniforms.arrowScale.value` sets the scale.
 */
export function buildArrows(origins, vectors, scale) {
  const geometry = new THREE.InstancedBufferGeometry();
  geometry.setAttribute('position', new THREE.BufferAttribute(SHAPE, 3));
  geometry.setAttribute('arrowOrigin', new THREE.InstancedBufferAttribute(origins, 3));
  geometry.setAttribute('arrowVector', new THREE.InstancedBufferAttribute(vectors, 3));
  geometry.instanceCount = Math.min(origins.length, vectors.length) / 3;
  const material = new THREE.ShaderMaterial({
    uniforms: {arrowScale: {value: scale}, color: {value: new THREE.Color(ARROW_COLOR)}},
    vertexShader: VERTEX_SHADER,
    fragmentShader: FRAGMENT_SHADER,
  });
  const arrows = new THREE.LineSegments(geometry, material);
  arrows.frustumCulled = false; // the geometry's bounds are those of one unit arrow, not of the model
  return arrows;
}
