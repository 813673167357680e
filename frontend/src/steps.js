// Finding steps in a tag's ascending list of kept steps ([{step, wall_time}], see docs/http-api.md).

/**
 * The index of the last kept step at or before `step`, or -1 if every kept step is later.
 *
 * @param {{step: number}[]} steps ascending by step.
 * @param {number} step
 */
export function indexAtOrBefore(steps, step) {
  let low = 0;
  let high = steps.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (steps[middle].step <= step) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

/**
 * Which step to show once a tag's kept steps were listed again: the newest when following it, else the
 * step shown before (or the last one before it, if it was dropped; else the first). A following card
 * whose newest steps were dropped again and again before it could fetch them (`dropping`: a run that
 * grows faster than the page fetches, under TensorBoard's sampling) takes the step before the newest,
 * which the sampling keeps far longer.
 *
 * @param {{step: number}[]} steps the new list, ascending.
 * @param {number|undefined} current the step shown before, if any.
 * @param {boolean} following
 * @param {boolean} [dropping]
 * @returns {number} an index into `steps` (-1 when it is empty).
 */
export function indexAfterRelisting(steps, current, following, dropping = false) {
  if (following && dropping && steps.length > 1) return steps.length - 2;
  if (following || current === undefined) return steps.length - 1;
  return Math.max(indexAtOrBefore(steps, current), Math.min(0, steps.length - 1));
}

/**
 * Every step kept by any of several tags, ascending, each once (with the wall time of the first tag
 * listing it): the steps a scene of these tags can show.
 *
 * @param {{step: number, wall_time: number}[][]} lists each tag's kept steps.
 */
export function unionSteps(lists) {
  const byStep = new Map();
  for (const steps of lists) for (const kept of steps) if (!byStep.has(kept.step)) byStep.set(kept.step, kept);
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}
