// The plugin's HTTP routes. URLs are relative: TensorBoard's plugin frame sets <base href="plugin/mesh3d/">.
import {decodeMesh} from './wire.js';

/** A failed request, carrying the server's JSON `error` message when it sent one. */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

async function checked(response) {
  if (response.ok) return response;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body && typeof body.error === 'string') message = body.error;
  } catch {
    // Not JSON: keep the status line.
  }
  throw new ApiError(message, response.status);
}

/** Lists runs and tags: `{runs: {run: {tag: entry}}}` (docs/http-api.md). */
export async function fetchTags(signal) {
  const response = await checked(await fetch('tags', {signal}));
  return response.json();
}

// The step route of each source of summaries: ours, and TensorBoard's built-in mesh plugin's.
const STEP_ROUTES = {mesh3d: 'mesh', mesh: 'builtin_mesh'};

/**
 * Fetches and decodes one sample of one step: `{header, arrays}` (see wire.js). With `maxPoints`, a
 * preview of at most that many vertices (every k-th one, without faces).
 */
export async function fetchMesh({source = 'mesh3d', run, tag, step, sample = 0, maxPoints}, signal) {
  const query = new URLSearchParams({run, tag, step: String(step), sample: String(sample)});
  if (maxPoints !== undefined) query.set('max_points', String(maxPoints));
  const response = await checked(await fetch(`${STEP_ROUTES[source] ?? 'mesh'}?${query}`, {signal}));
  return decodeMesh(await response.arrayBuffer());
}

/** Lists the image summaries of TensorBoard's image plugin: `{runs: {run: {tag: {samples, steps}}}}`. */
export async function fetchImages(signal) {
  const response = await checked(await fetch('images', {signal}));
  return response.json();
}

/** The URL of image `index` of the kept step of `run`/`tag` nearest at or before `step`. */
export function imageUrl({run, tag, step, index = 0}) {
  return `image?${new URLSearchParams({run, tag, step: String(step), index: String(index)})}`;
}
