// Decodes the `mesh` route's binary body (docs/wire-format.md, version 1) into typed-array views.
// The views share the response's ArrayBuffer: nothing is copied or parsed per vertex.

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
// Positions arrive as float32, or quantised as float16 or uint16 (docs/wire-format.md).
const POSITION_DTYPES = ['float32', 'float16', 'uint16'];

/** Thrown for a body that is not a well-formed version-1 message. */
export class WireFormatError extends Error {
  constructor(message) {
    super(message);
    this.name = 'WireFormatError';
  }
}

function describe(entry) {
  return `buffer ${JSON.stringify(entry.name)}`;
}

function viewOf(buffer, entry) {
  const ArrayType = ARRAY_TYPES[entry.dtype];
  if (!ArrayType) {
    throw new WireFormatError(`${describe(entry)} has unknown dtype ${JSON.stringify(entry.dtype)}`);
  }
  const shape = entry.shape;
  if (!Array.isArray(shape) || !shape.every((n) => Number.isInteger(n) && n >= 0)) {
    throw new WireFormatError(`${describe(entry)} has a malformed shape`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const {offset, byte_length: byteLength} = entry;
  if (!Number.isInteger(offset) || offset % 4 !== 0 || offset < PREFIX_BYTES) {
    throw new WireFormatError(`${describe(entry)} starts at a misaligned offset ${offset}`);
  }
  if (byteLength !== count * ArrayType.BYTES_PER_ELEMENT) {
    throw new WireFormatError(
      `${describe(entry)} holds ${byteLength} bytes, its shape needs ${count * ArrayType.BYTES_PER_ELEMENT}`,
    );
  }
  if (offset + byteLength > buffer.byteLength) {
    throw new WireFormatError(`${describe(entry)} runs past the end of the body`);
  }
  return {dtype: entry.dtype, shape, data: new ArrayType(buffer, offset, count)};
}

/**
 * Decodes one response body.
 *
 * @param {ArrayBuffer} buffer the response body.
 * @returns {{header: object, arrays: Object<string, {dtype: string, shape: number[], data: TypedArray}>}}
 */
export function decodeMesh(buffer) {
  if (!(buffer instanceof ArrayBuffer)) {
    throw new WireFormatError('expected an ArrayBuffer');
  }
  if (buffer.byteLength < PREFIX_BYTES) {
    throw new WireFormatError(`body of ${buffer.byteLength} bytes is shorter than the ${PREFIX_BYTES}-byte prefix`);
  }
  const prefix = new DataView(buffer, 0, PREFIX_BYTES);
  const magic = String.fromCharCode(...new Uint8Array(buffer, 0, 4));
  const version = prefix.getUint32(4, true);
  const headerLength = prefix.getUint32(8, true);
  if (magic !== MAGIC || version !== VERSION) {
    throw new WireFormatError(
      `not a version-${VERSION} ${MAGIC} body (magic ${JSON.stringify(magic)}, version ${version})`,
    );
  }
  if (PREFIX_BYTES + headerLength > buffer.byteLength) {
    throw new WireFormatError('header runs past the end of the body');
  }
  let header;
  try {
    header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, PREFIX_BYTES, headerLength)));
  } catch (error) {
    throw new WireFormatError(`header is not JSON: ${error.message}`);
  }
  if (header === null || typeof header !== 'object' || !Array.isArray(header.buffers)) {
    throw new WireFormatError('header has no list of buffers');
  }
  const arrays = {};
  for (const entry of header.buffers) {
    arrays[entry.name] = viewOf(buffer, entry);
  }
  const vertices = arrays.vertices;
  if (
    !vertices ||
    !POSITION_DTYPES.includes(vertices.dtype) ||
    vertices.shape.length !== 2 ||
    vertices.shape[1] !== 3
  ) {
    throw new WireFormatError('body has no float32, float16 or uint16 [N, 3] "vertices" buffer');
  }
  if (
    vertices.dtype === 'uint16' &&
    !(arrays.position_offset?.data.length === 3 && arrays.position_scale?.data.length === 3)
  ) {
    throw new WireFormatError('uint16 "vertices" need float32 [3] "position_offset" and "position_scale" buffers');
  }
  return {header, arrays};
}
