// The certificate as a gateway shows it to its rules (design 5.7): the selected
// gateway's fields under "What the rule sees", and every gateway side by side in a
// table that is collapsed by default, one column per gateway. The engine answers the
// views in "gateways" and the trust verdicts in "gateway_trust" when a request names
// a gateway; the page asks for "all" only while the table is open.

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

/** A gateway's trust verdict on the chain beside crypto/x509's (decide's gateway_trust). */
export interface GatewayTrust {
  name: string;
  ok: boolean;
  differs: boolean;
  behaviour?: string;
  error?: string;
  reason?: string;
  option?: string;
  source: "tested" | "documented";
  version: string;
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

// valueNodes is a value with its copy button, said not to be UTF-8 where it is not,
// and "(documented)" unless sourceShown (the table's column head says it already).
function valueNodes(v: GatewayValue, what: string, sourceShown = false): (Node | string)[] {
  const t = text(v);
  const out: (Node | string)[] = [h("code", null, t), copyButton(() => t, what)];
  if (v.value === undefined) {
    const n = fromBase64(v.value_base64 ?? "").length;
    out.push(" ", h("span", { class: "muted binary" }, `(${n} bytes, not UTF-8: shown with \\xHH escapes)`));
  }
  if (v.source === "documented" && !sourceShown) out.push(" ", h("span", { class: "muted", title: v.version }, "(documented)"));
  return out;
}

function sources(v: GatewayView): string {
  const seen = new Set<string>();
  for (const x of v.values ?? []) seen.add(`${x.source}: ${x.version}`);
  return [...seen].join("; ");
}

/** label is a gateway as the selector spells it (HAProxy, Caddy, …). */
function label(name: string): string {
  const o = [...byId<HTMLSelectElement>("gateway").options].find((o) => o.value === name);
  return o?.textContent ?? name;
}

/** viewOf picks the view of name from a certificate's views. */
export function viewOf(views: GatewayView[] | null | undefined, name: string): GatewayView | undefined {
  return views?.find((v) => v.name === name);
}

/**
 * render shows the leaf's views and the trust verdicts: the selected gateway's
 * fields, its trust verdict where it differs from the playground's, and the table
 * when open. trust is undefined when no decision was made (the inputs were wrong).
 */
export function render(views: GatewayView[] | null | undefined, trust?: GatewayTrust[] | null): void {
  const name = selected();
  // Drawn again only when something it shows changed (a keystroke in the rule changes none of it).
  const key = JSON.stringify([views, trust === undefined ? "none" : trust, name, tableOpen()]);
  if (key === drawnKey) return;
  drawnKey = key;
  const v = viewOf(views, name);
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
    const blind = v.cannot_see ?? [];
    replace(byId("gateway-cannot-see"), blind.length ? blind.map((s) => h("li", null, s)) : h("li", { class: "muted", "data-none": "true" }, `nothing that mtlsplay knows of for ${label(name)}`));
    replace(
      byId("gateway-notes"),
      (v.notes ?? []).map((s) => h("li", null, s)),
    );
  }
  renderTrust(trust?.find((t) => t.name === name));
  if (tableOpen()) renderTable(views, trust);
}

// What render last drew, as its inputs' JSON.
let drawnKey = "";

/** trustSentence says what a gateway whose verdict differs would do with the chain. */
function trustSentence(t: GatewayTrust): string {
  const g = label(t.name);
  return t.ok ? `${g} would accept this chain, which the playground (Go's crypto/x509) refuses` : `${g} would refuse this chain, which the playground (Go's crypto/x509) trusts`;
}

/** hideTrust hides the selected gateway's trust line (no decision to compare with). */
export function hideTrust(): void {
  drawnKey = "";
  renderTrust(undefined);
}

/**
 * renderTrust shows, in the verdict pane, what the selected gateway would do with
 * the chain when that is not what the playground did, and why; hidden otherwise.
 */
function renderTrust(t: GatewayTrust | undefined): void {
  const el = byId("gateway-trust");
  if (!t || !t.differs) {
    el.hidden = true;
    replace(el);
    for (const k of ["gateway", "behaviour", "ok"]) delete el.dataset[k];
    return;
  }
  el.dataset.gateway = t.name;
  el.dataset.behaviour = t.behaviour ?? "";
  el.dataset.ok = String(t.ok);
  replace(
    el,
    h("strong", null, trustSentence(t)),
    t.behaviour ? [" (", h("code", null, t.behaviour), ")"] : null,
    t.reason ? [": ", t.reason, "."] : ".",
    t.error ? [" ", label(t.name), "'s error: ", h("code", null, t.error), "."] : null,
    t.option ? [" What changes it: ", t.option, "."] : null,
    h("span", { class: "muted" }, ` (${t.source}: ${t.version})`),
  );
  el.hidden = false;
}

