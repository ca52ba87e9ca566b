// Rendering of the verdict, the explanation and the parsed certificate fields.
// Certificate-derived text only ever reaches the DOM as text nodes.

import { byId, copyButton, h, markRanges, replace } from "./dom";
import type { BundleView, Certificate, DecideResponse, EngineError, Finding, NearMiss, RuleNode, RuleResult } from "./types";

const DAY = 86_400_000;

// --- incremental rendering ------------------------------------------------------------------
// A keystroke in the rule changes the verdict and the explanation; the certificate's
// fields, its chains and findings, the gateway's view stay as they were. Each part is
// drawn again only when what it shows changed: drawn keeps, per element, the key of
// what it shows (its inputs, as JSON), and a part whose key is unchanged is left alone,
// its DOM nodes (and their focus, selection and hover) kept. Whatever else writes into
// such an element forgets its key first.

const drawn = new WeakMap<Element, string>();

/** unchanged says whether el already shows what key describes, and records key. */
function unchanged(el: Element, key: string): boolean {
  if (drawn.get(el) === key) return true;
  drawn.set(el, key);
  return false;
}

/** forget makes the next render of el draw it whatever its key. */
function forget(...els: Element[]): void {
  for (const el of els) drawn.delete(el);
}

/** setText writes text only when it differs: an equal write still costs a relayout. */
function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/**
 * reconcile makes nodes the children of parent, in order, moving or removing only
 * what differs: nodes already in place stay untouched.
 */
function reconcile(parent: Element, nodes: Node[]): void {
  let cur = parent.firstChild;
  for (const n of nodes) {
    if (cur === n) {
      cur = cur.nextSibling;
      continue;
    }
    parent.insertBefore(n, cur);
  }
  while (cur) {
    const next = cur.nextSibling;
    parent.removeChild(cur);
    cur = next;
  }
}

/** formatValue shows a value the engine rendered in CEL syntax (or a JSON value). */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null || v === "") return "—";
  const s = typeof v === "string" ? v : (JSON.stringify(v) ?? String(v));
  return s.length > 240 ? s.slice(0, 239) + "…" : s;
}

function valueClass(v: unknown, err?: string): string {
  if (err) return "val val-error";
  if (v === true || v === "true") return "val val-true";
  if (v === false || v === "false") return "val val-false";
  return "val";
}

// --- the verdict -----------------------------------------------------------------------

export type VerdictValue = "true" | "false" | "error";

/** verdictValue is data-value of the verdict: the rule's outcome as the decision saw it. */
export function verdictValue(res: DecideResponse): VerdictValue {
  if (res.code === 0) return "true";
  if (res.code === 4019 && res.rule?.error) return "error";
  return "false";
}

/** The decision codes, with what each says (the Cases pane offers them as expectations). */
export const CODE_NAMES: Record<number, string> = {
  0: "accepted",
  4016: "no truststore bundle",
  4017: "no client certificate",
  4018: "invalid client certificate",
  4019: "failed the rule",
  4020: "client not configured",
};

