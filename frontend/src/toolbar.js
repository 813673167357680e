// The dashboard's toolbar: a tag filter (a regular expression), a run selector, toggles that sync
// the camera and the step across cards, and how tags are grouped into scene cards (scene_grouping.js). TensorBoard 2.21's plugin API tells a plugin frame the names of
// all runs (GetRuns) but not which are selected in TensorBoard's own run selector, so the dashboard has
// its own. Run names and tags are shown as text.
import {el, labelled, select} from './dom.js';
import {GROUPINGS} from './scene_grouping.js';

/**
 * Compiles a typed tag filter.
 *
 * @param {string} text a regular expression, matched anywhere in the tag ("" matches every tag).
 * @returns {{regex: (RegExp|null), error: (string|null)}} error names what is wrong with an invalid one.
 */
export function compileFilter(text) {
  if (!text) return {regex: null, error: null};
  try {
    return {regex: new RegExp(text, 'i'), error: null};
  } catch (error) {
    return {regex: null, error: `Invalid regular expression: ${error.message}`};
  }
}

/** Whether a card of `run` and `tag` is shown under a filter and a set of hidden runs. */
export function isShown({run, tag}, {regex, error}, hiddenRuns) {
  return !hiddenRuns.has(run) && (error !== null || regex === null || regex.test(tag));
}

export class Toolbar {
  /**
   * @param {{filter: string, hiddenRuns: string[], syncCamera: boolean, syncStep: boolean, grouping: string}} initial
   * @param {() => void} onChange called after any control changes.
   */
  constructor(initial, onChange) {
    this.onChange = onChange;
    this.hiddenRuns = new Set(initial.hiddenRuns);
    this.element = el('div', 'mesh3d-toolbar');
    this.filter = labelled('tags ', 'mesh3d-option mesh3d-filter-label', {
      type: 'search',
      class: 'mesh3d-filter',
      placeholder: 'filter (regular expression)',
      spellcheck: 'false',
    });
    this.filter.input.value = initial.filter;
    this.filterError = el('span', 'mesh3d-filter-error');
    this.filterError.setAttribute('role', 'alert');
    this.runs = el('details', 'mesh3d-runs');
    this.runsSummary = el('summary', 'mesh3d-runs-summary');
    this.runList = el('div', 'mesh3d-run-list');
    this.runs.append(this.runsSummary, this.runList);
    this.syncCamera = labelled('sync camera ', 'mesh3d-option', {type: 'checkbox', class: 'mesh3d-sync-camera'});
    this.syncStep = labelled('sync step ', 'mesh3d-option', {type: 'checkbox', class: 'mesh3d-sync-step'});
    this.syncCamera.input.checked = initial.syncCamera;
    this.syncStep.input.checked = initial.syncStep;
    this.grouping = select('scenes ', 'mesh3d-grouping', GROUPINGS);
    this.grouping.input.value = initial.grouping ?? '';
    this.element.append(this.filter.label, this.filterError, this.runs, this.syncCamera.label, this.syncStep.label);
    this.element.append(this.grouping.label);
    this.filter.input.addEventListener('input', () => this.changed());
    for (const toggle of [this.syncCamera, this.syncStep, this.grouping])
      toggle.input.addEventListener('change', () => this.changed());
    this.runNames = [];
    this.updateFilter();
  }

  changed() {
    this.updateFilter();
    this.onChange();
  }

  updateFilter() {
    this.compiled = compileFilter(this.filter.input.value);
    this.filterError.textContent = this.compiled.error ?? '';
    this.filter.input.setAttribute('aria-invalid', String(this.compiled.error !== null));
  }

  /** Lists `runs` (sorted names) in the run selector, keeping which are hidden. */
  setRuns(runs) {
    if (runs.length === this.runNames.length && runs.every((r, i) => r === this.runNames[i])) return;
    this.runNames = runs;
    this.runList.replaceChildren(
      ...runs.map((run) => {
        const choice = labelled('', 'mesh3d-run', {type: 'checkbox'});
        choice.input.checked = !this.hiddenRuns.has(run);
        choice.input.dataset.run = run;
        choice.label.append(el('span', 'mesh3d-run-name', run));
        choice.input.addEventListener('change', () => {
          if (choice.input.checked) this.hiddenRuns.delete(run);
          else this.hiddenRuns.add(run);
          this.updateRunsSummary();
          this.onChange();
        });
        return choice.label;
      }),
    );
    this.updateRunsSummary();
  }

  updateRunsSummary() {
    const shown = this.runNames.filter((r) => !this.hiddenRuns.has(r)).length;
    this.runsSummary.textContent = `runs: ${shown} of ${this.runNames.length}`;
  }

  /** Whether the card of `{run, tag}` is shown. */
  shows(entry) {
    return isShown(entry, this.compiled, this.hiddenRuns);
  }

  /** The toolbar's part of the URL state. */
  state() {
    return {
      filter: this.filter.input.value,
      hiddenRuns: [...this.hiddenRuns].sort(),
      syncCamera: this.syncCamera.input.checked,
      syncStep: this.syncStep.input.checked,
      grouping: this.grouping.input.value,
    };
  }
}
