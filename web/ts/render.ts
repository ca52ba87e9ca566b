// Rendering of the verdict, the explanation and the parsed certificate fields.
// Certificate-derived text only ever reaches the DOM as text nodes.

import { byId, copyButton, h, markRanges, replace } from "./dom";
import type { BundleView, Certificate, DecideResponse, EngineError, RuleNode, RuleResult } from "./types";

const DAY = 86_400_000;

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

const CODE_NAMES: Record<number, string> = {
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
  verdict.dataset.value = v;
  byId("verdict-badge").textContent = v === "true" ? "Accepted" : v === "error" ? "Error" : "Rejected";
  const code = byId("decision-code");
  code.dataset.code = String(res.code);
  code.textContent = String(res.code);
  byId("code-name").textContent = CODE_NAMES[res.code] ?? "";
  byId("reason").textContent = res.reason;

  const rule = byId("rule-value");
  if (res.rule) {
    replace(rule, "The rule evaluated to ", h("span", { class: valueClass(res.rule.value, res.rule.error) }, res.rule.error ? `error: ${res.rule.error}` : String(res.rule.value)), ".");
  } else {
    const ran = (res.steps ?? []).some((s) => s.check === "rule");
    replace(rule, ran ? "No rule: every trusted certificate is accepted." : "The rule was not evaluated: the decision was reached before it.");
  }
  replace(
    byId("steps"),
    (res.steps ?? []).map((s) => h("li", { class: s.ok ? "ok" : "bad" }, h("span", { class: "mark", "aria-label": s.ok ? "passed" : "failed" }, s.ok ? "✓" : "✗"), " ", h("strong", null, s.check), ": ", s.detail)),
  );
  hideError();
}

export function renderEngineError(e: EngineError): void {
  const verdict = byId("verdict");
  verdict.dataset.value = "error";
  byId("verdict-badge").textContent = "Error";
  const code = byId("decision-code");
  code.dataset.code = "";
  code.textContent = "—";
  byId("code-name").textContent = "no decision";
  byId("reason").textContent = "The inputs could not be evaluated; see the error below.";
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
  el.textContent = text;
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
  const stack: RuleNode[] = [];
  const rows: ExplainRow[] = [];
  const seen = new Set<string>();
  for (const n of sorted) {
    while (stack.length && !(n.start >= stack[stack.length - 1].start && n.end <= stack[stack.length - 1].end)) stack.pop();
    const key = `${n.start}:${n.end}`;
    const literal = n.kind ? n.kind === "literal" : LITERAL.test(n.text.trim());
    if (!literal && !seen.has(key)) {
      seen.add(key);
      rows.push({ node: n, depth: stack.length });
    }
    stack.push(n);
  }
  // Depth counts only the rows that are shown.
  const shown: ExplainRow[] = [];
  const open: RuleNode[] = [];
  for (const r of rows) {
    while (open.length && !(r.node.start >= open[open.length - 1].start && r.node.end <= open[open.length - 1].end)) open.pop();
    shown.push({ node: r.node, depth: open.length });
    open.push(r.node);
  }
  return shown;
}

export function renderExplain(nodes: RuleNode[] | null | undefined, onFocus: (n: RuleNode | null) => void): void {
  const list = byId("explain");
  const rows = explainRows(nodes ?? []);
  if (rows.length === 0) {
    replace(list, h("li", { class: "muted" }, nodes ? "Nothing to explain." : "The rule was not evaluated."));
    return;
  }
  replace(
    list,
    rows.map(({ node, depth }) => {
      const notEvaluated = node.error === "not evaluated";
      const li = h(
        "li",
        { tabindex: "0", "data-start": String(node.start), "data-end": String(node.end), class: notEvaluated ? "skipped" : undefined },
        h("code", { class: "expr" }, node.text),
        h("span", { class: "arrow", "aria-hidden": "true" }, " → "),
        node.iterations?.length
          ? h("span", { class: "iters", "aria-label": "value for each element" }, node.iterations.map((it, i) => h("span", { class: valueClass(it.value, it.error), title: `element ${i}${it.error ? ": " + it.error : ""}` }, it.error ? "error" : formatValue(it.value))))
          : h("span", { class: notEvaluated ? "val muted" : valueClass(node.value, node.error) }, notEvaluated ? "not evaluated" : node.error ? `error: ${node.error}` : formatValue(node.value)),
        node.type ? h("span", { class: "type" }, node.type) : null,
      );
      li.style.setProperty("--depth", String(depth));
      const on = () => onFocus(node);
      const off = () => onFocus(null);
      li.addEventListener("mouseenter", on);
      li.addEventListener("focus", on);
      li.addEventListener("mouseleave", off);
      li.addEventListener("blur", off);
      return li;
    }),
  );
}

// --- what decided it: rule literals matched against SAN entries and names ---------------

export interface Matches {
  san: Set<number>; // indexes into the SAN list
  dn: [number, number][]; // code-point ranges of the subject DN
  cn: boolean;
}

function celString(v: string): string | null {
  try {
    if (/^"(?:[^"\\]|\\.)*"$/.test(v)) return JSON.parse(v);
  } catch {
    /* not JSON-compatible */
  }
  return null;
}

const SAN_FIELDS: Record<string, string> = {
  "cert.san.dns": "DNS:",
  "cert.san.ip": "IP:",
  "cert.san.uri": "URI:",
  "cert.san.email": "Email:",
  "cert.san.upn": "UPN:",
  "cert.san.rid": "RID:",
  "cert.san.dir_name": "DirName:",
  "cert.san.other_name": "OtherName:",
};