export function renderVerdict(res: DecideResponse): void {
  const v = verdictValue(res);
  const verdict = byId("verdict");
  if (verdict.dataset.value !== v) verdict.dataset.value = v;
  setText(byId("verdict-badge"), v === "true" ? "Accepted" : v === "error" ? "Error" : "Rejected");
  const code = byId("decision-code");
  if (code.dataset.code !== String(res.code)) code.dataset.code = String(res.code);
  setText(code, String(res.code));
  setText(byId("code-name"), CODE_NAMES[res.code] ?? "");
  // The reason quotes names (a DN in a verification failure): through replace, so a
  // character that reorders text is marked and isolated as it is in the fields.
  const reason = byId("reason");
  if (!unchanged(reason, res.reason)) replace(reason, res.reason);

  const rule = byId("rule-value");
  if (unchanged(rule, JSON.stringify([res.rule?.value, res.rule?.error, !!res.rule, (res.steps ?? []).some((s) => s.check === "rule")]))) {
    // the same sentence
  } else if (res.rule) {
    replace(rule, "The rule evaluated to ", h("span", { class: valueClass(res.rule.value, res.rule.error) }, res.rule.error ? `error: ${res.rule.error}` : String(res.rule.value)), ".");
  } else {
    const ran = (res.steps ?? []).some((s) => s.check === "rule");
    replace(rule, ran ? "No rule: every trusted certificate is accepted." : "The rule was not evaluated: the decision was reached before it.");
  }
  renderNearMisses(res.rule?.near_misses);
  // The failing step's detail is, as the engine words it, the end of the reason: it is
  // said once, in the reason, and the step points there.
  const steps = byId("steps");
  if (unchanged(steps, JSON.stringify([res.steps, res.reason]))) return hideError();
  replace(
    steps,
    (res.steps ?? []).map((s) => {
      const said = !s.ok && s.detail !== "" && res.reason.endsWith(s.detail);
      return h("li", { class: s.ok ? "ok" : "bad", "data-check": s.check }, h("span", { class: "mark", "aria-label": s.ok ? "passed" : "failed" }, s.ok ? "✓" : "✗"), " ", h("strong", null, s.check), ": ", said ? h("span", { class: "muted" }, "failed: the reason above") : s.detail);
    }),
  );
  hideError();
}

// renderNearMisses shows, for a rule that did not hold, each literal it compared
// beside the closest value the certificate has, the differing characters marked
// (a caret where characters are missing).
const spans = (rs: { start: number; end: number }[] | null): [number, number][] => (rs ?? []).map((r) => [r.start, r.end]);

function renderNearMisses(misses: NearMiss[] | null | undefined): void {
  const list = byId("near-misses");
  const ms = misses ?? [];
  if (unchanged(list, JSON.stringify(ms))) return;
  list.hidden = ms.length === 0;
  replace(
    list,
    ms.map((m) =>
      h(
        "li",
        { class: "near-miss", "data-of": m.of },
        h("p", null, m.message),
        h("p", { class: "near-miss-diff" }, h("span", { class: "muted" }, "rule: "), h("code", null, markRanges(m.literal, spans(m.literal_diff)))),
        h("p", { class: "near-miss-diff" }, h("span", { class: "muted" }, `${m.of}: `), h("code", null, markRanges(m.value, spans(m.value_diff)))),
      ),
    ),
  );
}

// What the verdict says when the engine names the input its error is about.
const UNREAD: Record<string, string> = {
  rule: "The rule does not compile; see the error below.",
  certificate: "The certificate could not be read; see the error below.",
  bundle: "A truststore bundle could not be read; see the error below.",
};

export function renderEngineError(e: EngineError): void {
  forget(byId("reason"), byId("rule-value"), byId("steps"), byId("near-misses"));
  byId("near-misses").hidden = true;
  const verdict = byId("verdict");
  verdict.dataset.value = "error";
  byId("verdict-badge").textContent = "Error";
  const code = byId("decision-code");
  code.dataset.code = "";
  code.textContent = "—";
  byId("code-name").textContent = "no decision";
  byId("reason").textContent = UNREAD[e.input ?? ""] ?? "The inputs could not be evaluated; see the error below.";
  replace(byId("rule-value"));
  replace(byId("steps"));
  showError(errorText(e));
}

export function errorText(e: EngineError): string {
  if (e.line && e.column && !e.message.includes(`${e.line}:${e.column}`)) return `rule:${e.line}:${e.column}: ${e.message}`;
  return e.message;
}

export function showError(text: string): void {
  const el = byId("error");
  replace(el, text);
  el.hidden = false;
}

export function hideError(): void {
  const el = byId("error");
  el.textContent = "";
  el.hidden = true;
}

// --- the explanation: every sub-expression's value against the rule text ---------------

