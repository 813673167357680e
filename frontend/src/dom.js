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
