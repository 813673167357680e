// Decodes the `mesh` route's binary body (docs/wire-format.md, version 1) into typed-array views, and
// checks every invariant of that document the viewer relies on: a body that breaks one raises a
// WireFormatError, never another error and never a decoded step that would draw wrong. The views share
// the response's ArrayBuffer: nothing is copied; the only passes over the data are over face and segment
// indices (each must name a vertex).

export const MAGIC = 'TBM3';
export const VERSION = 1;
const PREFIX_BYTES = 12;

// float16 buffers are viewed as their raw 16-bit patterns; three.js' Float16BufferAttribute takes them so.
const ARRAY_TYPES = {
  float32: Float32Array,
  uint32: Uint32Array,
  uint8: Uint8Array,
  float16: Uint16Array,
  uint16: Uint16Array,
};
/** Bytes per element of each dtype (the server's table, tb_mesh_plugin/wire.py, must match: a test checks). */
export const ITEM_SIZES = Object.fromEntries(
  Object.entries(ARRAY_TYPES).map(([name, T]) => [name, T.BYTES_PER_ELEMENT]),
);
const KINDS = ['mesh', 'point_cloud', 'lines'];
// Positions arrive as float32, or quantised as float16 or uint16 (docs/wire-format.md).
const POSITION_DTYPES = ['float32', 'float16', 'uint16'];
const PLACEMENTS = ['vertex', 'face'];
const MAX_COMPONENTS = 4;

/** Thrown for a body that is not a well-formed version-1 message. */
export class WireFormatError extends Error {
  constructor(message) {
    super(message);
    this.name = 'WireFormatError';
  }
}

function fail(message) {
  throw new WireFormatError(message);
}

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
const quoted = (name) => JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);