// The table's rows: what a field is about, told from its name as each gateway's
// config spells it. A name no row claims goes to "Other", so every field is shown.
type Row = "subject" | "issuer" | "san" | "serial" | "fingerprint" | "validity" | "certificate" | "other";
const ROWS: [Row, string][] = [
  ["subject", "Subject"],
  ["issuer", "Issuer"],
  ["san", "Subject alternative names"],
  ["serial", "Serial number"],
  ["fingerprint", "Fingerprint"],
  ["validity", "Validity"],
  ["certificate", "Certificate"],
  ["other", "Other"],
];

/** tokens splits a variable's name into lower-case words: ssl_c_s_dn(CN) is ssl c s dn cn. */
function tokens(name: string): Set<string> {
  return new Set(
    name
      .replace(/([a-z])([A-Z])/g, "$1 $2")
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean),
  );
}

/** rowOf files a variable under the row its name says it is about. */
export function rowOf(name: string): Row {
  const t = tokens(name);
  const any = (...ws: string[]) => ws.some((w) => t.has(w));
  if (any("info")) return "other"; // Traefik's info header holds every field at once
  if (any("san", "alt", "dns", "uri", "uris", "email", "emails", "ip", "ips")) return "san";
  if (any("issuer") || (t.has("i") && t.has("dn"))) return "issuer";
  if (any("subject", "dn", "cn")) return "subject";
  if (any("serial")) return "serial";
  if (any("fingerprint", "sha1", "sha256", "hash", "digest", "thumbprint")) return "fingerprint";
  if (any("start", "end", "before", "after", "validity", "nb", "na")) return "validity";
  if (any("pem", "escaped", "certificate", "cert")) return "certificate";
  return "other";
}

/** trustCell is a gateway's trust verdict in the table, or why there is none. */
function trustCell(name: string, trust: GatewayTrust[] | null | undefined): (Node | string)[] {
  if (trust === undefined || trust === null) return [h("span", { class: "muted" }, "no decision")];
  const t = trust.find((x) => x.name === name);
  if (!t) return [trust.length ? h("span", { class: "muted", title: `mtlsplay does not model how ${label(name)} verifies a chain` }, "not modelled") : h("span", { class: "muted" }, "no chain was verified")];
  const out: (Node | string)[] = [h("span", { class: t.ok ? "val-true" : "val-false" }, t.ok ? "accepts" : "refuses")];
  if (!t.differs) out.push(", as the playground does");
  else {
    out.push(", unlike the playground: ", h("code", null, t.behaviour ?? ""));
    out.push(h("details", { class: "why" }, h("summary", null, "why"), t.reason ? `${t.reason}.` : "", t.error ? [" Error: ", h("code", null, t.error), "."] : null, t.option ? ` What changes it: ${t.option}.` : ""));
  }
  out.push(h("span", { class: "muted version" }, `${t.source}: ${t.version}`));
  return out;
}

function renderTable(views: GatewayView[] | null | undefined, trust: GatewayTrust[] | null | undefined): void {
  const vs = views ?? [];
  const table = byId("gateway-table");
  replace(table.querySelector("thead")!, h("tr", null, h("th", { scope: "col" }, "Field"), vs.map((v) => h("th", { scope: "col", "data-gateway": v.name }, label(v.name), h("span", { class: "muted source" }, [...new Set((v.values ?? []).map((x) => x.source))].join(", "))))));
  // Which gateways trust the chain comes first: it is the line that decides.
  const rows: HTMLElement[] = [h("tr", { "data-row": "trust" }, h("th", { scope: "row" }, "Trusts the chain"), vs.map((v) => h("td", { "data-gateway": v.name }, ...trustCell(v.name, trust))))];
  const single = vs.map((v) => new Set((v.values ?? []).map((x) => x.source)).size <= 1);
  for (const [row, title] of ROWS) {
    const cells = vs.map((v) => (v.values ?? []).filter((x) => rowOf(x.name) === row));
    if (cells.every((c) => c.length === 0)) continue;
    rows.push(
      h(
        "tr",
        { "data-row": row },
        h("th", { scope: "row" }, title),
        vs.map((v, i) =>
          h(
            "td",
            { "data-gateway": v.name },
            cells[i].length ? cells[i].map((x) => h("div", { class: "gw-value", "data-gateway": v.name, "data-name": x.name }, h("code", { class: "gw-name" }, x.name), " ", ...valueNodes(x, `${label(v.name)} ${x.name}`, single[i]))) : h("span", { class: "muted" }, "—"),
          ),
        ),
      ),
    );
  }
  rows.push(
    h(
      "tr",
      { "data-row": "cannot_see", class: "cannot-see" },
      h("th", { scope: "row" }, "Cannot see"),
      vs.map((v) => h("td", { "data-gateway": v.name }, (v.cannot_see ?? []).length ? h("ul", null, (v.cannot_see ?? []).map((s) => h("li", null, s))) : h("span", { class: "muted" }, "—"))),
    ),
  );
  replace(table.querySelector("tbody")!, rows);
}
