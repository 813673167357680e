// Light and dark themes following TensorBoard's: its page toggles `dark-mode` on its <body> (from its
// setting, or the browser's preference by default); outside TensorBoard, prefers-color-scheme decides.

/** The 3D views' background colour per theme. */
export const BACKGROUNDS = {light: 0xf3f4f6, dark: 0x202124};

function parentBody() {
  try {
    return window.parent !== window ? window.parent.document.body : null;
  } catch {
    return null; // another origin
  }
}

/** The current theme, "light" or "dark". */
export function currentTheme() {
  const body = parentBody();
  if (body) return body.classList.contains('dark-mode') ? 'dark' : 'light';
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/**
 * Sets `data-theme` on this document's root now and whenever the theme changes, and calls `onChange`.
 *
 * @param {(theme: string) => void} onChange
 */
export function followTheme(onChange) {
  let theme = null;
  const update = () => {
    const next = currentTheme();
    if (next === theme) return;
    theme = next;
    document.documentElement.dataset.theme = theme;
    onChange(theme);
  };
  update();
  const body = parentBody();
  if (body) new MutationObserver(update).observe(body, {attributes: true, attributeFilter: ['class']});
  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', update);
  return () => theme;
}
