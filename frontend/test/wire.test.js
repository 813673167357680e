import assert from 'node:assert/strict';
import {test} from 'node:test';

import {decodeMesh, WireFormatError} from '../src/wire.js';
import {encode, layout} from './wire_body.js';

// A valid body of `arrays`, with its header changed by `patch` (which may break it on purpose).
function body(arrays, {magic = 'TBM3', version = 1, patch = (h) => h} = {}) {
  const placed = layout(arrays, {kind: 'mesh', step: 7, attributes: []}, 64);
  const header = patch(placed.header);
  return encode({...placed, header}, {magic, version});
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
      ['odd', 'uint8', [5], odd],
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
  assert.throws(() => decodeMesh(garbled), /not UTF-8 JSON/);
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