const LITERAL = /^(?:-?\d[\d.eEuUxX+-]*|true|false|null|[rRbB]{0,2}("""[\s\S]*"""|'''[\s\S]*'''|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'))$/;

export interface ExplainRow {
  node: RuleNode;
  depth: number;
}

/** explainRows orders the nodes as the rule reads (outermost first) and drops bare literals. */
export function explainRows(nodes: RuleNode[]): ExplainRow[] {
  const sorted = [...nodes].sort((a, b) => a.start - b.start || b.end - a.end || a.id - b.id);
  const kept: RuleNode[] = [];
  const seen = new Set<string>();
  for (const n of sorted) {
    const key = `${n.start}:${n.end}`;
    const literal = n.kind ? n.kind === "literal" : LITERAL.test(n.text.trim());
    if (!literal && !seen.has(key)) {
      seen.add(key);
      kept.push(n);
    }
  }
  // Depth counts only the rows that are shown.
  const shown: ExplainRow[] = [];
  const open: RuleNode[] = [];
  for (const n of kept) {
    while (open.length && !(n.start >= open[open.length - 1].start && n.end <= open[open.length - 1].end)) open.pop();
    shown.push({ node: n, depth: open.length });
    open.push(n);
  }
  return shown;
}

// The deepest indentation the explanation draws (app.css: li[data-depth]); an
// attribute, not a style, so that the HTML of the first paint can carry it (the CSP
// allows no inline style).
const MAX_DEPTH = 12;

// The explanation's rows are kept across renders: a row whose node reads the same
// (text, value, type, depth) is the same element, and rowNode gives its listeners the
// latest node, explainFocus the latest callback.
const rowKey = new WeakMap<Element, string>();
const rowNode = new WeakMap<Element, RuleNode>();
let explainFocus: (n: RuleNode | null) => void = () => {};

function explainRow(node: RuleNode, depth: number): HTMLElement {
  const notEvaluated = node.error === "not evaluated";
  const li = h(
    "li",
    { tabindex: "0", "data-start": String(node.start), "data-end": String(node.end), class: notEvaluated ? "skipped" : undefined, "data-depth": String(Math.min(depth, MAX_DEPTH)) },
    h("code", { class: "expr" }, node.text),
    h("span", { class: "arrow", "aria-hidden": "true" }, " → "),
    node.iterations?.length
      ? h("span", { class: "iters", "aria-label": "value for each element" }, node.iterations.map((it, i) => h("span", { class: valueClass(it.value, it.error), title: `element ${i}${it.error ? ": " + it.error : ""}` }, it.error ? "error" : formatValue(it.value))))
      : h("span", { class: notEvaluated ? "val muted" : valueClass(node.value, node.error) }, notEvaluated ? "not evaluated" : node.error ? `error: ${node.error}` : formatValue(node.value)),
    node.type ? h("span", { class: "type" }, node.type) : null,
  );
  const on = () => explainFocus(rowNode.get(li) ?? null);
  const off = () => explainFocus(null);
  li.addEventListener("mouseenter", on);
  li.addEventListener("focus", on);
  li.addEventListener("mouseleave", off);
  li.addEventListener("blur", off);
  return li;
}

export function renderExplain(nodes: RuleNode[] | null | undefined, onFocus: (n: RuleNode | null) => void): void {
  explainFocus = onFocus;
  const list = byId("explain");
  const rows = explainRows(nodes ?? []);
  if (rows.length === 0) {
    replace(list, h("li", { class: "muted" }, nodes ? "Nothing to explain." : "The rule was not evaluated."));
    return;
  }
  const old = new Map<string, Element[]>();
  for (const li of list.children) {
    const k = rowKey.get(li);
    if (k !== undefined) old.set(k, [...(old.get(k) ?? []), li]);
  }
  reconcile(
    list,
    rows.map(({ node, depth }) => {
      const key = JSON.stringify([node.start, node.end, node.text, node.kind, node.type, node.value, node.error, node.iterations, depth]);
      const li = old.get(key)?.shift() ?? explainRow(node, depth);
      rowKey.set(li, key);
      rowNode.set(li, node);
      return li;
    }),
  );
}

// --- what decided it: the engine's "matched" list, placed in the parsed fields -------------

export interface Matches {
  san: Set<number>; // indexes into the SAN list
  dn: [number, number][]; // code-point ranges of the subject DN
  cn: [number, number][]; // code-point ranges of the CN
}

// The typed SAN lists (cert.san.dns, …) and the prefix of their entries in SAN.
const SAN_PREFIXES: Record<string, string> = {
  dns: "DNS:",
  ip: "IP:",
  uri: "URI:",
  email: "Email:",
  upn: "UPN:",
  rid: "RID:",
  dir_name: "DirName:",
  other_name: "OtherName:",
};

function celString(v: string): string | null {
  try {
    if (/^"(?:[^"\\]|\\.)*"$/.test(v)) return JSON.parse(v);
  } catch {
    /* not JSON-compatible */
  }
  return null;
}

/**
 * matchesFrom turns the engine's "matched" list (what decided the rule: the list
 * element `in` found, the SAN entries an exists() held for, the part of DN that
 * contains() matched, a CN compared equal) into what to highlight in the fields.
 * `of` is the list or string as the CEL names it ("SAN", "DN", "cert.san.dns",
 * "SAN[2]"); formulas use the same names, so both dialects read alike. Nothing here
 * parses the rule's text.
 */
export function matchesFrom(res: RuleResult | null | undefined, leaf: Certificate | undefined): Matches {
  const m: Matches = { san: new Set(), dn: [], cn: [] };
  if (!res || !leaf) return m;
  const entries = leaf.san_entries ?? [];
  // The k-th entry of a typed list (cert.san.dns[k]) is the k-th SAN entry with its prefix.
  const typed = (kind: string, k: number, value: string | null) => {
    const prefix = SAN_PREFIXES[kind];
    if (!prefix) return;
    const idx = entries.flatMap((e, i) => (e.startsWith(prefix) ? [i] : []));
    const i = idx[k];
    if (i !== undefined && (value === null || entries[i] === prefix + value)) m.san.add(i);
    else if (value !== null) entries.forEach((e, j) => e === prefix + value && m.san.add(j));
  };
  for (const x of res.matched ?? []) {
    const of = x.of.replace(/\s+/g, "").replace(/^chain\[0\]\./, "cert.");
    const whole = x.index < 0 ? [x.start ?? 0, x.end ?? 0] as [number, number] : null;
    let g: RegExpExecArray | null;
    if (/^(?:SAN|cert\.san_entries)$/.test(of)) {
      if (x.index >= 0) m.san.add(x.index);
    } else if ((g = /^(?:SAN|cert\.san_entries)\[(\d+)\]$/.exec(of))) {
      m.san.add(Number(g[1]));
    } else if ((g = /^cert\.san\.([a-z_]+)$/.exec(of))) {
      if (x.index >= 0) typed(g[1], x.index, celString(x.value));
    } else if ((g = /^cert\.san\.([a-z_]+)\[(\d+)\]$/.exec(of))) {
      typed(g[1], Number(g[2]), null);
    } else if (/^(?:DN|cert\.subject\.dn)$/.test(of)) {
      if (whole && whole[1] > whole[0]) m.dn.push(whole);
    } else if (/^(?:CN|cert\.subject\.cn)$/.test(of)) {
      if (whole && whole[1] > whole[0]) m.cn.push(whole);
    }
  }
  return m;
}

// --- parsed fields ------------------------------------------------------------------------

function row(label: string, ...value: (Node | string | null)[]): HTMLElement[] {
  return [h("dt", null, label), h("dd", null, ...value)];
}

const HOUR = 3_600_000;

/**
 * formatSpan is trust.FormatSpan: whole days (truncated), else whole hours, else
 * "less than an hour", so the page's "N days left" is the number `inspect` prints and
 * `verify`'s expires_soon finding quotes for the same time.
 */
export function formatSpan(ms: number): string {
  const days = Math.trunc(ms / DAY);
  const hours = Math.trunc(ms / HOUR);
  if (days === 1) return "1 day";
  if (days > 1) return `${days} days`;
  if (hours === 1) return "1 hour";
  if (hours > 1) return `${hours} hours`;
  return "less than an hour";
}

/** validity says where at (the decision's time, never the browser's clock) falls in c's validity. */
export function validity(c: Certificate, at: Date): { text: string; state: "ok" | "warn" | "expired" | "future" } {
  const nb = new Date(c.not_before);
  const na = new Date(c.not_after);
  if (at < nb) return { text: `not yet valid: starts in ${formatSpan(nb.getTime() - at.getTime())}`, state: "future" };
  if (at > na) return { text: `expired ${formatSpan(at.getTime() - na.getTime())} ago`, state: "expired" };
  const left = na.getTime() - at.getTime();
  return { text: `${formatSpan(left)} left`, state: left < 30 * DAY ? "warn" : "ok" };
}

function ekuCheck(c: Certificate): HTMLElement {
  const eku = c.ext_key_usage ?? [];
  if (eku.length === 0) return h("span", { class: "check ok" }, "✓ no extended key usage: any use allowed, client auth included");
  if (eku.includes("clientAuth") || eku.includes("any")) return h("span", { class: "check ok" }, "✓ clientAuth");
  return h("span", { class: "check bad" }, "✗ no clientAuth: not valid for client authentication");
}

function keyText(c: Certificate): string {
  const k = c.public_key;
  return [k.algorithm, k.bits ? `${k.bits} bits` : "", k.curve].filter(Boolean).join(" · ");
}

function dateText(s: string): string {
  return s.replace("T", " ").replace(/\.\d+/, "").replace("Z", " UTC");
}

// fieldsNote is the line above the fields that says which certificate they are of
// when it is not the first pasted; made on first use (it is rarely needed).
function fieldsNote(): HTMLElement {
  let p = document.getElementById("fields-leaf");
  if (!p) {
    p = h("p", { id: "fields-leaf", class: "notice", "data-testid": "fields-leaf", hidden: true });
    byId("fields").before(p);
  }
  return p;
}

/**
 * renderFields shows the certificate the decision was made on: certs[leaf], which is
 * not the first pasted when the leaf was pasted after its issuer (the response's leaf).
 */
export function renderFields(certs: Certificate[] | null | undefined, at: Date, m: Matches | null, leafIndex = 0): void {
  const leaf = certs?.[leafIndex] ?? certs?.[0];
  const dl = byId("fields");
  if (unchanged(dl, JSON.stringify([leaf ?? null, leaf === certs?.[leafIndex] ? leafIndex : 0, at.getTime(), m && [[...m.san], m.dn, m.cn]]))) return;
  const san = byId("san");
  const dn = byId("dn");
  const shown = leaf && leafIndex > 0 && certs?.[leafIndex] ? leafIndex : 0;
  if (shown || document.getElementById("fields-leaf")) {
    const note = fieldsNote();
    note.hidden = shown === 0;
    note.dataset.cert = String(shown);
    note.textContent = shown ? `These are the fields of certificate ${shown + 1}, the leaf decided on: it was pasted after its issuer (see the finding leaf_not_first).` : "";
  }
  if (!leaf) {
    replace(san, h("li", { class: "muted" }, "—"));
    dn.textContent = "—";
    replace(byId("fields-extra"));
    replace(byId("cn"), "—");
    replace(byId("slash"), "—");
    dl.dataset.empty = "true";
    return;
  }
  delete dl.dataset.empty;
  const cn = byId("cn");
  replace(cn, leaf.subject.cn ? h("span", null, ...markRanges(leaf.subject.cn, m?.cn ?? [])) : h("span", { class: "muted" }, '"" (no CN)'));

  const entries = leaf.san_entries ?? [];
  replace(
    san,
    entries.length === 0
      ? h("li", { class: "muted" }, "no subjectAltName entries: SAN is []")
      : entries.map((e, i) => h("li", m?.san.has(i) ? { class: "match", title: "this entry decided the rule" } : null, h("code", null, e), copyButton(() => e, `SAN entry ${e}`))),
  );

  replace(dn, ...markRanges(leaf.subject.dn, m?.dn ?? []));
  replace(byId("slash"), leaf.subject.slash);

  const v = validity(leaf, at);
  const eku = leaf.ext_key_usage ?? [];
  replace(
    byId("fields-extra"),
    ...row("Issuer", h("code", null, leaf.issuer.dn), copyButton(() => leaf.issuer.dn, "issuer DN")),
    ...row("Validity", `${dateText(leaf.not_before)} → ${dateText(leaf.not_after)} `, h("span", { class: `validity ${v.state}`, "data-testid": "validity", "data-state": v.state }, v.text)),
    ...row("Extended key usage", eku.length ? h("code", null, eku.join(", ")) : h("span", { class: "muted" }, "none"), " ", ekuCheck(leaf)),
    ...row("Key usage", (leaf.key_usage ?? []).join(", ") || "—"),
    ...row("Public key", keyText(leaf)),
    ...row("Signature", leaf.signature_algorithm),
    ...row("SHA-256", h("code", { class: "fp" }, leaf.sha256), copyButton(() => leaf.sha256, "SHA-256 fingerprint")),
    ...row("Serial", h("code", null, leaf.serial)),
    ...(leaf.spiffe_id ? row("SPIFFE ID", h("code", null, leaf.spiffe_id)) : []),
    ...(leaf.is_ca ? row("CA", "this is a CA certificate (basicConstraints CA:TRUE)") : []),
    ...((leaf.problems ?? []).length ? row("Problems", h("ul", null, (leaf.problems ?? []).map((p) => h("li", { class: "bad" }, p)))) : []),
  );
}

// How a finding's severity is shown: an icon (beside the text, not instead of it) and a word.
const SEVERITY: Record<string, { icon: string; label: string }> = {
  error: { icon: "✗", label: "Error" },
  warning: { icon: "⚠", label: "Warning" },
  info: { icon: "ℹ", label: "Info" },
};

function certLine(c: { subject?: string; dn?: string; sha256?: string; issuer?: string }, i: number, id?: string, findings: Finding[] = [], leaf = 0): HTMLElement {
  const worst = findings.find((f) => f.severity === "error") ?? findings.find((f) => f.severity === "warning") ?? findings[0];
  return h(
    "li",
    id ? { id, tabindex: "-1", class: worst ? `has-findings sev-${worst.severity}` : undefined, "data-cert": String(i) } : null,
    h("code", null, c.subject || c.dn || "(empty subject)"),
    c.issuer ? h("span", { class: "muted" }, ` issued by ${c.issuer}`) : null,
    c.sha256 ? h("span", { class: "fp-short", title: c.sha256 }, ` ${c.sha256.slice(0, 16)}…`) : null,
    i === leaf ? h("span", { class: "tag leaf-tag", title: leaf ? "pasted after its issuer: the decision and the rule are about this certificate" : undefined }, leaf ? "the leaf decided on" : "leaf") : null,
    findings.map((f) => h("span", { class: `tag finding-tag sev-${f.severity}`, title: f.message }, `${SEVERITY[f.severity]?.icon ?? ""} ${f.id}`)),
  );
}

/** renderChains lists the chain as presented (leaf: the index decided on) and as verified. */
export function renderChains(res: DecideResponse | null, certs: Certificate[] | null | undefined, findings?: Finding[] | null, leaf = 0): void {
  const presented = byId("chain-presented");
  const verified = byId("chain-verified");
  if (unchanged(presented, JSON.stringify([res === null, res?.verification, res?.reason, (certs ?? []).map((c) => [c.subject.dn, c.issuer.dn, c.sha256]), findings, leaf]))) return;
  const about = (i: number) => (findings ?? []).filter((f) => f.cert === i);
  presented.dataset.leaf = String(leaf);
  replace(presented, (certs ?? []).length ? (certs ?? []).map((c, i) => certLine({ subject: c.subject.dn, issuer: c.issuer.dn, sha256: c.sha256 }, i, `chain-cert-${i}`, about(i), leaf)) : h("li", { class: "muted" }, "no certificate"));
  const v = res?.verification;
  if (!v) {
    replace(verified, h("li", { class: "muted unnumbered" }, res ? "not verified: the decision was reached before chain verification" : "—"));
    return;
  }
  if (!v.ok) {
    // The failure's message is the verdict's reason: here, what each bundle tried gave.
    const tried = (v.tried ?? []).filter((a) => !a.ok);
    const reason = res?.reason ?? "";
    replace(
      verified,
      h("li", { class: "bad unnumbered" }, v.failure?.message && !reason.includes(v.failure.message) ? v.failure.message : "not verified: see the verdict's reason"),
      tried.map((a) => h("li", { class: "muted unnumbered", "data-bundle": a.bundle }, `bundle "${a.bundle}": `, a.reason && !reason.includes(a.reason) ? a.reason : KIND_NAMES[a.kind ?? ""] ?? a.kind ?? "no chain")),
    );
    return;
  }
  const chain = (v.chain ?? []) as unknown[];
  replace(
    verified,
    chain.map((c, i) => {
      if (typeof c === "string") return certLine({ subject: c }, i);
      const o = c as Record<string, unknown>;
      const subj = o.subject;
      const subject = typeof subj === "string" ? subj : typeof subj === "object" && subj ? String((subj as { dn?: string }).dn ?? "") : String(o.dn ?? "");
      return certLine({ subject, sha256: typeof o.sha256 === "string" ? o.sha256 : undefined }, i);
    }),
    v.bundle ? h("li", { class: "muted unnumbered" }, `anchored in bundle "${v.bundle}"`) : null,
  );
}

// trust.Kind in words, for the bundles tried.
const KIND_NAMES: Record<string, string> = {
  unknown_issuer: "no certificate of this bundle issued the chain",
  expired: "a certificate of the chain is expired",
  not_yet_valid: "a certificate of the chain is not yet valid",
  ext_key_usage: "the chain does not allow client authentication",
  critical_extension: "an unhandled critical extension",
  unparsable: "a certificate could not be parsed",
  signature: "a signature does not verify",
  name_constraints: "a name constraint forbids the leaf's names",
  other: "the chain does not verify",
};

// renderBundleViews writes each box's summary: views[i] is box i's bundle as the
// engine read it, undefined for an empty box (not sent).
export function renderBundleViews(views: (BundleView | undefined)[]): void {
  for (const [i, b] of views.entries()) {
    const el = document.querySelector<HTMLElement>(`[data-bundle-index="${i}"] .bundle-summary`);
    if (!el || unchanged(el, JSON.stringify(b ?? null))) continue;
    if (!b) {
      replace(el, "Not read: the box is empty; paste the CA certificates (PEM) here.");
      continue;
    }
    const certs = b.certificates ?? [];
    const warns = (b.warnings ?? []).map((w) => (typeof w === "string" ? w : String((w as { message?: string }).message ?? JSON.stringify(w))));
    replace(el, `${certs.length} CA certificate${certs.length === 1 ? "" : "s"}${certs.length ? ": " : ""}`, certs.flatMap((c, j) => [j ? "; " : "", h("code", null, c.subject)]), warns.length ? h("ul", { class: "warn" }, warns.map((w) => h("li", null, w))) : null);
  }
}

// renderBundleError marks the summary of the bundle a decision's error is about (its
// position from 1): the CA certificates it listed are no longer what the box holds.
export function renderBundleError(bundle: number): void {
  const el = document.querySelector<HTMLElement>(`[data-bundle-index="${bundle - 1}"] .bundle-summary`);
  if (!el) return;
  forget(el);
  replace(el, h("span", { class: "bad" }, "Not read: see the error in the verdict."));
}

// --- findings: what is worth fixing in the certificate and its chain ----------------------

/** certName names a certificate of the presented chain as the findings do. */
// certName names a certificate as the findings' messages do: counted from 1, in
// the order pasted ("certificate 2" is the second, whichever is the leaf).
function certName(i: number): string {
  return `certificate ${i + 1}`;
}

/**
 * renderFindings lists the findings in the verdict pane, each with its severity,
 * message and fix, a link to the certificate it concerns in the chain view and one to
 * its entry in the troubleshooting page. docs is the docs folder's URL ("docs/").
 * unchecked, when there are none, says why nothing was checked (nothing to read, or
 * nothing readable), instead of "nothing to fix". reason is the verdict's: a finding
 * whose message it already says (a 4018's expired or unknown issuer) points to it
 * with its fix instead of saying it a second time.
 */
export function renderFindings(findings: Finding[] | null | undefined, docs: string, unchecked?: string, reason = ""): void {
  const list = byId("findings");
  const fs = findings ?? [];
  if (unchanged(list, JSON.stringify([fs, docs, unchecked, reason, fs.map((f) => f.cert >= 0 && !!document.getElementById(`chain-cert-${f.cert}`))]))) return;
  byId("findings-count").textContent = fs.length ? String(fs.length) : "";
  list.dataset.count = String(fs.length);
  if (fs.length === 0) {
    // Only a certificate that was read and checked can have nothing to fix.
    replace(list, h("li", { class: "muted none" }, unchecked ?? "No findings: nothing to fix in the certificate or its chain."));
    return;
  }
  replace(
    list,
    fs.map((f) => {
      const sev = SEVERITY[f.severity] ?? SEVERITY.info;
      // The chain's line is looked up when used: the chain may be drawn again while
      // the findings are not (incremental rendering).
      const target = () => (f.cert >= 0 ? document.getElementById(`chain-cert-${f.cert}`) : null);
      const link = target() ? h("a", { href: `#chain-cert-${f.cert}`, class: "cert-link" }, certName(f.cert)) : null;
      link?.addEventListener("click", (e) => {
        // Not a fragment navigation: the fragment holds the share state.
        e.preventDefault();
        const t = target();
        if (!t) return;
        t.scrollIntoView({ block: "center", behavior: "smooth" });
        t.focus({ preventScroll: true });
        flash(t);
      });
      const li = h(
        "li",
        { class: `finding sev-${f.severity}`, "data-finding-id": f.id, "data-severity": f.severity, "data-cert": String(f.cert) },
        h("span", { class: "sev-icon", "aria-hidden": "true" }, sev.icon),
        h(
          "div",
          { class: "finding-body" },
          h("p", { class: "finding-msg" }, h("strong", { class: "sev-label" }, sev.label), " ", h("code", { class: "finding-id" }, f.id), " ", f.message && reason.includes(f.message) ? h("span", { class: "muted", "data-said": "reason" }, "the verdict's reason above") : f.message),
          f.fix ? h("p", { class: "finding-fix" }, h("strong", null, "Fix: "), f.fix) : null,
          h("p", { class: "finding-links" }, link ? ["Concerns ", link, " · "] : f.cert < 0 ? "Concerns the chain as a whole or a bundle certificate · " : null, h("a", { href: `${docs}troubleshooting.html#${encodeURIComponent(f.id)}` }, "what it means")),
        ),
      );
      if (link) {
        li.addEventListener("mouseenter", () => target()?.classList.add("pointed"));
        li.addEventListener("mouseleave", () => target()?.classList.remove("pointed"));
      }
      return li;
    }),
  );
}

function flash(el: HTMLElement): void {
  el.classList.remove("flash");
  void el.offsetWidth; // restart the animation
  el.classList.add("flash");
}
