// Markup the pages share.

/** A card: a section labelled by its heading, whose id is `${name}-title`; `attributes` are added to the section
 * (e.g. ` id="level-card"`). */
export function card(name, title, body, attributes = "") {
  return `<section class="card"${attributes} aria-labelledby="${name}-title">
    <h2 id="${name}-title">${title}</h2>
    ${body}
  </section>`;
}

/** Text made safe to put in markup. */
export function escape(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
