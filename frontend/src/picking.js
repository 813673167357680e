// Picking: which vertex or point is under the cursor.
//
// screenPick() projects every vertex with one matrix in a tight loop over the typed array (no objects
// per vertex) and keeps the front-most one within a few pixels of the cursor: about 20 ms for 1M
// points on the test machine, like three.js' Raycaster (19–40 ms), where a GPU id pass took ~300 ms
// (headless Chromium renders with SwiftShader, on the CPU; see `make bench`).
//
// A mesh whose triangles are larger than the pick radius can have no vertex near the cursor: then the
// Picker draws the object once more into a small id render target around the cursor (the camera's
// view offset crops the frustum to it), each vertex's index (gl_VertexID + 1, 0 for nothing) written
// as RGBA bytes, so the visible triangle is found with the depth test; triangles write the index of
// their provoking vertex. refineMeshPick() turns a vertex into the face under the cursor and its
// nearest corner.
import * as THREE from 'three';

const PICK_VERTEX = `
flat varying highp int vPickId;
uniform float pickPointSize;
void main() {
  vPickId = gl_VertexID + 1;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
  gl_PointSize = pickPointSize;
}`;

const PICK_FRAGMENT = `
flat varying highp int vPickId;
void main() {
  int id = vPickId;
  gl_FragColor = vec4(float(id & 255), float((id >> 8) & 255), float((id >> 16) & 255), float((id >> 24) & 255)) / 255.0;
}`;

/**
 * The front-most vertex within `radius` pixels of (x, y), by projecting every vertex on the CPU.
 *
 * @param {Float32Array|Uint16Array} positions [N * 3] stored positions (float32, or uint16 codes).
 * @param {THREE.Matrix4} matrix stored positions -> clip space (projection × view × object, and for
 *   uint16 codes the normalisation 1 / 65535), so the loop multiplies by nothing else.
 * @param {{x: number, y: number, width: number, height: number, radius: number}} at view pixels.
 * @returns {number} the vertex index, or -1.
 */
export function screenPick(positions, matrix, {x, y, width, height, radius}) {
  const e = matrix.elements;
  const halfWidth = width / 2;
  const halfHeight = height / 2;
  const radius2 = radius * radius;
  let best = -1;
  let bestDepth = Infinity;
  for (let i = 0, n = positions.length; i < n; i += 3) {
    const px = positions[i],
      py = positions[i + 1],
      pz = positions[i + 2];
    const w = e[3] * px + e[7] * py + e[11] * pz + e[15];
    if (!(w > 0)) continue;
    const dx = ((e[0] * px + e[4] * py + e[8] * pz + e[12]) / w + 1) * halfWidth - x;
    if (dx > radius || dx < -radius) continue;
    const dy = (1 - (e[1] * px + e[5] * py + e[9] * pz + e[13]) / w) * halfHeight - y;
    if (dx * dx + dy * dy > radius2) continue;
    const depth = (e[2] * px + e[6] * py + e[10] * pz + e[14]) / w;
    if (depth >= -1 && depth <= 1 && depth < bestDepth) {
      bestDepth = depth;
      best = i / 3;
    }
  }
  return best;
}

/** Decodes the RGBA bytes of one id pixel: the vertex index, or -1 for nothing. */
export function decodePickId(bytes, offset = 0) {
  const id = bytes[offset] + bytes[offset + 1] * 256 + bytes[offset + 2] * 65536 + bytes[offset + 3] * 16777216;
  return id - 1;
}

/**
 * The id under the pixel nearest the centre of a square window of id pixels.
 *
 * @param {Uint8Array} pixels RGBA rows of a `size` × `size` window, bottom row first (as readPixels gives).
 * @param {number} size odd window width.
 * @returns {{index: number, dx: number, dy: number}|null} dx, dy from the centre in pixels (y down).
 */
export function nearestPick(pixels, size) {
  const centre = (size - 1) / 2;
  let best = null;
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      const index = decodePickId(pixels, (row * size + column) * 4);
      if (index < 0) continue;
      const dx = column - centre;
      const dy = centre - row;
      const distance = dx * dx + dy * dy;
      if (!best || distance < best.distance) best = {index, dx, dy, distance};
    }
  }
  return best && {index: best.index, dx: best.dx, dy: best.dy};
}

