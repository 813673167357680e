// Following a growing run: the dashboard lists the tags again every few seconds (skipped while the page
// is hidden, and at once when it shows again) and hands each listing to its cards, which grow their step
// sliders and move to the newest step when following.

export const POLL_INTERVAL_MS = 5000;

/** Whether nobody can see the page: a hidden tab, or TensorBoard's plugin frame collapsed to nothing. */
function pageHidden() {
  return document.hidden || window.innerWidth === 0;
}

export class TagPoller {
  /**
   * @param {() => Promise<object>} fetchListing resolves to the `tags` route's JSON.
   * @param {(listing: object) => void} onListing
   * @param {number} intervalMs
   */
  constructor(fetchListing, onListing, intervalMs = POLL_INTERVAL_MS) {
    this.fetchListing = fetchListing;
    this.onListing = onListing;
    this.intervalMs = intervalMs;
    this.timer = null;
    this.busy = false;
    document.addEventListener('visibilitychange', () => {
      if (!pageHidden()) this.pollSoon(0);
    });
  }

  /** Starts polling: the first listing comes after one interval. */
  start() {
    this.pollSoon(this.intervalMs);
  }

  pollSoon(delay) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poll(), delay);
  }

  /** Lists the tags unless the page is hidden, then schedules the next poll (one chain of polls). */
  async poll() {
    if (this.busy) return;
    this.busy = true;
    try {
      if (!pageHidden()) this.onListing(await this.fetchListing());
    } catch (error) {
      console.warn(`mesh3d: listing the tags again failed: ${error.message}`);
    } finally {
      this.busy = false;
      this.pollSoon(this.intervalMs);
    }
  }
}
