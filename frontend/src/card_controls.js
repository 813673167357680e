// A card's own controls and notes: the step slider with its label and the "follow latest step" box,
// the drawing options of its kind (wireframe, point size) and the sample chooser, the counts line, and
// the note on steps TensorBoard may have dropped. Texts are set with textContent (names are user data).
import {el, labelled} from './dom.js';

/** The note a card shows when TensorBoard may have dropped steps of its tag, or "". */
export function samplingNote(entry) {
  const sampling = entry.sampling;
  if (!sampling?.may_have_dropped) return '';
  const kept = (entry.steps || []).length;
  return (
    `Showing the ${kept} steps TensorBoard kept up to step ${entry.max_step}: it keeps at most ` +
    `${sampling.limit} per tag and may have dropped others. Start it with ${sampling.keep_all_flag} to keep them all.`
  );
}

/** The title of a card (its tag, run and, for a built-in mesh summary, a note) and its description. */
export function heading(run, tag, entry) {
  const title = el('header', 'mesh3d-title');
  title.append(el('span', 'mesh3d-tag', tag), el('span', 'mesh3d-run', run));
  if (entry.source === 'mesh') title.append(el('span', 'mesh3d-source', 'TensorBoard mesh summary'));
  return entry.description ? [title, el('p', 'mesh3d-description', entry.description)] : [title];
}

/** "N vertices · F faces" (or points, segments) of a tag's listing, where the counts are known. */
export function countText(entry) {
  const parts = [];
  if (entry.vertex_count != null) {
    const noun = entry.kind === 'point_cloud' ? 'points' : 'vertices';
    parts.push(`${entry.vertex_count.toLocaleString('en-US')} ${noun}`);
  }
  if (entry.face_count != null) parts.push(`${entry.face_count.toLocaleString('en-US')} faces`);
  if (entry.segment_count != null) parts.push(`${entry.segment_count.toLocaleString('en-US')} segments`);
  return parts.join(' · ');
}

/** The step slider, the shown step's label and the "follow latest step" box. */
export class StepControls {
  /**
   * @param {{onStep: (index: number) => void, onFollow: () => void}} callbacks the user moved the
   *   slider to kept step `index`; the user ticked or cleared the box.
   */
  constructor({onStep, onFollow}) {
    const slider = {type: 'range', min: 0, max: 0, step: 1, value: 0, 'aria-label': 'step'};
    const step = labelled('', 'mesh3d-step-control', slider);
    this.input = step.input;
    this.input.className = 'mesh3d-step';
    this.input.addEventListener('input', () => onStep(Number(this.input.value)));
    this.label = el('span', 'mesh3d-step-label');
    this.follow = labelled('follow latest step ', 'mesh3d-option', {type: 'checkbox', class: 'mesh3d-follow'});
    this.follow.input.checked = true;
    this.follow.input.addEventListener('change', onFollow);
    const row = el('div', 'mesh3d-options');
    row.append(this.label, this.follow.label);
    this.elements = [step.label, row];
  }

  following() {
    return this.follow.input.checked;
  }

  setFollowing(following) {
    this.follow.input.checked = following;
  }

  /** Puts the slider at kept step `index` of `count`. */
  setSlider(index, count) {
    this.input.max = String(Math.max(count - 1, 0));
    this.input.disabled = count < 2;
    this.input.value = String(index);
  }

  /** Labels the step shown: its number and wall time (seconds since the epoch). */
  setLabel(step, wallTime) {
    this.label.textContent = `step ${step} · ${new Date(wallTime * 1000).toLocaleString()}`;
  }
}

/**
 * The drawing options of a tag's kind (wireframe for meshes, point size for point clouds) and, for a
 * batched summary, the sample chooser. Changes go into `style` before `onRestyle` is called.
 *
 * @param {object} entry the tag's listing (`kind`, `samples`).
 * @param {import('./model.js').Style} style
 * @param {{onRestyle: () => void, onSample: (sample: number) => void}} callbacks
 * @returns {HTMLLabelElement[]}
 */
export function drawingOptions(entry, style, {onRestyle, onSample}) {
  const labels = [];
  if (entry.kind === 'mesh') {
    const wireframe = labelled('wireframe ', 'mesh3d-option', {type: 'checkbox', class: 'mesh3d-wireframe'});
    wireframe.input.addEventListener('change', () => {
      style.wireframe = wireframe.input.checked;
      onRestyle();
    });
    labels.push(wireframe.label);
  } else if (entry.kind === 'point_cloud') {
    const slider = {type: 'range', min: 1, max: 12, step: 1, value: style.pointSize, class: 'mesh3d-point-size'};
    const size = labelled('point size ', 'mesh3d-option', slider);
    size.input.addEventListener('input', () => {
      style.pointSize = Number(size.input.value);
      onRestyle();
    });
    labels.push(size.label);
  }
  if (entry.samples > 1) {
    const last = entry.samples - 1;
    const sample = labelled('sample ', 'mesh3d-option', {type: 'number', min: 0, max: last, step: 1, value: 0});
    sample.input.className = 'mesh3d-sample';
    sample.input.addEventListener('change', () => {
      const value = Math.trunc(Number(sample.input.value));
      const chosen = Math.min(Math.max(Number.isFinite(value) ? value : 0, 0), last);
      sample.input.value = String(chosen);
      onSample(chosen);
    });
    labels.push(sample.label);
  }
  return labels;
}
