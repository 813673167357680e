// The alerts banner at the top of the tab: the first NaN or Inf of each traced step (tb_mesh_plugin.trace),
// from the `alerts` route, listed again every few seconds. All of it is text (textContent).
import {el} from './dom.js';
import {TagPoller} from './follow.js';

// The most recent alerts listed; the count says how many there are.
const SHOWN = 5;

const STYLE = `
.mesh3d-alerts { border: 1px solid var(--error); color: var(--error); padding: 6px 10px; margin: 0 0 8px; }
.mesh3d-alerts ul { margin: 4px 0 0; padding-left: 18px; }
.mesh3d-alerts li { overflow-wrap: anywhere; }
`;

/** One line of text per alert: where the first NaN/Inf of its step came from, and the op's inputs. */
export function alertLine({run, step, op, tag, found_in: foundIn, inputs}) {
  return `${run}, step ${step}: NaN/Inf first in the ${foundIn} of ${op} (tag ${tag}); inputs: ${inputs}`;
}

/** The banner's heading and lines for the `alerts` route's list (most recent, by wall time, first). */
export function bannerText(alerts) {
  const recent = [...alerts].sort((a, b) => b.wall_time - a.wall_time).slice(0, SHOWN);
  const heading = `${alerts.length} traced ${alerts.length === 1 ? 'step' : 'steps'} produced NaN or Inf`;
  return {
    heading: alerts.length > SHOWN ? `${heading} (the latest ${SHOWN}):` : `${heading}:`,
    lines: recent.map(alertLine),
  };
}

async function fetchAlerts() {
  const response = await fetch('alerts');
  if (!response.ok) throw new Error(`alerts: ${response.status} ${response.statusText}`);
  return (await response.json()).alerts;
}

/** Puts the alerts banner first in `root` (hidden while there are none) and keeps it up to date. */
export function showAlerts(root) {
  const style = document.createElement('style');
  style.textContent = STYLE;
  document.head.append(style);
  const banner = el('section', 'mesh3d-alerts');
  banner.setAttribute('role', 'alert');
  banner.hidden = true;
  root.prepend(banner);
  const show = (alerts) => {
    banner.hidden = alerts.length === 0;
    const {heading, lines} = bannerText(alerts);
    const list = el('ul');
    list.append(...lines.map((line) => el('li', '', line)));
    banner.replaceChildren(el('strong', '', heading), list);
  };
  const poller = new TagPoller(fetchAlerts, show);
  poller.pollSoon(0);
}