/** A typed-array view of one `buffers` entry, its place in the body checked. */
function viewOf(buffer, entry, dataStart) {
  if (!isObject(entry) || typeof entry.name !== 'string') fail('a buffer entry is not an object with a name');
  const what = `buffer ${quoted(entry.name)}`;
  const ArrayType = Object.hasOwn(ARRAY_TYPES, entry.dtype) ? ARRAY_TYPES[entry.dtype] : undefined;
  if (!ArrayType) {
    fail(`${what} has unknown dtype ${typeof entry.dtype === 'string' ? quoted(entry.dtype) : typeof entry.dtype}`);
  }
  const shape = entry.shape;
  if (!Array.isArray(shape) || !shape.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    fail(`${what} has a malformed shape`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const {offset, byte_length: byteLength} = entry;
  if (!Number.isSafeInteger(offset)) fail(`${what} has a malformed offset`);
  if (offset % 4 !== 0) fail(`${what} starts at a misaligned offset ${offset}`);
  if (!Number.isSafeInteger(byteLength)) fail(`${what} has a malformed byte_length`);
  if (offset < dataStart) fail(`${what} starts at ${offset}, inside the prefix or header (before ${dataStart})`);
  const needed = count * ArrayType.BYTES_PER_ELEMENT;
  if (byteLength !== needed) fail(`${what} holds ${byteLength} bytes, its shape needs ${needed}`);
  if (offset + byteLength > buffer.byteLength) fail(`${what} runs past the end of the body`);
  return {dtype: entry.dtype, shape, data: new ArrayType(buffer, offset, count)};
}

/** Checks that no two buffers share a byte. */
function checkDisjoint(entries) {
  const spans = entries.filter((e) => e.byte_length > 0).sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < spans.length; i++) {
    const [before, after] = [spans[i - 1], spans[i]];
    if (after.offset < before.offset + before.byte_length) {
      fail(`buffers ${quoted(before.name)} and ${quoted(after.name)} overlap`);
    }
  }
}

/** Checks `arrays[name]`, if `required` or present: its dtype and that its shape is `shape` (null: any). */
function checkArray(arrays, name, dtypes, shape, required = true) {
  const array = arrays[name];
  if (!array) {
    if (required) fail(`body has no ${quoted(name)} buffer`);
    return undefined;
  }
  const fits = array.shape.length === shape.length && shape.every((n, i) => n === null || n === array.shape[i]);
  if (!dtypes.includes(array.dtype) || !fits) {
    const want = `[${shape.map((n) => n ?? '_').join(', ')}]`;
    fail(`buffer ${quoted(name)} must be ${dtypes.join(' or ')} ${want}, got ${array.dtype} [${array.shape}]`);
  }
  return array;
}

/** Checks every index of an index buffer names one of `vertexCount` vertices. */
function checkIndices(name, indices, vertexCount) {
  let largest = 0;
  for (let i = 0; i < indices.length; i++) if (indices[i] > largest) largest = indices[i];
  if (indices.length > 0 && largest >= vertexCount) {
    fail(`buffer ${quoted(name)} holds vertex index ${largest}, but there are ${vertexCount} vertices`);
  }
}

function checkFinite(name, array) {
  if (!array.data.every(Number.isFinite)) fail(`buffer ${quoted(name)} holds a value that is not finite`);
}

/** Checks the geometry buffers: positions (and their dequantisation), faces, segments, colours. */
function checkGeometry(arrays) {
  const vertices = checkArray(arrays, 'vertices', POSITION_DTYPES, [null, 3]);
  const vertexCount = vertices.shape[0];
  if (vertices.dtype !== 'float32')
    checkFinite('position_bounds', checkArray(arrays, 'position_bounds', ['float32'], [2, 3]));
  if (vertices.dtype === 'uint16') {
    checkFinite('position_offset', checkArray(arrays, 'position_offset', ['float32'], [3]));
    checkFinite('position_scale', checkArray(arrays, 'position_scale', ['float32'], [3]));
  }
  const faces = checkArray(arrays, 'faces', ['uint32'], [null, 3], false);
  if (faces) checkIndices('faces', faces.data, vertexCount);
  const segments = checkArray(arrays, 'segments', ['uint32'], [null, 2], false);
  if (segments) checkIndices('segments', segments.data, vertexCount);
  const colors = checkArray(arrays, 'colors', ['uint8'], [vertexCount, null], false);
  if (colors && colors.shape[1] !== 3 && colors.shape[1] !== 4) fail('buffer "colors" must have 3 or 4 channels');
  if (arrays.face_colors && !faces) fail('buffer "face_colors" needs a "faces" buffer');
  const faceColors = checkArray(arrays, 'face_colors', ['uint8'], [faces?.shape[0], null], false);
  if (faceColors && faceColors.shape[1] !== 3 && faceColors.shape[1] !== 4) {
    fail('buffer "face_colors" must have 3 or 4 channels');
  }
}

/**
 * Checks the `attributes` list (absent in bodies from before attributes: none): each names its two
 * float32 buffers, of the shapes its placement needs.
 */
function checkAttributes(attributes = [], arrays) {
  if (!Array.isArray(attributes)) fail('header field "attributes" is not a list');
  const names = new Set();
  for (const attribute of attributes) {
    if (!isObject(attribute) || typeof attribute.name !== 'string') fail('an attribute is not an object with a name');
    const {name, placement, components: k, values, ranges} = attribute;
    const what = `attribute ${quoted(name)}`;
    if (names.has(name)) fail(`${what} is listed twice`);
    names.add(name);
    if (!PLACEMENTS.includes(placement)) fail(`${what} has an unknown placement`);
    if (!Number.isInteger(k) || k < 1 || k > MAX_COMPONENTS) fail(`${what} must have 1 to 4 components`);
    if (typeof values !== 'string' || typeof ranges !== 'string') fail(`${what} does not name its buffers`);
    if (placement === 'face' && !arrays.faces) fail(`${what} is per face, but the body has no faces`);
    const rows = placement === 'face' ? arrays.faces.shape[0] : arrays.vertices.shape[0];
    checkArray(arrays, values, ['float32'], [rows, k]);
    checkFinite(ranges, checkArray(arrays, ranges, ['float32'], [k + 1, 2]));
  }
}

/** Checks the header fields the viewer reads besides the buffers. */
function checkFields(header) {
  if (!KINDS.includes(header.kind)) fail('header field "kind" is not "mesh", "point_cloud" or "lines"');
  const preview = header.preview;
  if (preview !== undefined && !(isObject(preview) && Number.isSafeInteger(preview.stride) && preview.stride >= 1)) {
    fail('header field "preview" has no positive integer "stride"');
  }
}

/**
 * Decodes one response body.
 *
 * @param {ArrayBuffer} buffer the response body.
 * @returns {{header: object, arrays: Object<string, {dtype: string, shape: number[], data: TypedArray}>}}
 *   `arrays` has no prototype: any buffer name, `__proto__` too, is just a key.
 * @throws {WireFormatError} for any body that breaks docs/wire-format.md.
 */
export function decodeMesh(buffer) {
  if (!(buffer instanceof ArrayBuffer)) fail('expected an ArrayBuffer');
  if (buffer.byteLength < PREFIX_BYTES) {
    fail(`body of ${buffer.byteLength} bytes is shorter than the ${PREFIX_BYTES}-byte prefix`);
  }
  const prefix = new DataView(buffer, 0, PREFIX_BYTES);
  const magic = String.fromCharCode(...new Uint8Array(buffer, 0, 4));
  const version = prefix.getUint32(4, true);
  const headerLength = prefix.getUint32(8, true);
  if (magic !== MAGIC || version !== VERSION) {
    fail(`not a version-${VERSION} ${MAGIC} body (magic ${JSON.stringify(magic)}, version ${version})`);
  }
  if (PREFIX_BYTES + headerLength > buffer.byteLength) fail('header runs past the end of the body');
  let header;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', {fatal: true}).decode(new Uint8Array(buffer, PREFIX_BYTES, headerLength)),
    );
  } catch (error) {
    fail(`header is not UTF-8 JSON: ${error.message}`);
  }
  if (!isObject(header) || !Array.isArray(header.buffers)) fail('header has no list of buffers');
  const arrays = Object.create(null);
  for (const entry of header.buffers) {
    const array = viewOf(buffer, entry, PREFIX_BYTES + headerLength);
    if (arrays[entry.name]) fail(`buffer ${quoted(entry.name)} is listed twice`);
    arrays[entry.name] = array;
  }
  checkDisjoint(header.buffers);
  checkFields(header);
  checkGeometry(arrays);
  checkAttributes(header.attributes, arrays);
  return {header, arrays};
}
