// A scene card's image strip: the run's image summaries (TensorBoard's image plugin) under the scene's
// prefix, at the scene's step (each tag's nearest kept step at or before it), e.g. a render and its
// target beside the 3D state. Images are <img> elements of the `image` route; tags are shown as text.
import {fetchImages, imageUrl} from './api.js';
import {el} from './dom.js';
import {scenePrefix} from './scene_grouping.js';
import {indexAtOrBefore} from './steps.js';

// Images shown per tag and step (a batch may hold more).
export const MAX_IMAGES_PER_TAG = 4;

// One listing of the images per listing of the tags, shared by every scene card.
const imageListings = new WeakMap();

/** The images listing to go with a `tags` listing (fetched once per tags listing; `{runs: {}}` on failure). */
export function imagesFor(listing) {
  if (!imageListings.has(listing)) {
    imageListings.set(
      listing,
      fetchImages().catch((error) => {
        console.warn(`mesh3d: listing the images failed: ${error.message}`);
        return {runs: {}};
      }),
    );
  }
  return imageListings.get(listing);
}

/**
 * The image tags of `run` in an images listing that belong to the scene `prefix` under `grouping`, sorted.
 *
 * @returns {{tag: string, entry: {samples: number, steps: {step: number}[]}}[]}
 */
export function sceneImages(images, run, prefix, grouping) {
  const tags = images.runs?.[run] ?? {};
  return Object.keys(tags)
    .filter((tag) => scenePrefix(tag, grouping) === prefix)
    .sort()
    .map((tag) => ({tag, entry: tags[tag]}));
}

export class ImageStrip {
  /** @param {{run: string, prefix: string}} scene */
  constructor({run, prefix}) {
    this.run = run;
    this.prefix = prefix;
    this.element = el('div', 'mesh3d-images');
    this.element.hidden = true;
    this.images = [];
    this.shown = null; // what the strip holds: JSON of [tag, its step] pairs
    this.shows = 0; // counts show() calls: a newer one replaces an older one
  }

  /** Takes the scene's image tags (sceneImages()). */
  setImages(images) {
    this.images = images;
    this.element.hidden = images.length === 0;
  }

  /**
   * Shows each image tag at its nearest kept step at or before `step`; once all are loaded (or failed),
   * the strip's `data-step` says which step it shows.
   */
  async show(step) {
    const steps = this.images.map(({tag, entry}) => [tag, entry.steps?.[indexAtOrBefore(entry.steps, step)]?.step]);
    const key = JSON.stringify(steps);
    const shown = ++this.shows;
    if (key === this.shown && this.element.dataset.step !== undefined) {
      this.element.dataset.step = String(step); // the same images: nothing to fetch
      return;
    }
    this.shown = key;
    delete this.element.dataset.step;
    const loads = [];
    const figures = this.images.map(({tag, entry}) => {
      const figure = el('figure', 'mesh3d-image');
      figure.dataset.tag = tag;
      const found = indexAtOrBefore(entry.steps || [], step);
      const caption = el('figcaption', 'mesh3d-image-caption', tag.slice(this.prefix.length + 1));
      if (found < 0) {
        caption.textContent += ` · no step at or before ${step}`;
        figure.append(caption);
        return figure;
      }
      const imageStep = entry.steps[found].step;
      caption.textContent += ` · step ${imageStep}`;
      const count = Math.min(Math.max(entry.samples, 1), MAX_IMAGES_PER_TAG);
      for (let index = 0; index < count; index++) {
        const image = el('img', 'mesh3d-image-img');
        image.alt = `${tag}, image ${index} at step ${imageStep}`;
        image.dataset.step = String(imageStep);
        image.src = imageUrl({run: this.run, tag, step: imageStep, index});
        loads.push(image.decode().catch(() => image.classList.add('mesh3d-image-failed')));
        figure.append(image);
      }
      figure.append(caption);
      return figure;
    });
    this.element.replaceChildren(...figures);
    await Promise.all(loads);
    if (shown === this.shows) this.element.dataset.step = String(step);
  }
}
