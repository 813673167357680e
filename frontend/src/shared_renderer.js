// One WebGL context for every card: a fixed, click-through canvas over the page, drawn view by view with
// a scissor rectangle (browsers cap WebGL contexts at ~16, a grid of cards would exceed that).
// Frames are drawn on demand, never in a loop, and only the views that changed are drawn again: the
// drawing buffer is preserved, so orbiting one card does not redraw a grid of 1M-point clouds.
import * as THREE from 'three';

export class SharedRenderer {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    this.renderer = new THREE.WebGLRenderer({canvas, antialias: true, alpha: true, preserveDrawingBuffer: true});
    this.renderer.setPixelRatio(window.devicePixelRatio || 1);
    // Logged colours are shown as logged: no sRGB conversion of vertex colours.
    this.renderer.outputColorSpace = THREE.LinearSRGBColorSpace;
    this.views = new Set();
    this.dirty = new Set(); // views to draw in the next frame
    this.all = false; // the next frame draws every view (scroll, resize)
    this.frameRequested = false;
    const request = () => this.requestRender();
    window.addEventListener('scroll', request, {passive: true});
    window.addEventListener('resize', request);
    this.resizeObserver = new ResizeObserver(request);
    this.resizeObserver.observe(document.body); // content above a view grew or shrank: views moved
    this.drawnAt = new Map(); // view -> the rectangle it was last drawn in
  }

  /** Registers a view: `{element, draw(renderer, width, height), afterDraw()}`. */
  add(view) {
    this.views.add(view);
    this.resizeObserver.observe(view.element);
    this.requestRender();
  }

  remove(view) {
    this.views.delete(view);
    this.resizeObserver.unobserve(view.element);
    this.requestRender();
  }

  /** Asks for a frame that draws `view` again, or every view when none is given. */
  requestRender(view) {
    if (view) this.dirty.add(view);
    else this.all = true;
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.drawAll();
    });
  }

  /** Draws the views asked for (every view after a scroll or resize) and tells each it was drawn. */
  drawAll() {
    const width = document.documentElement.clientWidth;
    const height = document.documentElement.clientHeight;
    const size = this.renderer.getSize(new THREE.Vector2());
    if (size.x !== width || size.y !== height) {
      this.renderer.setSize(width, height, false);
      this.all = true;
    }
    const renderer = this.renderer;
    const rects = new Map([...this.views].map((view) => [view, view.element.getBoundingClientRect()]));
    const moved = (view) => {
      const [a, b] = [rects.get(view), this.drawnAt.get(view)];
      return !b || a.left !== b.left || a.top !== b.top || a.width !== b.width || a.height !== b.height;
    };
    if ([...this.drawnAt.keys()].some((view) => !this.views.has(view) || moved(view))) this.all = true;
    const views = this.all ? this.views : this.dirty;
    if (this.all) {
      renderer.setScissorTest(false);
      renderer.setClearColor(0x000000, 0);
      renderer.clear();
      this.drawnAt.clear();
    }
    renderer.setScissorTest(true);
    this.all = false;
    const drawn = [];
    for (const view of [...views]) {
      if (!this.views.has(view)) continue;
      const rect = rects.get(view);
      if (rect.bottom < 0 || rect.top > height || rect.right < 0 || rect.left > width) continue;
      if (rect.width < 1 || rect.height < 1) continue;
      const bottom = height - rect.bottom;
      renderer.setViewport(rect.left, bottom, rect.width, rect.height);
      renderer.setScissor(rect.left, bottom, rect.width, rect.height);
      view.draw(renderer, rect.width, rect.height);
      this.drawnAt.set(view, rect);
      drawn.push(view);
    }
    this.dirty.clear();
    this.describe();
    for (const view of drawn) view.afterDraw?.();
  }

  /** Notes on the canvas how many views it draws and the GPU buffers and textures it holds (for tests). */
  describe() {
    const {geometries, textures} = this.renderer.info.memory;
    Object.assign(this.canvas.dataset, {views: this.views.size, geometries, textures});
  }

  /**
   * Draws every view now and copies `element`'s part of the canvas into a new 2D canvas (for saving
   * a card's view as a PNG).
   */
  snapshot(element) {
    this.all = true;
    this.drawAll();
    const rect = element.getBoundingClientRect();
    const ratio = this.renderer.getPixelRatio();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(rect.width * ratio);
    canvas.height = Math.round(rect.height * ratio);
    canvas
      .getContext('2d')
      .drawImage(
        this.canvas,
        rect.left * ratio,
        rect.top * ratio,
        canvas.width,
        canvas.height,
        0,
        0,
        canvas.width,
        canvas.height,
      );
    return canvas;
  }
}
