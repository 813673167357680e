// Lays out `mesh` route bodies the way docs/wire-format.md describes, for the decoder's tests, with
// room to break them on purpose: the header can be changed after the buffers were placed.

const align = (n) => Math.ceil(n / 4) * 4;
const bytesOf = (data) => new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/**
 * A valid layout of `arrays` (`[name, dtype, shape, typedArray]`): the header object (`fields` plus
 * `buffers`) and where each array's bytes go. The header's slot holds its JSON with `room` bytes to
 * spare, so a changed header usually fits without moving the buffers.
 */
export function layout(arrays, fields = {kind: 'mesh', step: 7}, room = 0) {
  let start = 12;
  for (;;) {
    const buffers = [];
    let offset = start;
    for (const [name, dtype, shape, data] of arrays) {
      buffers.push({name, dtype, shape, offset, byte_length: data.byteLength});
      offset = align(offset + data.byteLength);
    }
    const header = {...fields, buffers};
    const length = new TextEncoder().encode(JSON.stringify(header)).length + room;
    if (align(12 + length) <= start) {
      return {header, slot: start - 12, datas: arrays.map((a) => a[3]), offsets: buffers.map((b) => b.offset)};
    }
    start = align(12 + length);
  }
}

/**
 * The body of a layout: the prefix, `text` (the header's JSON unless given) padded with spaces to the
 * slot, then each array's bytes at its place in the layout (whatever the header now says).
 */
export function encode(
  {header, slot, datas, offsets},
  {text = JSON.stringify(header), magic = 'TBM3', version = 1} = {},
) {
  const json = new TextEncoder().encode(text);
  const encoded = new Uint8Array(Math.max(slot, json.length)).fill(0x20); // JSON padded with spaces
  encoded.set(json);
  const start = 12 + encoded.length;
  const end = datas.reduce((e, data, i) => Math.max(e, align(offsets[i] + data.byteLength)), align(start));
  const out = new ArrayBuffer(end);
  const view = new DataView(out);
  [...magic].forEach((c, i) => view.setUint8(i, c.charCodeAt(0)));
  view.setUint32(4, version, true);
  view.setUint32(8, encoded.length, true);
  new Uint8Array(out, 12).set(encoded);
  // A header that grew past its slot covers the first buffers: they are written over it only where it ends.
  datas.forEach((data, i) => {
    const skip = Math.max(0, start - offsets[i]);
    if (skip < data.byteLength) new Uint8Array(out, offsets[i] + skip).set(bytesOf(data).subarray(skip));
  });
  return out;
}
