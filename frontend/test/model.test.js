// StepModel and the colouring shader patch, without a WebGL context: what goes to the GPU, and that the
// patch finds its anchors in three.js' shaders.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import * as THREE from 'three';

import {coloringUniforms, colorByAttribute, setColoring} from '../src/attribute_color.js';
import {StepModel} from '../src/model.js';

function decodedStep() {
  const arrays = {
    vertices: {data: new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]), shape: [4, 3]},
    faces: {data: new Uint32Array([0, 1, 2, 0, 2, 3]), shape: [2, 3]},
    'attribute/grad': {data: new Float32Array([1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 1, 1]), shape: [4, 3]},
    'attribute_range/grad': {data: new Float32Array([0, 1, 0, 2, 0, 3, 1, 3]), shape: [4, 2]},
    'attribute/area': {data: new Float32Array([0.5, 0.25]), shape: [2, 1]},
    'attribute_range/area': {data: new Float32Array([0.25, 0.5, 0.25, 0.5]), shape: [2, 2]},
  };
  const attributes = [
    {name: 'grad', placement: 'vertex', components: 3, values: 'attribute/grad', ranges: 'attribute_range/grad'},
    {name: 'area', placement: 'face', components: 1, values: 'attribute/area', ranges: 'attribute_range/area'},
  ];
  return {header: {kind: 'mesh', attributes}, arrays};
}

const style = {pointSize: 2, wireframe: false};

test('a vertex attribute goes to the GPU as the decoded array itself', () => {
  const decoded = decodedStep();
  const model = new StepModel('mesh', decoded, style);
  assert.ok(model.setColoring({name: 'grad', uniforms: coloringUniforms()}));
  const source = model.object.geometry.getAttribute('colorSource');
  assert.equal(source.array, decoded.arrays['attribute/grad'].data);
  assert.equal(source.itemSize, 3);
  assert.equal(model.object.geometry, model.geometry, 'the indexed geometry');
  model.dispose();
});

test('a face attribute is drawn on unshared faces, its value repeated at each corner', () => {
  const model = new StepModel('mesh', decodedStep(), style);
  model.setColoring({name: 'area', uniforms: coloringUniforms()});
  const geometry = model.object.geometry;
  assert.equal(geometry.index, null);
  assert.equal(geometry.getAttribute('position').count, 6);
  assert.deepEqual([...geometry.getAttribute('colorSource').array], [0.5, 0.5, 0.5, 0.25, 0.25, 0.25]);
  model.setColoring(null);
  assert.equal(model.object.geometry, model.geometry);
  assert.equal(model.geometry.getAttribute('colorSource'), undefined);
  model.dispose();
});

test('unknown attributes, and face attributes of objects without faces, fall back to plain colours', () => {
  const model = new StepModel('mesh', decodedStep(), style);
  assert.equal(model.setColoring({name: 'nope', uniforms: coloringUniforms()}), false);
  const points = decodedStep();
  delete points.arrays.faces;
  const cloud = new StepModel('point_cloud', points, style);
  assert.ok(cloud.object.isPoints);
  assert.equal(cloud.setColoring({name: 'area', uniforms: coloringUniforms()}), false);
  assert.equal(cloud.setColoring({name: 'grad', uniforms: coloringUniforms()}), true);
});

test('arrows only for three-component attributes, removed when switched off', () => {
  const model = new StepModel('mesh', decodedStep(), style);
  assert.equal(model.setArrows('area', 1), false);
  assert.ok(model.setArrows('grad', 2));
  assert.equal(model.arrows.material.uniforms.arrowScale.value, 2);
  const arrows = model.arrows;
  model.setArrows('grad', 3);
  assert.equal(model.arrows, arrows, 'a new scale is a uniform update');
  assert.equal(arrows.material.uniforms.arrowScale.value, 3);
  model.setArrows(null);
  assert.equal(model.arrows, null);
  assert.ok(!model.group.children.includes(arrows));
});

test('quantities set the shader mask: one component, or the magnitude of the first K', () => {
  const uniforms = coloringUniforms();
  setColoring(uniforms, {components: 3, row: 1, colormap: 'viridis', scale: 2, offset: 0.5});
  assert.deepEqual(uniforms.valueMask.value.toArray(), [0, 1, 0, 0]);
  assert.equal(uniforms.valueMagnitude.value, 0);
  assert.deepEqual(uniforms.valueToCoordinate.value.toArray(), [2, 0.5]);
  setColoring(uniforms, {components: 3, row: 3, colormap: 'blue-red', scale: 1, offset: 0});
  assert.deepEqual(uniforms.valueMask.value.toArray(), [1, 1, 1, 0]);
  assert.equal(uniforms.valueMagnitude.value, 1);
});

test('the colouring patch finds its anchors in the standard, points and line shaders', () => {
  for (const name of ['standard', 'points', 'basic']) {
    const shader = {
      uniforms: {},
      vertexShader: THREE.ShaderLib[name].vertexShader,
      fragmentShader: THREE.ShaderLib[name].fragmentShader,
    };
    const uniforms = coloringUniforms();
    colorByAttribute(new THREE.MeshBasicMaterial(), uniforms).onBeforeCompile(shader);
    assert.match(shader.vertexShader, /#include <color_vertex>\s*vColorValue =/, name);
    assert.match(shader.fragmentShader, /#include <color_fragment>\s*float colormapT/, name);
    assert.equal(shader.uniforms.colormap, uniforms.colormap, 'shared uniform objects');
  }
});

test("vertex normals match three.js' computeVertexNormals", async () => {
  const {vertexNormals} = await import('../src/vertex_normals.js');
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const positions = Float32Array.from({length: 3000}, random);
  const faces = Uint32Array.from({length: 6000}, () => Math.floor(((random() + 1) / 2) * 999));
  faces.set([999, 999, 999], 0); // a degenerate face; vertex 999 belongs to no other face: a zero normal
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute('position', new THREE.BufferAttribute(positions, 3));
  geometry.setIndex(new THREE.BufferAttribute(faces, 1));
  geometry.computeVertexNormals();
  const expected = geometry.getAttribute('normal').array;
  const normals = vertexNormals(positions, faces);
  assert.equal(normals.length, expected.length);
  for (let i = 0; i < normals.length; i++) assert.ok(Math.abs(normals[i] - expected[i]) < 1e-5, `component ${i}`);
  assert.deepEqual([...normals.slice(2997)], [0, 0, 0]);
});
