// A property test of the decoder: valid bodies of every kind, mutated thousands of ways (seeded), must
// either decode to something that satisfies docs/wire-format.md or raise a WireFormatError.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {decodeMesh, WireFormatError} from '../src/wire.js';
import {encode, layout} from './wire_body.js';

const BODIES = 8000;
const DTYPE_BYTES = {float32: 4, uint32: 4, uint8: 1, float16: 2, uint16: 2};
const DEEP_JSON = '['.repeat(20_000) + ']'.repeat(20_000); // arrays nested 20,000 levels

/** A seeded generator of floats in [0, 1) (mulberry32). */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A valid body's layout: a random kind, position encoding, faces or segments, colours and attributes. */
function validLayout(rand) {
  const int = (n) => Math.floor(rand() * n);
  const pick = (list) => list[int(list.length)];
  const n = 1 + int(6);
  const kind = pick(['mesh', 'point_cloud', 'lines']);
  const quantize = pick(['float32', 'float32', 'float16', 'uint16']);
  const arrays = [];
  const Positions = quantize === 'float32' ? Float32Array : Uint16Array;
  arrays.push(['vertices', quantize, [n, 3], Positions.from({length: 3 * n}, () => int(100))]);
  if (quantize !== 'float32') arrays.push(['position_bounds', 'float32', [2, 3], new Float32Array([0, 0, 0, 1, 1, 1])]);
  if (quantize === 'uint16') {
    arrays.push(['position_offset', 'float32', [3], new Float32Array(3)]);
    arrays.push(['position_scale', 'float32', [3], new Float32Array([1, 1, 1])]);
  }
  const preview = kind !== 'point_cloud' && rand() < 0.2;
  let faces = 0;
  if (kind === 'mesh' && !preview) {
    faces = 1 + int(4);
    arrays.push(['faces', 'uint32', [faces, 3], Uint32Array.from({length: 3 * faces}, () => int(n))]);
    if (rand() < 0.3) arrays.push(['face_colors', 'uint8', [faces, 3], new Uint8Array(3 * faces)]);
  }
  if (kind === 'lines' && !preview) {
    const e = 1 + int(4);
    arrays.push(['segments', 'uint32', [e, 2], Uint32Array.from({length: 2 * e}, () => int(n))]);
  }
  if (rand() < 0.5) {
    const channels = pick([3, 4]);
    arrays.push(['colors', 'uint8', [n, channels], new Uint8Array(n * channels)]);
  }
  const attributes = [];
  for (let i = int(3); i > 0; i--) {
    const name = pick(['grad', 'area', '__proto__', 'constructor', 'ünïcode']) + i;
    const placement = faces > 0 && rand() < 0.4 ? 'face' : 'vertex';
    const k = 1 + int(4);
    const rows = placement === 'face' ? faces : n;
    attributes.push({name, placement, components: k, values: `attribute/${name}`, ranges: `attribute_range/${name}`});
    arrays.push([`attribute/${name}`, 'float32', [rows, k], new Float32Array(rows * k)]);
    arrays.push([`attribute_range/${name}`, 'float32', [k + 1, 2], new Float32Array(2 * k + 2)]);
  }
  if (rand() < 0.2) {
    const length = int(7); // a buffer this viewer does not know, maybe empty
    arrays.push(['future', 'uint8', [length], new Uint8Array(length)]);
  }
  for (let i = arrays.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [arrays[i], arrays[j]] = [arrays[j], arrays[i]];
  }
  const fields = {kind, step: int(1000), wall_time: 1.5, sample: 0, num_samples: 1, attributes};
  if (preview) fields.preview = {stride: 1 + int(3), vertex_count: n};
  return layout(arrays, fields, 48);
}

// Values a mutation puts where a header field was; '__DEEP__' becomes DEEP_JSON.
const ODD_VALUES = [
  null,
  -1,
  0,
  1,
  3,
  4,
  1.5,
  2 ** 53,
  -(2 ** 31),
  'x',
  '',
  '__proto__',
  'vertices',
  [],
  [1],
  {},
  true,
  '__DEEP__',
];

