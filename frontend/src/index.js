// Entry point: TensorBoard's plugin frame imports this module and calls render().
import {fetchTags} from './api.js';
import {MeshCard} from './card.js';
import {el} from './dom.js';
import {TagPoller} from './follow.js';
import {SharedRenderer} from './shared_renderer.js';
import {STYLE} from './style.js';

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

function countText(entries) {
  const runs = new Set(entries.map((e) => e.run)).size;
  return `${entries.length} ${entries.length === 1 ? 'tag' : 'tags'} in ${runs} ${runs === 1 ? 'run' : 'runs'}`;
}

/**
 * Builds the dashboard in document.body: one card per run and tag. The tags are listed again every few
 * seconds, so cards follow growing runs and new tags get cards.
 */
export async function render() {
  const style = document.createElement('style');
  style.textContent = STYLE;
  document.head.append(style);
  const root = el('main', 'mesh3d-root');
  const status = el('div', 'mesh3d-status', 'Loading 3D data…');
  const grid = el('div', 'mesh3d-grid');
  root.append(status, grid);
  document.body.append(root);

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

  const cards = new Map(); // JSON [run, tag] -> MeshCard
  const show = (latest) => {
    const entries = entriesOf(latest);
    for (const card of cards.values()) card.update(latest);
    const keys = entries.map(({run, tag}) => JSON.stringify([run, tag]));
    const added = entries.filter((_, i) => !cards.has(keys[i]));
    for (const {run, tag} of added) {
      cards.set(JSON.stringify([run, tag]), new MeshCard({run, tag, listing: latest, shared}));
    }
    // Cards stay in run and tag order as new ones arrive (existing ones are not moved otherwise).
    if (added.length) grid.append(...keys.map((key) => cards.get(key).element));
    status.textContent = entries.length
      ? countText(entries)
      : 'No 3D data was found yet. Log meshes or point clouds with tb_mesh_plugin.summary.mesh(...) or ' +
        'summary.point_cloud(...) into this logdir; this page lists them as they arrive.';
  };
  show(listing);
  new TagPoller(fetchTags, show).start();
}
