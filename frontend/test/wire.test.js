import assert from 'node:assert/strict';
import {test} from 'node:test';

import {decodeMesh, WireFormatError} from '../src/wire.js';

// Lays out a body the way docs/wire-format.md describes, with room to break it on purpose.
function body(arrays, {magic = 'TBM3', version = 1, patch = (h) => h} = {}) {
  const align = (n) => Math.ceil(n / 4) * 4;
  const buffers = [];
  let header;
  let start = 12;
  for (;;) {
    let offset = start;
    buffers.length = 0;
    for (const [name, dtype, shape, data] of arrays) {
      buffers.push({name, dtype, shape, offset, byte_length: data.byteLength});
      offset = align(offset + data.byteLength);
    }
    header = new TextEncoder().encode(JSON.stringify(patch({kind: 'mesh', step: 7, buffers})));
    if (align(12 + header.length) === start) break;
    start = align(12 + header.length);
  }
  const last = buffers.at(-1);
  const out = new ArrayBuffer(last ? align(last.offset + last.byte_length) : start);
  const view = new DataView(out);
  [...magic].forEach((c, i) => view.setUint8(i, c.charCodeAt(0)));
  view.setUint32(4, version, true);
  view.setUint32(8, header.length, true);
  new Uint8Array(out, 12).set(header);
  arrays.forEach(([, , , data], i) =>
    new Uint8Array(out, buffers[i].offset).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
  );
  return out;
}

const vertices = new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0, 0.5, 0.5, 1.5]);
const faces = new Uint32Array([0, 1, 2, 0, 2, 3]);
const colors = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]);
const mesh = [
  ['vertices', 'float32', [4, 3], vertices],
  ['colors', 'uint8', [4, 3], colors],
  ['faces', 'uint32', [2, 3], faces],
];

test('decodes header and arrays as views over the same buffer', () => {
  const buffer = body(mesh);
  const {header, arrays} = decodeMesh(buffer);
  assert.equal(header.kind, 'mesh');
  assert.equal(header.step, 7);
  assert.deepEqual([...arrays.vertices.data], [...vertices]);
  assert.deepEqual([...arrays.faces.data], [...faces]);
  assert.deepEqual([...arrays.colors.data], [...colors]);
  assert.ok(arrays.faces.data instanceof Uint32Array);
  assert.deepEqual(arrays.faces.shape, [2, 3]);
  for (const array of Object.values(arrays)) assert.equal(array.data.buffer, buffer, 'no copy');
});

test('a buffer after an odd-sized uint8 buffer is still aligned', () => {
  const odd = new Uint8Array([1, 2, 3, 4, 5]);
  const {arrays} = decodeMesh(
    body([
      ['colors', 'uint8', [5, 1], odd],
      ['vertices', 'float32', [4, 3], vertices],
    ]),
  );
  assert.deepEqual([...arrays.vertices.data], [...vertices]);
});

test('unknown header fields and extra buffers are ignored by readers', () => {
  const extra = [...mesh, ['future', 'float32', [2], new Float32Array([1, 2])]];
  const {header, arrays} = decodeMesh(body(extra, {patch: (h) => ({...h, novel: {x: 1}})}));
  assert.deepEqual(header.novel, {x: 1});
  assert.deepEqual([...arrays.future.data], [1, 2]);
});

test('rejects bodies that are not version-1 messages', () => {
  assert.throws(() => decodeMesh(new ArrayBuffer(5)), WireFormatError);
  assert.throws(() => decodeMesh(body(mesh, {magic: 'NOPE'})), /magic "NOPE"/);
  assert.throws(() => decodeMesh(body(mesh, {version: 2})), /version 2/);
  assert.throws(() => decodeMesh(new Uint8Array(body(mesh))), /ArrayBuffer/);
});

test('rejects a header longer than the body and a header that is not JSON', () => {
  const long = body(mesh);
  new DataView(long).setUint32(8, long.byteLength, true);
  assert.throws(() => decodeMesh(long), /past the end/);
  const garbled = body(mesh);
  new Uint8Array(garbled)[12] = 0x7b + 1; // '{' -> '|'
  assert.throws(() => decodeMesh(garbled), /not JSON/);
});

test('rejects misplaced, mis-sized and unknown buffers, naming them', () => {
  const cases = [
    [(b) => ({...b, offset: b.offset + 2}), /"vertices" starts at a misaligned offset/],
    [(b) => ({...b, byte_length: b.byte_length - 4}), /"vertices" holds 44 bytes, its shape needs 48/],
    [(b) => ({...b, offset: (b.offset + 1) << 20}), /"vertices" runs past the end/],
    [(b) => ({...b, dtype: 'float64'}), /"vertices" has unknown dtype "float64"/],
    [(b) => ({...b, shape: [4, -3]}), /"vertices" has a malformed shape/],
  ];
  for (const [breakIt, message] of cases) {
    const patch = (h) => ({...h, buffers: h.buffers.map((b) => (b.name === 'vertices' ? breakIt(b) : b))});
    assert.throws(() => decodeMesh(body(mesh, {patch})), message);
  }
});

test('requires float32 [N, 3] vertices', () => {
  assert.throws(() => decodeMesh(body([['faces', 'uint32', [2, 3], faces]])), /"vertices"/);
  assert.throws(() => decodeMesh(body([['vertices', 'float32', [6, 2], vertices]])), /"vertices"/);
});