/** Changes one thing of a valid layout: a header field, a buffer entry, an attribute, the data or the bytes. */
function mutate(placed, rand) {
  const int = (n) => Math.floor(rand() * n);
  const pick = (list) => list[int(list.length)];
  const header = structuredClone(placed.header);
  const datas = placed.datas.map((d) => d.slice());
  const entries = header.buffers;
  const entry = entries.length ? pick(entries) : {};
  const attribute = header.attributes.length ? pick(header.attributes) : {};
  const choice = int(12);
  let bytes = null; // a change of the encoded body instead
  if (choice === 0) header[pick(['kind', 'attributes', 'buffers', 'preview'])] = pick(ODD_VALUES);
  else if (choice === 1) entry[pick(['name', 'dtype', 'shape', 'offset', 'byte_length'])] = pick(ODD_VALUES);
  else if (choice === 2) entry.offset += pick([-12, -8, -4, -2, -1, 1, 2, 4, 8, 1 << 20]);
  else if (choice === 3) entry.shape = entry.shape.map((s) => s + pick([-1, 0, 0, 1]));
  else if (choice === 4) entries.splice(int(entries.length), 1);
  else if (choice === 5) entries.push({...pick(entries), name: pick(['vertices', 'faces', '__proto__', 'extra'])});
  else if (choice === 6) attribute[pick(['name', 'placement', 'components', 'values', 'ranges'])] = pick(ODD_VALUES);
  else if (choice === 7) attribute.values = attribute.ranges;
  else if (choice === 8)
    entry.name = pick(['__proto__', 'faces', 'segments', 'colors', 'face_colors', 'position_bounds']);
  else if (choice === 9) {
    const i = int(datas.length);
    const view = new Uint8Array(datas[i].buffer);
    if (view.length) view[int(view.length)] = 255; // e.g. a face index past the vertices
  } else if (choice === 10) entry.dtype = pick(Object.keys(DTYPE_BYTES));
  else bytes = (body) => corrupt(body, rand);
  const text = JSON.stringify(header).replace('"__DEEP__"', DEEP_JSON);
  const body = encode({...placed, header, datas}, {text});
  return bytes ? bytes(body) : body;
}

/** Flips a byte, truncates the body or grows it. */
function corrupt(body, rand) {
  const int = (n) => Math.floor(rand() * n);
  const kind = int(3);
  if (kind === 0) {
    const view = new Uint8Array(body);
    view[int(view.length)] ^= 1 << int(8);
    return body;
  }
  if (kind === 1) return body.slice(0, int(body.byteLength));
  const grown = new Uint8Array(body.byteLength + 4 * (1 + int(4)));
  grown.set(new Uint8Array(body));
  return grown.buffer;
}

const product = (shape) => shape.reduce((a, b) => a * b, 1);
const shapeIs = (array, dtypes, shape) =>
  dtypes.includes(array.dtype) &&
  array.shape.length === shape.length &&
  shape.every((s, i) => s === null || s === array.shape[i]);

