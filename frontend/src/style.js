// The dashboard's stylesheet, injected as a <style> element (TensorBoard's CSP allows inline styles).
export const STYLE = `
:root { color-scheme: light; }
body {
  margin: 0;
  font: 13px/1.4 Roboto, -apple-system, "Segoe UI", sans-serif;
  color: #202124;
  background: #fff;
}
#mesh3d-canvas {
  position: fixed;
  inset: 0;
  width: 100%;
  height: 100%;
  pointer-events: none;
  z-index: 1;
}
.mesh3d-root { padding: 16px; }
.mesh3d-status { color: #5f6368; margin: 8px 0 16px; }
.mesh3d-status.mesh3d-failed { color: #b3261e; }
.mesh3d-grid {
  display: grid;
  grid-template-columns: repeat(auto-fill, minmax(400px, 1fr));
  gap: 16px;
}
.mesh3d-card {
  border: 1px solid #dadce0;
  border-radius: 6px;
  padding: 10px 12px 12px;
  min-width: 0;
}
.mesh3d-title { display: flex; gap: 8px; align-items: baseline; overflow-wrap: anywhere; }
.mesh3d-tag { font-weight: 500; }
.mesh3d-run { color: #5f6368; font-size: 12px; }
.mesh3d-description { margin: 4px 0 0; color: #3c4043; white-space: pre-wrap; overflow-wrap: anywhere; }
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
  color: #5f6368;
  font-size: 12px;
}
.mesh3d-error { color: #b3261e; margin: 4px 0; overflow-wrap: anywhere; }
.mesh3d-controls { display: flex; flex-direction: column; gap: 6px; }
.mesh3d-step-control { display: block; }
.mesh3d-step { width: 100%; margin: 0; }
.mesh3d-step-label { color: #3c4043; font-variant-numeric: tabular-nums; }
.mesh3d-options { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
.mesh3d-option { display: inline-flex; gap: 6px; align-items: center; }
.mesh3d-counts { color: #5f6368; margin-left: auto; }
.mesh3d-option[hidden], .mesh3d-options[hidden], .mesh3d-legend[hidden] { display: none; }
.mesh3d-option input[type="number"] { width: 6em; }
.mesh3d-option input[aria-invalid="true"] { outline: 2px solid #b3261e; }
.mesh3d-arrow-factor, .mesh3d-ghost-note { color: #5f6368; font-variant-numeric: tabular-nums; }
.mesh3d-legend { margin: -4px 0 8px; }
.mesh3d-legend-title { color: #3c4043; font-size: 12px; overflow-wrap: anywhere; }
.mesh3d-legend-bar { display: block; width: 100%; height: 12px; border-radius: 2px; }
.mesh3d-legend-bar[hidden], .mesh3d-legend-labels[hidden], .mesh3d-legend-zero[hidden] { display: none; }
.mesh3d-legend-labels {
  position: relative;
  display: flex;
  justify-content: space-between;
  height: 1.4em;
  color: #3c4043;
  font-size: 12px;
  font-variant-numeric: tabular-nums;
}
.mesh3d-legend-zero { position: absolute; transform: translateX(-50%); }
`;
