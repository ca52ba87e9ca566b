// A certificate pasted as the header a proxy forwards (design 2.7): which format the
// engine read and from which header, what it left unread, and the header's own
// fields beside what the certificate holds, a mismatch marked. The engine makes the
// comparisons ("header" of inspect and decide); the page only shows them.

import { byId, copyButton, h, replace } from "./dom";

export interface HeaderField {
  name: string;
  value: string;
  compared?: string; // what of the certificate the value was compared with
  matches?: boolean;
  certificate?: string; // the certificate's value, as the header's writer writes it
  detail?: string;
}

export interface HeaderView {
  format: string;
  name?: string; // the header's name as pasted; absent for a value alone
  fields: HeaderField[] | null;
  notes: string[] | null;
}

function fieldRow(f: HeaderField): HTMLElement {
  const state = f.matches === undefined ? "" : String(f.matches);
  const mark = f.matches === undefined ? h("span", { class: "muted" }, "not compared") : f.matches ? h("span", { class: "check ok" }, "✓ matches") : h("strong", { class: "check bad" }, "✗ differs");
  return h(
    "tr",
    { "data-name": f.name, "data-match": state, class: f.matches === false ? "mismatch" : undefined },
    h("th", { scope: "row" }, h("code", null, f.name)),
    h("td", { class: "header-value" }, h("code", null, f.value), copyButton(() => f.value, `the header's ${f.name}`)),
    h("td", { class: "cert-value" }, f.certificate !== undefined ? [h("code", null, f.certificate), copyButton(() => f.certificate ?? "", `the certificate's ${f.compared ?? f.name}`)] : f.compared ? h("span", { class: "muted" }, "(none)") : h("span", { class: "muted" }, "—")),
    h("td", { title: f.detail ?? "" }, mark, f.compared ? h("span", { class: "muted compared" }, ` (${f.compared})`) : null),
  );
}

// What render last drew, as its input's JSON ("" before the first render).
let drawnKey = "";

/** render shows the header the certificate box was read from, or hides the block. */
export function render(hv: HeaderView | null | undefined): void {
  // Drawn again only when the header read changed (a keystroke in the rule changes nothing here).
  const key = JSON.stringify(hv ?? null);
  if (key === drawnKey) return;
  drawnKey = key;
  const box = byId("header-read");
  if (!hv) {
    box.hidden = true;
    delete box.dataset.format;
    replace(byId("header-format"));
    replace(byId("header-notes"));
    replace(byId("header-fields").querySelector("tbody")!);
    return;
  }
  box.dataset.format = hv.format;
  box.dataset.name = hv.name ?? "";
  replace(byId("header-format"), ...(hv.name ? ["Read from the ", h("strong", null, hv.format), " header ", h("code", null, hv.name), "."] : ["Read as a header value pasted alone, in the ", h("strong", null, hv.format), " format."]));
  replace(
    byId("header-notes"),
    (hv.notes ?? []).map((n) => h("li", null, n)),
  );
  const fields = hv.fields ?? [];
  byId("header-fields").hidden = fields.length === 0;
  replace(byId("header-fields").querySelector("tbody")!, fields.map(fieldRow));
  const bad = fields.filter((f) => f.matches === false).length;
  replace(byId("header-summary"), fields.length === 0 ? "The header carries no other fields." : bad ? h("strong", { class: "bad" }, `${bad} of the header's fields differ from the certificate it carries.`) : "");
  box.hidden = false;
}
