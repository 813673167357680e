// Entry point: TensorBoard's plugin frame imports this module and calls render().
import {showAlerts} from './alerts.js';
import {fetchTags} from './api.js';
import {MeshCard} from './card.js';
import {el} from './dom.js';
import {TagPoller} from './follow.js';
import {onDataReloaded} from './host_ipc.js';
import {Picker} from './picking.js';
import {SceneCard} from './scene_card.js';
import {groupCards} from './scene_grouping.js';
import {SharedRenderer} from './shared_renderer.js';
import {STYLE} from './style.js';
import {followTheme} from './theme.js';
import {Toolbar} from './toolbar.js';
import {UrlState, cardKey, sceneKey} from './url_state.js';

function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The runs and tags of a listing, sorted by run then tag. */
function entriesOf(listing) {
  const entries = [];
  for (const [run, tags] of Object.entries(listing.runs || {})) {
    for (const tag of Object.keys(tags)) entries.push({run, tag});
  }
  return entries.sort((a, b) => compare(a.run, b.run) || compare(a.tag, b.tag));
}

function countText(shown, entries) {
  const runs = new Set(entries.map((e) => e.run)).size;
  const tags = `${entries.length} ${entries.length === 1 ? 'tag' : 'tags'} in ${runs} ${runs === 1 ? 'run' : 'runs'}`;
  return shown === entries.length ? tags : `showing ${shown} of ${tags}`;
}

/**
 * The grid of cards: one per shown run and tag, made when first shown (so filtered-out tags load
 * nothing), kept in run and tag order; syncs steps and cameras across cards when asked.
 */
class Dashboard {
  constructor({grid, status, shared, urlState, theme}) {
    this.grid = grid;
    this.status = status;
    this.shared = shared;
    this.urlState = urlState;
    this.theme = theme;
    this.picker = new Picker();
    this.cards = new Map(); // cardKey -> MeshCard
    this.listing = {runs: {}};
    const initial = urlState.read();
    this.initialCards = initial.cards;
    this.toolbar = new Toolbar(initial, () => this.refresh());
    this.hooks = {
      onStep: (card, step) => this.syncStep(card, step),
      onCamera: (card) => this.syncCamera(card),
      onStateChange: () => this.saveState(),
      relist: () => this.relist(),
    };
    this.relisting = null; // the listing asked for by relist(), while it is on its way
  }

  /** Lists the tags again now and shows the listing (one request for every card that asks meanwhile). */
  relist() {
    this.relisting ??= fetchTags()
      .then((listing) => this.show(listing))
      .finally(() => {
        this.relisting = null;
      });
    return this.relisting;
  }

  /** Takes a new listing of the tags. */
  show(listing) {
    this.listing = listing;
    this.toolbar.setRuns(Object.keys(listing.runs || {}).sort());
    for (const card of this.cards.values()) card.update(listing);
    this.refresh();
  }

