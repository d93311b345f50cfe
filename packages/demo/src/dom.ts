// The demo's DOM helpers, shared by main.ts and the panels.

/** The element with id `id`; a missing one is a bug in index.html, so it throws. */
export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
};

export function setText(id: string, text: string): void {
  $(id).textContent = text;
}

/** Appends a line to the element's text. */
export function log(id: string, line: string): void {
  const el = $(id);
  el.textContent = (el.textContent ? `${el.textContent}\n` : '') + line;
}
