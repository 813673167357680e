// What a card shows about the vertex or point under the cursor: its index, position, colour and
// attribute values (and for a mesh the face under the cursor, its colour and face attributes). Names
// are user data: the tooltip sets them with textContent only.
import {el} from './dom.js';
import {positionAt} from './positions.js';
import {formatValue} from './range.js';

function row(array, index) {
  const width = array.shape[1] ?? 1;
  return Array.from(array.data.subarray(index * width, (index + 1) * width));
}

function formatRow(values, format = formatValue) {
  return values.length === 1 ? format(values[0]) : `(${values.map(format).join(', ')})`;
}

const integer = (x) => String(x);

/**
 * The lines describing a pick, as `[label, value]` pairs of plain text.
 *
 * @param {{arrays: object, attributes: Map, as: string}} model a StepModel.
 * @param {{vertex: number, face: number}} pick face -1 when no face is known.
 * @param {{stride: number}|undefined} preview the header's preview field when a preview is shown.
 * @returns {[string, string][]}
 */
export function describePick(model, {vertex, face}, preview) {
  const {arrays} = model;
  const noun = model.as === 'points' ? 'point' : 'vertex';
  const index = preview ? vertex * preview.stride : vertex;
  const lines = [[noun, preview ? `${index} (preview: every ${preview.stride}th)` : String(index)]];
  lines.push(['position', formatRow(positionAt(arrays, vertex))]);
  if (arrays.colors) lines.push(['colour', `rgb${formatRow(row(arrays.colors, vertex), integer)}`]);
  if (face >= 0) {
    lines.push(['face', `${face}: ${formatRow(row(arrays.faces, face), integer)}`]);
    if (arrays.face_colors) lines.push(['face colour', `rgb${formatRow(row(arrays.face_colors, face), integer)}`]);
  }
  for (const attribute of model.attributes.values()) {
    const at = attribute.placement === 'face' ? face : vertex;
    if (at < 0) continue;
    const values = row(attribute.values, at);
    const magnitude = values.length > 1 ? ` |${formatValue(Math.hypot(...values))}|` : '';
    lines.push([
      attribute.placement === 'face' ? `${attribute.name} (face)` : attribute.name,
      formatRow(values) + magnitude,
    ]);
  }
  return lines;
}

/** A tooltip over a card's view: a small table of `describePick` lines. */
export class PickTooltip {
  constructor() {
    this.element = el('div', 'mesh3d-tooltip');
    this.element.hidden = true;
    this.element.setAttribute('role', 'status');
  }

  /** Shows `lines` near (x, y) in the view's CSS pixels; `pinned` marks a clicked pick. */
  show(lines, x, y, pinned) {
    const table = el('table', 'mesh3d-tooltip-table');
    for (const [label, value] of lines) {
      const tr = el('tr');
      tr.append(el('th', undefined, label), el('td', undefined, value));
      table.append(tr);
    }
    this.element.replaceChildren(table);
    this.element.classList.toggle('mesh3d-pinned', pinned);
    this.element.style.left = `${Math.round(x + 12)}px`;
    this.element.style.top = `${Math.round(y + 12)}px`;
    this.element.hidden = false;
  }

  hide() {
    this.element.hidden = true;
  }
}
