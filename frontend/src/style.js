// The dashboard's stylesheet, injected as a <style> element (TensorBoard's CSP allows inline styles).
// Colours are variables: [data-theme="dark"] on the root (theme.js) switches them.
export const STYLE = `
:root {
  color-scheme: light;
  --text: #202124; --muted: #5f6368; --soft: #3c4043; --border: #dadce0; --page: #fff;
  --error: #b3261e; --panel: #fff; --note: #8a5a00;
}
:root[data-theme="dark"] {
  color-scheme: dark;
  --text: #e8eaed; --muted: #9aa0a6; --soft: #bdc1c6; --border: #3c4043; --page: #303030;
  --error: #f28b82; --panel: #202124; --note: #fdd663;
}
body {
  margin: 0;
  font: 13px/1.4 Roboto, -apple-system, "Segoe UI", sans-serif;
  color: var(--text);
  background: var(--page);
}
.mesh3d-toolbar { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; margin-bottom: 8px; }
.mesh3d-filter { width: 18em; }
.mesh3d-filter[aria-invalid="true"] { outline: 2px solid var(--error); }
.mesh3d-filter-error { color: var(--error); }
.mesh3d-filter-error:empty { display: none; }
.mesh3d-runs { position: relative; }
.mesh3d-runs-summary { cursor: pointer; }
.mesh3d-run-list {
  position: absolute; z-index: 3; max-height: 320px; overflow: auto; min-width: 200px; padding: 6px 10px;
  background: var(--panel); border: 1px solid var(--border); border-radius: 4px;
}
.mesh3d-run { display: flex; gap: 6px; align-items: center; overflow-wrap: anywhere; }
.mesh3d-source { color: var(--muted); font-size: 11px; border: 1px solid var(--border); border-radius: 3px; padding: 0 4px; }
.mesh3d-sampling { margin: 4px 0 0; color: var(--note); font-size: 12px; }
.mesh3d-sampling[hidden], .mesh3d-card[hidden] { display: none; }
.mesh3d-tooltip {
  position: absolute; z-index: 2; pointer-events: none; max-width: 80%;
  padding: 4px 6px; border-radius: 4px; font-size: 12px; overflow-wrap: anywhere;
  background: var(--panel); color: var(--text); border: 1px solid var(--border); opacity: 0.95;
}
.mesh3d-tooltip.mesh3d-pinned { border-color: var(--text); }
.mesh3d-tooltip[hidden] { display: none; }
.mesh3d-tooltip-table th { text-align: left; font-weight: 500; padding-right: 8px; color: var(--muted); }
.mesh3d-tooltip-table td { font-variant-numeric: tabular-nums; }
#mesh3d-canvas {
  position: fixed;
  inset: 0;
  width: 100%;
  height: 100%;
  pointer-events: none;
  z-index: 1;
}
.mesh3d-root { padding: 16px; }
.mesh3d-status { color: var(--muted); margin: 8px 0 16px; }
.mesh3d-status.mesh3d-failed { color: var(--error); }
.mesh3d-grid {
  display: grid;
  grid-template-columns: repeat(auto-fill, minmax(400px, 1fr));
  gap: 16px;
}
.mesh3d-card {
  border: 1px solid var(--border);
  border-radius: 6px;
  padding: 10px 12px 12px;
  min-width: 0;
}
.mesh3d-title { display: flex; gap: 8px; align-items: baseline; overflow-wrap: anywhere; }
.mesh3d-tag { font-weight: 500; }
.mesh3d-run { color: var(--muted); font-size: 12px; }
.mesh3d-description { margin: 4px 0 0; color: var(--soft); white-space: pre-wrap; overflow-wrap: anywhere; }
.mesh3d-view {
  position: relative;
  height: 360px;
  margin: 8px 0;
  border-radius: 4px;
  outline: none;
  touch-action: none;
  cursor: grab;
}
.mesh3d-card[data-state="loading"] .mesh3d-view::after {
  content: "loading…";
  position: absolute;
  right: 8px;
  top: 6px;
  z-index: 2;
  color: var(--muted);
  font-size: 12px;
}
.mesh3d-error { color: var(--error); margin: 4px 0; overflow-wrap: anywhere; }
.mesh3d-controls { display: flex; flex-direction: column; gap: 6px; }
.mesh3d-step-control { display: block; }
.mesh3d-step { width: 100%; margin: 0; }
.mesh3d-step-label { color: var(--soft); font-variant-numeric: tabular-nums; }
.mesh3d-options { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
.mesh3d-option { display: inline-flex; gap: 6px; align-items: center; }
.mesh3d-counts { color: var(--muted); margin-left: auto; }
.mesh3d-option[hidden], .mesh3d-options[hidden], .mesh3d-legend[hidden] { display: none; }
.mesh3d-option input[type="number"] { width: 6em; }
.mesh3d-option input[aria-invalid="true"] { outline: 2px solid var(--error); }
.mesh3d-arrow-factor, .mesh3d-ghost-note { color: var(--muted); font-variant-numeric: tabular-nums; }
.mesh3d-legend { margin: -4px 0 8px; }
.mesh3d-legend-title { color: var(--soft); font-size: 12px; overflow-wrap: anywhere; }
.mesh3d-legend-bar { display: block; width: 100%; height: 12px; border-radius: 2px; }
.mesh3d-legend-bar[hidden], .mesh3d-legend-labels[hidden], .mesh3d-legend-zero[hidden] { display: none; }
.mesh3d-legend-labels {
  position: relative;
  display: flex;
  justify-content: space-between;
  height: 1.4em;
  color: var(--soft);
  font-size: 12px;
  font-variant-numeric: tabular-nums;
}
.mesh3d-legend-zero { position: absolute; transform: translateX(-50%); }
.mesh3d-scene { grid-column: 1 / -1; }
.mesh3d-scene-body { display: flex; gap: 10px; align-items: flex-start; }
.mesh3d-scene-body .mesh3d-view { flex: 1 1 auto; min-width: 0; }
.mesh3d-images { display: flex; flex-wrap: wrap; gap: 8px; max-width: 40%; margin: 8px 0; align-content: flex-start; }
.mesh3d-images[hidden] { display: none; }
.mesh3d-image { margin: 0; display: flex; flex-direction: column; gap: 2px; }
.mesh3d-image-img { width: 128px; height: auto; image-rendering: pixelated; border: 1px solid var(--border); }
.mesh3d-image-failed { outline: 2px solid var(--error); }
.mesh3d-image-caption { font-size: 12px; color: var(--muted); overflow-wrap: anywhere; }
.mesh3d-layers { display: flex; flex-direction: column; gap: 2px; margin-bottom: 6px; }
.mesh3d-layer { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
.mesh3d-layer-name { font-weight: 500; overflow-wrap: anywhere; }
.mesh3d-layer-note { color: var(--note); font-size: 12px; }
.mesh3d-layer .mesh3d-legend { flex: 0 0 100%; max-width: 480px; margin: 0 0 4px; }
`;