export class Picker {
  /** @param {number} radius how many pixels around the cursor count as a hit. */
  constructor(radius = 4) {
    this.size = 2 * radius + 1;
    this.target = new THREE.WebGLRenderTarget(this.size, this.size, {depthBuffer: true});
    this.material = new THREE.ShaderMaterial({
      vertexShader: PICK_VERTEX,
      fragmentShader: PICK_FRAGMENT,
      uniforms: {pickPointSize: {value: 1}},
      blending: THREE.NoBlending,
      side: THREE.DoubleSide,
    });
    this.scene = new THREE.Scene();
    this.pixels = new Uint8Array(this.size * this.size * 4);
  }

  /**
   * Picks the vertex of `object` under the CSS pixel (x, y) of a `width` × `height` view.
   *
   * @param {THREE.WebGLRenderer} renderer
   * @param {THREE.Mesh|THREE.Points|THREE.LineSegments} object drawn with its own geometry and matrix.
   * @param {THREE.PerspectiveCamera} camera the view's camera.
   * @param {number} pointSize the points' size in pixels on screen (1 for meshes and lines).
   * @returns {{index: number, dx: number, dy: number}|null}
   */
  pick(renderer, object, camera, {x, y, width, height, pointSize = 1}) {
    const half = (this.size - 1) / 2;
    const Kind = object.isPoints ? THREE.Points : object.isLineSegments ? THREE.LineSegments : THREE.Mesh;
    const proxy = new Kind(object.geometry, this.material);
    proxy.matrixAutoUpdate = false;
    object.updateWorldMatrix(true, false);
    proxy.matrix.copy(object.matrixWorld);
    proxy.matrixWorld.copy(object.matrixWorld);
    proxy.frustumCulled = false;
    this.material.uniforms.pickPointSize.value = Math.max(1, pointSize);
    this.scene.add(proxy);
    const previous = {
      target: renderer.getRenderTarget(),
      color: renderer.getClearColor(new THREE.Color()),
      alpha: renderer.getClearAlpha(),
    };
    camera.setViewOffset(width, height, Math.round(x) - half, Math.round(y) - half, this.size, this.size);
    try {
      renderer.setRenderTarget(this.target);
      renderer.setClearColor(0x000000, 0);
      renderer.clear();
      renderer.render(this.scene, camera);
      renderer.readRenderTargetPixels(this.target, 0, 0, this.size, this.size, this.pixels);
    } finally {
      camera.clearViewOffset();
      renderer.setRenderTarget(previous.target);
      renderer.setClearColor(previous.color, previous.alpha);
      this.scene.remove(proxy);
    }
    return nearestPick(this.pixels, this.size);
  }

  dispose() {
    this.target.dispose();
    this.material.dispose();
  }
}

/**
 * Turns the provoking vertex of a picked triangle into the face under the cursor and its corner nearest
 * to it: scans the faces that use that vertex (one pass over the index array, no allocation per face).
 *
 * @param {Uint32Array} faces [F * 3]
 * @param {number} vertex the picked (provoking) vertex.
 * @param {(index: number) => number[]} project vertex index -> [x, y] in view pixels.
 * @param {number[]} cursor [x, y] in view pixels.
 * @returns {{face: number, vertex: number}} the face (-1 if none uses the vertex) and nearest corner.
 */
export function refineMeshPick(faces, vertex, project, cursor) {
  let best = {face: -1, vertex, score: Infinity};
  for (let f = 0; f < faces.length; f += 3) {
    if (faces[f] !== vertex && faces[f + 1] !== vertex && faces[f + 2] !== vertex) continue;
    const corners = [faces[f], faces[f + 1], faces[f + 2]];
    const points = corners.map(project);
    const score = outsideDistance(points, cursor);
    if (score < best.score) {
      const distances = points.map(([px, py]) => Math.hypot(px - cursor[0], py - cursor[1]));
      best = {face: f / 3, vertex: corners[distances.indexOf(Math.min(...distances))], score};
    }
  }
  return {face: best.face, vertex: best.vertex};
}

/** 0 when `p` is inside the screen triangle `[a, b, c]`, else how far outside its edges it is. */
function outsideDistance([a, b, c], p) {
  let outside = 0;
  const area = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  const sign = area < 0 ? -1 : 1;
  for (const [u, v] of [
    [a, b],
    [b, c],
    [c, a],
  ]) {
    const length = Math.hypot(v[0] - u[0], v[1] - u[1]) || 1;
    const side = (sign * ((v[0] - u[0]) * (p[1] - u[1]) - (v[1] - u[1]) * (p[0] - u[0]))) / length;
    if (side < 0) outside = Math.max(outside, -side);
  }
  return outside;
}
