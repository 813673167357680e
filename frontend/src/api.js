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

/** Fetches and decodes one sample of one step: `{header, arrays}` (see wire.js). */
export async function fetchMesh({run, tag, step, sample = 0}, signal) {
  const query = new URLSearchParams({run, tag, step: String(step), sample: String(sample)});
  const response = await checked(await fetch(`mesh?${query}`, {signal}));
  return decodeMesh(await response.arrayBuffer());
}
