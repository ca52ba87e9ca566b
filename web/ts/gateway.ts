// The certificate as a gateway shows it to its rules (design 5.7): the selected
// gateway's fields under "What the rule sees", and every gateway side by side in a
// table that is collapsed by default. The engine answers the views in "gateways"
// when a request names a gateway; the page asks for "all" only while the table is open.

import { byId, copyButton, h, replace } from "./dom";

export interface GatewayValue {
  name: string;
  value?: string;
  value_base64?: string; // the bytes are not UTF-8
  source: "tested" | "documented";
  version: string;
}

export interface GatewayView {
  name: string;
  values: GatewayValue[] | null;
  cannot_see: string[] | null;
  notes: string[] | null;
}

export const DEFAULT_GATEWAY = "workato";

/** known lists the gateways the page's selector offers (the engine's gateway.Names). */
export function known(): string[] {
  return [...byId<HTMLSelectElement>("gateway").options].map((o) => o.value);
}

/** selected is the gateway chosen in the selector. */
export function selected(): string {
  return byId<HTMLSelectElement>("gateway").value || DEFAULT_GATEWAY;
}

/** select chooses name, or Workato when the page does not know it. */
export function select(name: string | undefined): void {
  byId<HTMLSelectElement>("gateway").value = name && known().includes(name) ? name : DEFAULT_GATEWAY;
}

/** tableOpen says whether the side-by-side table is shown (and so needs every view). */
export function tableOpen(): boolean {
  return byId<HTMLDetailsElement>("gateway-all").open;
}

/** request is the "gateway" member of a decide or inspect request. */
export function request(): string {
  return tableOpen() ? "all" : selected();
}

function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * escaped writes bytes that are not UTF-8 as printable ASCII, with every other byte
 * (and the backslash) as \xHH, as the CLI's text output does.
 */
export function escaped(b: Uint8Array): string {
  let s = "";
  for (const c of b) s += c >= 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : "\\x" + c.toString(16).toUpperCase().padStart(2, "0");
  return s;
}

/** text is a value as shown and copied: the value, or the escaped form of its bytes. */
export function text(v: GatewayValue): string {
  return v.value ?? escaped(fromBase64(v.value_base64 ?? ""));
}

function valueNodes(v: GatewayValue, what: string): (Node | string)[] {
  const t = text(v);
  const out: (Node | string)[] = [h("code", null, t), copyButton(() => t, what)];
  if (v.value === undefined) {
    const n = fromBase64(v.value_base64 ?? "").length;
    out.push(" ", h("span", { class: "muted binary" }, `(${n} bytes, not UTF-8: shown with \\xHH escapes)`));
  }
  if (v.source === "documented") out.push(" ", h("span", { class: "muted", title: v.version }, "(documented)"));
  return out;
}

function sources(v: GatewayView): string {
  const seen = new Set<string>();
  for (const x of v.values ?? []) seen.add(`${x.source}: ${x.version}`);
  return [...seen].join("; ");
}

/** viewOf picks the view of name from a certificate's views. */
export function viewOf(views: GatewayView[] | null | undefined, name: string): GatewayView | undefined {
  return views?.find((v) => v.name === name);
}

/** render shows the leaf's views: the selected gateway's fields, and the table when open. */
export function render(views: GatewayView[] | null | undefined): void {
  const v = viewOf(views, selected());
  const dl = byId("gateway-fields");
  if (!v) {
    replace(dl);
    replace(byId("gateway-source"));
    replace(byId("gateway-cannot-see"));
    replace(byId("gateway-notes"));
  } else {
    replace(byId("gateway-source"), sources(v));
    replace(
      dl,
      (v.values ?? []).flatMap((x) => [h("dt", null, h("code", null, x.name)), h("dd", { "data-name": x.name, "data-source": x.source, "data-encoding": x.value === undefined ? "base64" : undefined }, ...valueNodes(x, x.name))]),
    );
    replace(
      byId("gateway-cannot-see"),
      (v.cannot_see ?? []).map((s) => h("li", null, s)),
    );
    replace(
      byId("gateway-notes"),
      (v.notes ?? []).map((s) => h("li", null, s)),
    );
  }
  if (tableOpen()) renderTable(views);
}

function renderTable(views: GatewayView[] | null | undefined): void {
  const rows: HTMLElement[] = [];
  for (const v of views ?? []) {
    const cells = (v.values ?? []).map((x) => h("tr", { "data-gateway": v.name, "data-name": x.name }, h("td", null, v.name), h("td", null, h("code", null, x.name)), h("td", null, ...valueNodes(x, `${v.name} ${x.name}`))));
    for (const s of v.cannot_see ?? []) cells.push(h("tr", { "data-gateway": v.name, class: "cannot-see" }, h("td", null, v.name), h("td", { class: "muted" }, "(cannot see)"), h("td", null, s)));
    rows.push(...cells);
  }
  replace(byId("gateway-table").querySelector("tbody")!, rows);
}
