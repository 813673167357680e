// A card's step navigation: its tag's kept steps and the one shown, the slider with its label and the
// "follow latest step" box (card_controls.StepControls), ← → or [ ] when the view has focus, where a new
// listing of the tags moves the card, and listing the tags again when a listed step was not found.
import {ApiError} from './api.js';
import {StepControls} from './card_controls.js';
import {indexAfterRelisting, indexAtOrBefore} from './steps.js';

const STEP_KEYS = {ArrowLeft: -1, '[': -1, ArrowRight: 1, ']': 1};
// How many times in a row a step that was listed but not found is answered by listing the tags again,
// and after how many a following card shows the step before the newest (steps.indexAfterRelisting).
const MAX_RELISTS = 3;
const DROPPED_BEFORE_STEPPING_BACK = 2;

export class StepNavigator {
  /**
   * @param {object} options
   * @param {HTMLElement} options.view the element whose keys step (once started).
   * @param {{step: number, wall_time: number}[]} options.steps the kept steps, ascending.
   * @param {(index: number) => void} options.show shows kept step number `index`.
   * @param {(step: number) => void} options.onUserStep the user moved to `step` (slider or keys).
   * @param {() => void} options.onFollow the user ticked or cleared "follow latest step".
   * @param {(() => Promise<void>)|undefined} options.relist lists the tags again (see relistAfter()).
   */
  constructor({view, steps, show, onUserStep, onFollow, relist}) {
    this.steps = steps;
    this.index = -1;
    this.started = false;
    this.show = show;
    this.relist = relist;
    this.relists = 0; // listings asked for in a row because a listed step was not found
    this.controls = new StepControls({
      onStep: (index) => this.userStep(index),
      onFollow: () => {
        const last = this.steps.length - 1;
        if (this.following() && this.started && this.index !== last) this.moveTo(last);
        onFollow();
      },
    });
    this.onUserStep = onUserStep;
    view.addEventListener('keydown', (event) => {
      const delta = STEP_KEYS[event.key];
      if (delta === undefined || event.altKey || event.ctrlKey || event.metaKey || !this.started) return;
      event.preventDefault();
      this.stepBy(delta);
    });
  }

  /** The slider and the row of its label and the "follow latest step" box. */
  get elements() {
    return this.controls.elements;
  }

  following() {
    return this.controls.following();
  }

  /** The kept step shown (`{step, wall_time}`), if any. */
  shown() {
    return this.steps[this.index];
  }

  /** Shows the newest step, or the nearest kept one at or before `step` (from the URL) if given. */
  start(step = null) {
    this.started = true;
    let index = this.steps.length - 1;
    if (step !== null) {
      index = Math.max(indexAtOrBefore(this.steps, step), 0);
      this.controls.setFollowing(index === this.steps.length - 1);
    }
    this.moveTo(index);
  }

  /** Puts the slider at kept step number `index` and shows it. */
  moveTo(index) {
    this.controls.setSlider(index, this.steps.length);
    this.show(index);
  }

  /** Notes that step number `index` is being shown, and labels it. */
  showing(index) {
    this.index = index;
    const {step, wall_time: wallTime} = this.steps[index];
    this.controls.setLabel(step, wallTime);
    return step;
  }

  /** Moves to kept step number `index`, as the user did: following stops unless it is the newest. */
  userStep(index) {
    this.controls.setFollowing(index === this.steps.length - 1);
    this.moveTo(index);
    this.onUserStep(this.steps[index].step);
  }

  /** Steps `delta` kept steps back or forward (the keyboard's ← → and [ ]). */
  stepBy(delta) {
    const index = Math.min(Math.max(this.index + delta, 0), this.steps.length - 1);
    if (index !== this.index) this.userStep(index);
  }

  /** Shows the nearest kept step at or before `step` (the first kept one if all are later): sync step. */
  goToStep(step) {
    if (!this.started) return;
    const index = Math.max(indexAtOrBefore(this.steps, step), 0);
    this.controls.setFollowing(index === this.steps.length - 1);
    if (index !== this.index) this.moveTo(index);
  }

  /** The step for the URL: the one shown, or null when following (or nothing is shown). */
  urlStep() {
    const shown = this.shown()?.step;
    return this.following() || shown === undefined ? null : shown;
  }

  /**
   * Takes the kept steps of a new listing. Once started, moves the slider to the step to show (the newest
   * when following, see steps.indexAfterRelisting) without showing it, and returns whether that is
   * another step than the one shown.
   */
  relisted(steps) {
    const current = this.shown()?.step;
    this.steps = steps;
    if (!this.started) return false;
    const dropping = this.relists >= DROPPED_BEFORE_STEPPING_BACK;
    this.index = indexAfterRelisting(steps, current, this.following(), dropping);
    this.controls.setSlider(this.index, steps.length);
    return steps[this.index].step !== current;
  }

  /** A step was loaded: the next missing step starts the count of relistings again. */
  loaded() {
    this.relists = 0;
  }

  /**
   * Whether a failed load is answered by listing the tags again (resolves once the new listing was
   * handed out): a step that is listed but not found (404) was dropped after it was listed
   * (TensorBoard's sampling of a growing run, RustBoard's or the Python loader's, keeps the newest step
   * only until a newer one arrives). False for other errors, after MAX_RELISTS tries in a row, or when
   * listing failed.
   */
  async relistAfter(error) {
    if (!(error instanceof ApiError) || error.status !== 404 || !this.relist || this.relists >= MAX_RELISTS) {
      return false;
    }
    this.relists += 1;
    try {
      await this.relist();
    } catch {
      return false;
    }
    return true;
  }
}