/** matchesFrom turns the rule's "matched" list (what decided it) into what to highlight. */
export function matchesFrom(res: RuleResult | null | undefined, leaf: Certificate | undefined): Matches {
  const m: Matches = { san: new Set(), dn: [], cn: false };
  if (!res || !leaf) return m;
  const entries = leaf.san_entries ?? [];
  for (const x of res.matched ?? []) {
    const of = x.of.replace(/\s+/g, "");
    const val = celString(x.value);
    if (of === "SAN" || of === "cert.san_entries") {
      if (x.index >= 0) m.san.add(x.index);
    } else if (SAN_FIELDS[of] && val !== null) {
      entries.forEach((e, i) => e === SAN_FIELDS[of] + val && m.san.add(i));
    } else if (of === "DN" || of === "cert.subject.dn") {
      if (x.index < 0 && x.end !== undefined) m.dn.push([x.start ?? 0, x.end]);
    } else if (of === "CN" || of === "cert.subject.cn") {
      m.cn = true;
    }
  }
  // A comparison that held on the whole CN, DN or a SAN entry decided it too.
  for (const n of res.nodes ?? []) {
    if (n.value !== "true" || n.function !== "_==_") continue;
    const lits = [...n.text.matchAll(/"(?:[^"\\\n]|\\.)*"/g)].map((l) => celString(l[0])).filter((s): s is string => s !== null);
    for (const l of lits) {
      if (l === leaf.subject.cn && /\b(CN|cert\.subject\.cn)\b/.test(n.text)) m.cn = true;
      if (l === leaf.subject.dn && /\b(DN|cert\.subject\.dn)\b/.test(n.text)) m.dn.push([0, [...l].length]);
    }
  }
  return m;
}

// --- parsed fields ------------------------------------------------------------------------

function row(label: string, ...value: (Node | string | null)[]): HTMLElement[] {
  return [h("dt", null, label), h("dd", null, ...value)];
}

function days(ms: number): string {
  const d = Math.floor(Math.abs(ms) / DAY);
  return `${d} day${d === 1 ? "" : "s"}`;
}

export function validity(c: Certificate, at: Date): { text: string; state: "ok" | "warn" | "expired" | "future" } {
  const nb = new Date(c.not_before);
  const na = new Date(c.not_after);
  if (at < nb) return { text: `not yet valid: starts in ${days(nb.getTime() - at.getTime())}`, state: "future" };
  if (at > na) return { text: `expired ${days(at.getTime() - na.getTime())} ago`, state: "expired" };
  const left = na.getTime() - at.getTime();
  return { text: `${days(left)} left`, state: left < 30 * DAY ? "warn" : "ok" };
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

export function renderFields(certs: Certificate[] | null | undefined, at: Date, m: Matches | null): void {
  const leaf = certs?.[0];
  const dl = byId("fields");
  const san = byId("san");
  const dn = byId("dn");
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
  replace(cn, leaf.subject.cn ? h(m?.cn ? "mark" : "span", null, leaf.subject.cn) : h("span", { class: "muted" }, '"" (no CN)'));

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

function certLine(c: { subject?: string; dn?: string; sha256?: string; issuer?: string }, i: number): HTMLElement {
  return h("li", null, h("code", null, c.subject || c.dn || "(empty subject)"), c.issuer ? h("span", { class: "muted" }, ` issued by ${c.issuer}`) : null, c.sha256 ? h("span", { class: "fp-short", title: c.sha256 }, ` ${c.sha256.slice(0, 16)}…`) : null, i === 0 ? h("span", { class: "tag" }, "leaf") : null);
}

export function renderChains(res: DecideResponse | null, certs: Certificate[] | null | undefined): void {
  const presented = byId("chain-presented");
  const verified = byId("chain-verified");
  replace(presented, (certs ?? []).length ? (certs ?? []).map((c, i) => certLine({ subject: c.subject.dn, issuer: c.issuer.dn, sha256: c.sha256 }, i)) : h("li", { class: "muted" }, "no certificate"));
  const v = res?.verification;
  if (!v) {
    replace(verified, h("li", { class: "muted" }, res ? "not verified: the decision was reached before chain verification" : "—"));
    return;
  }
  if (!v.ok) {
    replace(verified, h("li", { class: "bad" }, v.failure?.message ?? "no chain to a trusted bundle"));
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
    v.bundle ? h("li", { class: "muted" }, `anchored in bundle "${v.bundle}"`) : null,
  );
}

export function renderBundleViews(views: BundleView[] | null | undefined): void {
  for (const [i, b] of (views ?? []).entries()) {
    const el = document.querySelector<HTMLElement>(`[data-bundle-index="${i}"] .bundle-summary`);
    if (!el) continue;
    const certs = b.certificates ?? [];
    const warns = (b.warnings ?? []).map((w) => (typeof w === "string" ? w : String((w as { message?: string }).message ?? JSON.stringify(w))));
    replace(el, `${certs.length} CA certificate${certs.length === 1 ? "" : "s"}${certs.length ? ": " : ""}`, certs.flatMap((c, j) => [j ? "; " : "", h("code", null, c.subject)]), warns.length ? h("ul", { class: "warn" }, warns.map((w) => h("li", null, w))) : null);
  }
}
