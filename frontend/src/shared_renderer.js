// One WebGL context for every card: a fixed, click-through canvas over the page, drawn view by view with
// a scissor rectangle (browsers cap WebGL contexts at ~16, a grid of cards would exceed that).
// Frames are drawn on demand, never in a loop.
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
    this.frameRequested = false;
    const request = () => this.requestRender();
    window.addEventListener('scroll', request, {passive: true});
    window.addEventListener('resize', request);
    this.resizeObserver = new ResizeObserver(request);
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

  requestRender() {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.drawAll();
    });
  }

  drawAll() {
    const width = document.documentElement.clientWidth;
    const height = document.documentElement.clientHeight;
    const size = this.renderer.getSize(new THREE.Vector2());
    if (size.x !== width || size.y !== height) this.renderer.setSize(width, height, false);
    const renderer = this.renderer;
    renderer.setScissorTest(false);
    renderer.setClearColor(0x000000, 0);
    renderer.clear();
    renderer.setScissorTest(true);
    const drawn = [];
    for (const view of this.views) {
      const rect = view.element.getBoundingClientRect();
      if (rect.bottom < 0 || rect.top > height || rect.right < 0 || rect.left > width) continue;
      if (rect.width < 1 || rect.height < 1) continue;
      const bottom = height - rect.bottom;
      renderer.setViewport(rect.left, bottom, rect.width, rect.height);
      renderer.setScissor(rect.left, bottom, rect.width, rect.height);
      view.draw(renderer, rect.width, rect.height);
      drawn.push(view);
    }
    for (const view of drawn) view.afterDraw?.();
  }

  /**
   * Draws every view now and copies `element`'s part of the canvas into a new 2D canvas (for saving
   * a card's view as a PNG).
   */
  snapshot(element) {
    this.drawAll();
    const rect = element.getBoundingClientRect();
    const ratio = this.renderer.getPixelRatio();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(rect.width * ratio);
    canvas.height = Math.round(rect.height * ratio);
    canvas.getContext('2d').drawImage(
      this.canvas, rect.left * ratio, rect.top * ratio, canvas.width, canvas.height, 0, 0, canvas.width, canvas.height,
    );
    return canvas;
  }
}
