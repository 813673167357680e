// A ghost overlay in a card: another tag of the same run, or the same tag of another run, drawn
// translucent at the card's step (its nearest kept step at or before it), to compare e.g. a prediction
// with its target; or the card's own tag at its first or previous kept step, to see what changed.
import {el, option, select} from './dom.js';
import {buildGeometry, buildMaterial, buildObject, drawnAs, restyleMaterial} from './model.js';
import {indexAtOrBefore} from './steps.js';

const GHOST_COLOR = 0xe8710a;
const GHOST_OPACITY = {mesh: 0.25, lines: 0.5, points: 0.5};
const SAME_RUN = 'other tags of this run';
const OTHER_RUNS = 'this tag in other runs';
const OTHER_STEPS = 'this tag at another step';
const STEP_CHOICES = {first: 'first kept step', previous: 'previous kept step'};

/**
 * What a card can overlay: its own tag at its first or previous kept step, the other tags of its run,
 * then its tag in the other runs.
 *
 * @param {{runs: Object<string, Object<string, object>>}} listing the `tags` route's JSON.
 * @returns {{run: string, tag: string, group: string, at: (string|undefined)}[]} sorted within each group;
 *   `at` is "first" or "previous" for the card's own tag.
 */
export function ghostCandidates(listing, run, tag) {
  const runs = listing.runs || {};
  const sameRun = Object.keys(runs[run] || {})
    .filter((t) => t !== tag)
    .sort();
  const otherRuns = Object.keys(runs)
    .filter((r) => r !== run && runs[r][tag])
    .sort();
  return [
    ...Object.keys(STEP_CHOICES).map((at) => ({run, tag, group: OTHER_STEPS, at})),
    ...sameRun.map((t) => ({run, tag: t, group: SAME_RUN})),
    ...otherRuns.map((r) => ({run: r, tag, group: OTHER_RUNS})),
  ];
}

/**
 * The index of the ghost's step in its tag's kept steps, for a card showing `step` (at kept index
 * `index` of its own tag): the first or previous kept step of the card's own tag, else the nearest
 * kept step at or before `step`. -1 if there is none.
 */
export function ghostStepIndex(candidate, steps, step, index) {
  if (candidate.at === 'first') return steps.length > 0 ? 0 : -1;
  if (candidate.at === 'previous') return index - 1;
  return indexAtOrBefore(steps, step);
}

/** The overlay's selector: "none" or one of ghostCandidates(). Option texts are run and tag names. */
export class GhostControl {
  /** @param {() => void} onChange */
  constructor(onChange) {
    this.control = select('overlay ', 'mesh3d-ghost', [['none', 'none']]);
    this.note = el('span', 'mesh3d-ghost-note');
    this.control.label.append(this.note);
    this.element = this.control.label;
    this.candidates = [];
    this.control.input.addEventListener('change', onChange);
  }

  /** Replaces the choices, keeping the chosen one if it is still there. */
  setCandidates(candidates) {
    const chosen = this.target();
    this.candidates = candidates;
    const input = this.control.input;
    input.replaceChildren(option('none', 'none'));
    const groups = new Map();
    candidates.forEach((candidate, i) => {
      if (!groups.has(candidate.group)) {
        const group = el('optgroup');
        group.label = candidate.group;
        groups.set(candidate.group, group);
        input.append(group);
      }
      const text = candidate.at
        ? STEP_CHOICES[candidate.at]
        : candidate.group === SAME_RUN
          ? candidate.tag
          : candidate.run;
      groups.get(candidate.group).append(option(String(i), text));
    });
    const same = (c) => c.run === chosen.run && c.tag === chosen.tag && c.at === chosen.at;
    const kept = chosen ? candidates.findIndex(same) : -1;
    input.value = kept >= 0 ? String(kept) : 'none';
    this.element.hidden = candidates.length === 0;
  }

  /** The chosen `{run, tag}`, or null. */
  target() {
    const value = this.control.input.value;
    return value === 'none' ? null : this.candidates[Number(value)];
  }
}

