// Colouring by an attribute on the GPU. The attribute's float32 rows go to the GPU as they arrived (a
// `colorSource` vertex attribute of 1 to 4 components); the vertex shader picks one component or the
// magnitude, the fragment shader maps it through a 256 × 1 colormap texture. Changing the quantity, the
// range or the colormap only changes uniforms: no per-vertex work in JavaScript, no recompiling.
import * as THREE from 'three';

import {TABLE_SIZE, colormapTable} from './colormap.js';

const VERTEX_DECLARATIONS = `
attribute vec4 colorSource;
uniform vec4 valueMask;
uniform float valueMagnitude;
varying float vColorValue;
`;
// Unused components of colorSource read as (0, 0, 1) in WebGL: the mask drops them.
const VERTEX_VALUE = `
vColorValue = valueMagnitude > 0.5 ? length(colorSource * valueMask) : dot(colorSource, valueMask);
`;
const FRAGMENT_DECLARATIONS = `
uniform sampler2D colormap;
uniform vec2 valueToCoordinate;
varying float vColorValue;
`;
// Texel centres: coordinate 0 and 1 hit the first and last table entries exactly.
const FRAGMENT_MAP = `
float colormapT = clamp(vColorValue * valueToCoordinate.x + valueToCoordinate.y, 0.0, 1.0);
diffuseColor.rgb *= texture2D(colormap, vec2((colormapT * ${TABLE_SIZE - 1}.0 + 0.5) / ${TABLE_SIZE}.0, 0.5)).rgb;
`;

const textures = new Map();

/** The shared texture of a colormap (see colormap.js), made once per name. */
export function colormapTexture(name) {
  let texture = textures.get(name);
  if (!texture) {
    texture = new THREE.DataTexture(colormapTable(name), TABLE_SIZE, 1, THREE.RGBAFormat, THREE.UnsignedByteType);
    texture.magFilter = THREE.LinearFilter;
    texture.minFilter = THREE.LinearFilter;
    texture.needsUpdate = true;
    textures.set(name, texture);
  }
  return texture;
}

/** The uniforms of one card's colouring; the card updates their values, materials share them. */
export function coloringUniforms() {
  return {
    colormap: {value: colormapTexture('viridis')},
    valueMask: {value: new THREE.Vector4(1, 0, 0, 0)},
    valueMagnitude: {value: 0},
    valueToCoordinate: {value: new THREE.Vector2(1, 0)},
  };
}

/**
 * Points the uniforms at one quantity and colour map.
 *
 * @param {object} uniforms from coloringUniforms().
 * @param {{components: number, row: number, colormap: string, scale: number, offset: number}} mapping
 *   row k < components picks component k, row === components the magnitude; t = value * scale + offset.
 */
export function setColoring(uniforms, {components, row, colormap, scale, offset}) {
  const magnitude = row === components;
  const mask = [0, 1, 2, 3].map((k) => ((magnitude ? k < components : k === row) ? 1 : 0));
  uniforms.valueMask.value.set(...mask);
  uniforms.valueMagnitude.value = magnitude ? 1 : 0;
  uniforms.valueToCoordinate.value.set(scale, offset);
  uniforms.colormap.value = colormapTexture(colormap);
}

/** Makes a built-in material (standard, points or line) colour by `colorSource` through `uniforms`. */
export function colorByAttribute(material, uniforms) {
  material.onBeforeCompile = (shader) => {
    Object.assign(shader.uniforms, uniforms);
    shader.vertexShader =
      VERTEX_DECLARATIONS +
      shader.vertexShader.replace('#include <color_vertex>', `#include <color_vertex>${VERTEX_VALUE}`);
    shader.fragmentShader =
      FRAGMENT_DECLARATIONS +
      shader.fragmentShader.replace('#include <color_fragment>', `#include <color_fragment>${FRAGMENT_MAP}`);
  };
  material.customProgramCacheKey = () => 'mesh3d-color-by-attribute';
  return material;
}
