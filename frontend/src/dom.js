// Small DOM helpers. Text always goes through textContent: run names, tags and descriptions are user data.

/** Creates `<tag class=className>` holding `text` as text. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A labelled form control: `<label class=className>text <input ...attributes></label>`; returns both. */
export function labelled(text, className, attributes) {
  const label = el('label', className, text);
  const input = document.createElement('input');
  for (const [name, value] of Object.entries(attributes)) input.setAttribute(name, String(value));
  label.append(input);
  return {label, input};
}

/**
 * A labelled `<select class=className>` inside `<label class="mesh3d-option">`.
 *
 * @param {string} text the label.
 * @param {string} className
 * @param {[string, string][]} options `[value, text]` pairs; the text is shown as text.
 * @returns {{label: HTMLLabelElement, input: HTMLSelectElement}}
 */
export function select(text, className, options) {
  const label = el('label', 'mesh3d-option', text);
  const input = el('select', className);
  for (const [value, optionText] of options) input.append(option(value, optionText));
  label.append(input);
  return {label, input};
}

/** An `<option value=value>` showing `text` as text. */
export function option(value, text) {
  const node = el('option', undefined, text);
  node.value = value;
  return node;
}