/**
 * The ghost of one decoded step: its geometry in one translucent colour, never hiding the card's object.
 *
 * @param {string} kind the ghost tag's kind.
 * @param {{arrays: object}} decoded
 * @param {import('./model.js').Style} style
 */
export function buildGhost(kind, {arrays}, style) {
  const as = drawnAs(kind, arrays);
  // Shaded flat: a translucent overlay needs no normals.
  const material = buildMaterial(
    as,
    {color: GHOST_COLOR, vertexColors: false, transparent: true},
    {...style, flat: true},
  );
  material.opacity = GHOST_OPACITY[as];
  material.depthWrite = false;
  const ghost = buildObject(as, buildGeometry(kind, arrays), material, arrays);
  ghost.renderOrder = 1;
  return ghost;
}

/** A card's ghost overlay: its control, and the object drawn in the card's scene. */
export class GhostOverlay {
  /**
   * @param {object} options
   * @param {THREE.Scene} options.scene the card's scene.
   * @param {import('./step_loader.js').StepLoader} options.loader fetches the ghost's step as "ghost".
   * @param {() => void} options.redraw asks for a frame.
   * @param {() => void} options.onChange called when the user chooses another overlay.
   */
  constructor({scene, loader, redraw, onChange}) {
    this.scene = scene;
    this.loader = loader;
    this.redraw = redraw;
    this.control = new GhostControl(onChange);
    this.element = this.control.element;
    this.ghost = null; // {object, key, step}
  }

  /** Offers what the listing holds for the card of `run` and `tag`. */
  setCandidates(listing, run, tag) {
    this.control.setCandidates(ghostCandidates(listing, run, tag));
  }

  /** The step the overlay shows, or null. */
  step() {
    return this.ghost?.step ?? null;
  }

  /**
   * Loads the overlay chosen in the control for a card showing `step` (kept index `index`, sample
   * `sample`): another tag or run at its nearest kept step at or before `step`, or the card's tag at its
   * first or previous kept step.
   */
  async load({listing, step, index, sample, style}) {
    const target = this.control.target();
    const entry = target && listing.runs?.[target.run]?.[target.tag];
    const found = entry && !entry.error && step !== null ? ghostStepIndex(target, entry.steps || [], step, index) : -1;
    const note = this.control.note;
    if (found < 0) {
      note.textContent = !target ? '' : target.at ? ' no earlier step' : ` no step at or before ${step}`;
      this.remove();
      this.loader.cancel('ghost');
      return;
    }
    const ghostStep = entry.steps[found].step;
    const ghostSample = Math.min(sample, Math.max((entry.samples || 1) - 1, 0));
    const key = JSON.stringify([target.run, target.tag, ghostStep, ghostSample]);
    if (this.ghost?.key === key) return;
    const query = {
      source: entry.source || 'mesh3d',
      run: target.run,
      tag: target.tag,
      step: ghostStep,
      sample: ghostSample,
    };
    let decoded;
    try {
      decoded = await this.loader.fetchLatest('ghost', query);
    } catch (error) {
      note.textContent = ` could not be loaded: ${error.message}`;
      this.remove();
      this.redraw();
      return;
    }
    if (!decoded) return;
    this.remove();
    const object = buildGhost(entry.kind, decoded, style);
    this.scene.add(object);
    this.ghost = {object, key, step: ghostStep};
    note.textContent = ghostStep === step ? '' : ` (step ${ghostStep})`;
    this.loader.finish('ghost');
  }

  restyle(style) {
    if (this.ghost) restyleMaterial(this.ghost.object.material, {...style, flat: true});
  }

  /** Takes the overlay out of the scene and frees its GPU buffers. */
  remove() {
    if (!this.ghost) return;
    this.scene.remove(this.ghost.object);
    this.ghost.object.geometry.dispose();
    this.ghost.object.material.dispose();
    this.ghost = null;
  }
}
