// Entry point: TensorBoard's plugin frame imports this module and calls render().
import {fetchTags} from './api.js';
import {MeshCard} from './card.js';
import {el} from './dom.js';
import {SharedRenderer} from './shared_renderer.js';
import {STYLE} from './style.js';

function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Builds the dashboard in document.body: one card per run and tag. */
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
  const entries = [];
  for (const [run, tags] of Object.entries(listing.runs || {})) {
    for (const tag of Object.keys(tags)) entries.push({run, tag});
  }
  entries.sort((a, b) => compare(a.run, b.run) || compare(a.tag, b.tag));
  if (entries.length === 0) {
    status.textContent =
      'No 3D data was found. Log meshes or point clouds with tb_mesh_plugin.summary.mesh(...) or ' +
      'summary.point_cloud(...) into this logdir.';
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
  const runs = new Set(entries.map((e) => e.run)).size;
  status.textContent = `${entries.length} ${entries.length === 1 ? 'tag' : 'tags'} in ${runs} ${runs === 1 ? 'run' : 'runs'}`;
  for (const {run, tag} of entries) {
    grid.append(new MeshCard({run, tag, listing, shared}).element);
  }
}
