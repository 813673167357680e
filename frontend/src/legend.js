// The colour bar of a card's attribute colouring: the colormap drawn left to right, with the values at
// its ends and at zero as text (textContent: attribute names are user data).
import {TABLE_SIZE, colormapTable} from './colormap.js';
import {el} from './dom.js';
import {formatValue} from './range.js';

export class Legend {
  constructor() {
    this.element = el('div', 'mesh3d-legend');
    this.element.hidden = true;
    this.title = el('div', 'mesh3d-legend-title');
    this.bar = document.createElement('canvas');
    this.bar.className = 'mesh3d-legend-bar';
    this.bar.width = TABLE_SIZE;
    this.bar.height = 1;
    this.colormap = null;
    this.labels = el('div', 'mesh3d-legend-labels');
    this.low = el('span', 'mesh3d-legend-min');
    this.zero = el('span', 'mesh3d-legend-zero', '0');
    this.high = el('span', 'mesh3d-legend-max');
    this.labels.append(this.low, this.zero, this.high);
    this.element.append(this.title, this.bar, this.labels);
  }

  /**
   * Shows the bar of `colormap` from `low` to `high`, titled `title`.
   *
   * @param {{title: string, colormap: string, low: number, high: number}} options
   */
  show({title, colormap, low, high}) {
    this.element.hidden = false;
    this.bar.hidden = this.labels.hidden = false;
    this.title.textContent = title;
    if (colormap !== this.colormap) {
      const context = this.bar.getContext('2d');
      context.putImageData(new ImageData(new Uint8ClampedArray(colormapTable(colormap)), TABLE_SIZE, 1), 0, 0);
      this.colormap = colormap;
    }
    this.low.textContent = formatValue(low);
    this.high.textContent = formatValue(high);
    const inside = low < 0 && high > 0;
    this.zero.hidden = !inside;
    if (inside) this.zero.style.left = `${(100 * -low) / (high - low)}%`;
  }

  /** Shows `text` instead of a colour bar. */
  showMessage(text) {
    this.element.hidden = false;
    this.bar.hidden = this.labels.hidden = true;
    this.title.textContent = text;
  }

  hide() {
    this.element.hidden = true;
  }
}