  /**
   * Shows the cards the toolbar selects, making new ones, in run and tag order: a card per tag, or a scene
   * card per group of tags (scene_grouping.js). Cards it hides are parked (their GPU buffers and renderer
   * slot freed, their controls kept); cards whose run or tag left the listing, and scenes whose tags
   * changed, are disposed, their URL state kept for when they come back.
   */
  refresh() {
    const entries = entriesOf(this.listing);
    const shown = entries.filter((entry) => this.toolbar.shows(entry));
    const grouping = this.toolbar.state().grouping;
    const keyOf = (item) => (item.tags ? sceneKey(item.run, item.prefix) : cardKey(item.run, item.tag));
    const items = new Map(groupCards(shown, grouping).map((item) => [keyOf(item), item]));
    const listed = new Set(entries.map(({run, tag}) => cardKey(run, tag)));
    const kept = (key, card) =>
      card instanceof SceneCard
        ? card.grouping === grouping && card.members === JSON.stringify(items.get(key)?.tags)
        : listed.has(key);
    let changed = false;
    for (const [key, card] of this.cards) {
      if (kept(key, card)) continue;
      if (card.started) this.initialCards.set(key, card.urlState());
      card.dispose();
      this.cards.delete(key);
      changed = true;
    }
    let added = false;
    for (const [key, item] of items) {
      if (this.cards.has(key)) continue;
      const {run, tag, prefix, tags} = item;
      const initial = this.initialCards.get(key) ?? {};
      const options = {
        run,
        listing: this.listing,
        shared: this.shared,
        picker: this.picker,
        theme: this.theme(),
        initial,
        hooks: this.hooks,
      };
      const card = tags ? new SceneCard({...options, prefix, tags, grouping}) : new MeshCard({...options, tag});
      this.cards.set(key, card);
      added = changed = true;
    }
    for (const [key, card] of this.cards) {
      const hide = !items.has(key);
      if (card.element.hidden === hide) continue;
      card.element.hidden = hide;
      if (hide) card.park();
      else card.unpark();
      changed = true;
    }
    if (added) {
      const order = [...items.keys()].map((key) => this.cards.get(key));
      this.grid.append(...order.map((card) => card.element));
    }
    if (changed) this.shared.requestRender(); // cards moved: every view is drawn again
    this.status.textContent = entries.length
      ? countText(shown.length, entries)
      : 'No 3D data was found yet. Log meshes or point clouds with tb_mesh_plugin.summary.mesh(...) or ' +
        "summary.point_cloud(...) (or TensorBoard's own mesh summaries) into this logdir; this page lists " +
        'them as they arrive.';
    this.saveState();
  }

  visibleCards(except) {
    return [...this.cards.values()].filter((card) => card !== except && !card.element.hidden);
  }

  syncStep(source, step) {
    if (!this.toolbar.state().syncStep) return;
    for (const card of this.visibleCards(source)) card.goToStep(step);
    this.saveState();
  }

  syncCamera(source) {
    if (!this.toolbar.state().syncCamera) return;
    const pose = source.cameraPose();
    for (const card of this.visibleCards(source)) card.setCameraPose(pose);
  }

  setTheme(theme) {
    for (const card of this.cards.values()) card.setTheme(theme);
  }

  saveState() {
    const cards = new Map(this.initialCards);
    for (const [key, card] of this.cards) if (card.started) cards.set(key, card.urlState());
    this.urlState.write({...this.toolbar.state(), cards});
  }
}

/**
 * Builds the dashboard in document.body. The tags are listed again every few seconds and whenever
 * TensorBoard reloads its data, so cards follow growing runs and new tags get cards.
 */
export async function render() {
  const style = document.createElement('style');
  style.textContent = STYLE;
  document.head.append(style);
  let dashboard = null;
  const theme = followTheme((next) => dashboard?.setTheme(next));
  const root = el('main', 'mesh3d-root');
  const status = el('div', 'mesh3d-status', 'Loading 3D data…');
  const grid = el('div', 'mesh3d-grid');
  root.append(status, grid);
  document.body.append(root);
  showAlerts(root);

  const failed = (message) => {
    status.textContent = message;
    status.classList.add('mesh3d-failed');
  };
  let listing;
  try {
    listing = await fetchTags();
  } catch (error) {
    failed(`Could not list the 3D data: ${error.message}`);
    return;
  }

  const canvas = document.createElement('canvas');
  canvas.id = 'mesh3d-canvas';
  let shared;
  try {
    shared = new SharedRenderer(canvas);
  } catch (error) {
    failed(`WebGL is not available in this browser: ${error.message}`);
    return;
  }
  document.body.append(canvas);

  dashboard = new Dashboard({grid, status, shared, urlState: new UrlState(), theme});
  root.insertBefore(dashboard.toolbar.element, status);
  dashboard.show(listing);
  const poller = new TagPoller(fetchTags, (latest) => dashboard.show(latest));
  poller.start();
  onDataReloaded(() => {
    root.dataset.reloads = String(Number(root.dataset.reloads ?? 0) + 1);
    poller.pollSoon(0);
  });
}
