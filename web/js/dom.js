// Building DOM nodes without innerHTML: text is always inserted as text (no injection), attributes
// are set one by one, listeners with addEventListener (no inline handlers: strict CSP).
//
//   h("p", { class: "fr-text--sm" }, "Bonjour ", h("strong", {}, nom))

/**
 * @param {string} tag
 * @param {Record<string, any>} [attrs] `class`, `dataset` (object), `on` (object of listeners),
 *   booleans (true: present, false/null/undefined: absent), anything else as a string attribute.
 * @param {...any} children strings, numbers, nodes, arrays of them; null/false/undefined are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "on") {
      for (const [type, listener] of Object.entries(value)) node.addEventListener(type, listener);
    } else if (name === "dataset") {
      Object.assign(node.dataset, value);
    } else if (value === true) {
      node.setAttribute(name, "");
    } else {
      node.setAttribute(name, String(value));
    }
  }
  append(node, children);
  return node;
}

/** Appends children (same rules as `h`) to `node`; returns `node`. */
export function append(node, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A document fragment of the children. */
export function fragment(...children) {
  return append(document.createDocumentFragment(), children);
}

let counter = 0;
/** A unique id for labels, descriptions and controls: `uid("aide")` -> "aide-3". */
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** Adds or removes one token of a space-separated attribute (aria-describedby, ...). */
export function toggleToken(node, attribute, token, present) {
  const tokens = new Set((node.getAttribute(attribute) || "").split(/\s+/).filter(Boolean));
  if (present) tokens.add(token);
  else tokens.delete(token);
  if (tokens.size) node.setAttribute(attribute, [...tokens].join(" "));
  else node.removeAttribute(attribute);
}