/** Asserts that a decoded body satisfies docs/wire-format.md. */
function assertSatisfiesSpec(body, {header, arrays}) {
  const headerEnd = 12 + new DataView(body).getUint32(8, true);
  assert.ok(['mesh', 'point_cloud', 'lines'].includes(header.kind), 'kind');
  const names = header.buffers.map((b) => b.name);
  assert.equal(new Set(names).size, names.length, 'buffer names are unique');
  assert.deepEqual(Object.keys(arrays).sort(), [...names].sort(), 'one array per buffer, nothing inherited');
  const spans = [];
  for (const entry of header.buffers) {
    const array = arrays[entry.name];
    assert.ok(Object.hasOwn(arrays, entry.name));
    const {data} = array;
    assert.equal(data.buffer, body, 'a view, not a copy');
    assert.equal(data.byteOffset, entry.offset);
    assert.equal(data.byteOffset % 4, 0, 'aligned');
    assert.ok(data.byteOffset >= headerEnd, 'after the prefix and header');
    assert.equal(data.length, product(entry.shape));
    assert.equal(data.byteLength, entry.byte_length);
    assert.equal(DTYPE_BYTES[entry.dtype], data.BYTES_PER_ELEMENT);
    assert.ok(data.byteOffset + data.byteLength <= body.byteLength, 'within the body');
    if (data.byteLength) spans.push([data.byteOffset, data.byteOffset + data.byteLength]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) assert.ok(spans[i][0] >= spans[i - 1][1], 'buffers do not overlap');
  const {vertices, faces, segments, colors, face_colors: faceColors} = arrays;
  assert.ok(shapeIs(vertices, ['float32', 'float16', 'uint16'], [null, 3]), 'vertices');
  const n = vertices.shape[0];
  if (vertices.dtype !== 'float32') assert.ok(shapeIs(arrays.position_bounds, ['float32'], [2, 3]), 'bounds');
  if (vertices.dtype === 'uint16') {
    assert.ok(shapeIs(arrays.position_offset, ['float32'], [3]) && shapeIs(arrays.position_scale, ['float32'], [3]));
  }
  if (faces) assert.ok(shapeIs(faces, ['uint32'], [null, 3]) && faces.data.every((i) => i < n), 'faces');
  if (segments) assert.ok(shapeIs(segments, ['uint32'], [null, 2]) && segments.data.every((i) => i < n), 'segments');
  if (colors) assert.ok(shapeIs(colors, ['uint8'], [n, null]) && [3, 4].includes(colors.shape[1]), 'colors');
  if (faceColors) {
    assert.ok(faces && shapeIs(faceColors, ['uint8'], [faces.shape[0], null]) && [3, 4].includes(faceColors.shape[1]));
  }
  assert.ok(header.attributes === undefined || Array.isArray(header.attributes), 'attributes is a list');
  for (const {placement, components: k, values, ranges} of header.attributes ?? []) {
    assert.ok(['vertex', 'face'].includes(placement) && Number.isInteger(k) && k >= 1 && k <= 4);
    const rows = placement === 'face' ? faces.shape[0] : n;
    assert.ok(shapeIs(arrays[values], ['float32'], [rows, k]), 'attribute values');
    assert.ok(shapeIs(arrays[ranges], ['float32'], [k + 1, 2]), 'attribute ranges');
  }
  if (header.preview !== undefined) assert.ok(Number.isInteger(header.preview.stride) && header.preview.stride >= 1);
}

test('every mutated body decodes to one that satisfies the spec, or raises a WireFormatError', () => {
  const rand = random(20261204);
  const outcomes = {accepted: 0, rejected: 0};
  for (let i = 0; i < BODIES; i++) {
    const placed = validLayout(rand);
    if (i % 8 === 0) {
      const valid = encode(placed);
      assertSatisfiesSpec(valid, decodeMesh(valid));
    }
    const body = mutate(placed, rand);
    let decoded;
    try {
      decoded = decodeMesh(body);
    } catch (error) {
      assert.ok(error instanceof WireFormatError, `body ${i}: ${error.name}: ${error.message}`);
      outcomes.rejected += 1;
      continue;
    }
    assertSatisfiesSpec(body, decoded);
    outcomes.accepted += 1;
  }
  // Both outcomes happen: the mutations are neither all harmless nor all fatal.
  assert.ok(outcomes.accepted > BODIES / 20 && outcomes.rejected > BODIES / 2, JSON.stringify(outcomes));
});

test('a buffer named __proto__ is a buffer like any other', () => {
  const placed = layout(
    [
      ['vertices', 'float32', [1, 3], new Float32Array(3)],
      ['__proto__', 'uint8', [4], new Uint8Array([1, 2, 3, 4])],
    ],
    {kind: 'point_cloud', attributes: []},
  );
  const {arrays} = decodeMesh(encode(placed));
  assert.ok(Object.hasOwn(arrays, '__proto__'));
  assert.deepEqual([...arrays['__proto__'].data], [1, 2, 3, 4]);
  assert.equal(arrays.vertices.shape[0], 1);
});
