// Loading a card's steps: one fetch at a time per purpose ("step", "ghost" for the overlay, or a scene's
// layer), a newer request aborting the older one; a large step drawn from a decimated preview first; and what is
// loading now, so the card knows when it is ready.
import {fetchMesh} from './api.js';

// Steps of more vertices than this are fetched as a preview of PREVIEW_POINTS first.
export const PREVIEW_MIN_VERTICES = 262_144;
export const PREVIEW_POINTS = 65_536;

/** The `maxPoints` of each fetch of a step of `vertexCount` vertices: a preview first if it is large. */
export function previewPasses(vertexCount) {
  return (vertexCount ?? 0) > PREVIEW_MIN_VERTICES ? [PREVIEW_POINTS, undefined] : [undefined];
}

export class StepLoader {
  /**
   * @param {{onLoading: () => void, onIdle: () => void}} callbacks called when a fetch starts, and
   *   when nothing is left loading.
   */
  constructor({onLoading, onIdle}) {
    this.onLoading = onLoading;
    this.onIdle = onIdle;
    this.requests = new Map(); // purpose -> the AbortController of its latest fetch
    this.loading = new Set(); // the purposes being fetched
  }

  /** Whether anything is being fetched. */
  busy() {
    return this.loading.size > 0;
  }

  /** Marks `what` as no longer loading; tells the card if nothing is left loading. */
  finish(what) {
    this.loading.delete(what);
    if (this.loading.size === 0) this.onIdle();
  }

  /** Aborts the fetch for `what`, if any, and marks it as no longer loading. */
  cancel(what) {
    this.requests.get(what)?.abort();
    this.requests.delete(what);
    this.finish(what);
  }

  /**
   * Fetches one step for `what`, cancelling the earlier request for it. Resolves to the decoded step, or
   * null if a newer request replaced this one; rejects (no longer loading) on failure.
   *
   * @param {string} what "step", "ghost" or a scene layer's key.
   * @param {object} query the arguments of api.fetchMesh.
   */
  async fetchLatest(what, query) {
    this.requests.get(what)?.abort();
    const request = new AbortController();
    this.requests.set(what, request);
    this.loading.add(what);
    this.onLoading();
    try {
      const decoded = await fetchMesh(query, request.signal);
      return request.signal.aborted ? null : decoded;
    } catch (error) {
      if (request.signal.aborted) return null;
      this.finish(what);
      throw error;
    }
  }

  /**
   * Fetches a step of `vertexCount` vertices, a preview first if it is large, and hands each decoded
   * body to `onDecoded` as it arrives. Resolves to whether it was loaded to the end (false when a newer
   * request replaced it); rejects on failure. The step stays loading until the caller finishes `what`.
   */
  async loadStep(query, vertexCount, onDecoded, what = 'step') {
    for (const maxPoints of previewPasses(vertexCount)) {
      const decoded = await this.fetchLatest(what, {...query, maxPoints});
      if (!decoded) return false;
      onDecoded(decoded);
    }
    return true;
  }

  /** Aborts every fetch; nothing is loading afterwards (the card is not told). */
  cancelAll() {
    for (const request of this.requests.values()) request.abort();
    this.requests.clear();
    this.loading.clear();
  }

  /** Aborts every fetch, telling the card nothing more. */
  dispose() {
    this.onLoading = this.onIdle = () => {};
    this.cancelAll();
  }
}
