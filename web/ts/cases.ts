// The Cases pane (design 5.8, 6.1): certificates the rule must keep deciding as it
// did. "Add this as a case" keeps the certificate, bundles and time of the verdict
// shown, with its code as the expectation; every case is decided again with the
// rule being edited (the engine's "cases" op), and a failing one shows why. The
// suite goes out and comes back as YAML (suite_write, suite_read: the page never
// reads YAML itself) and rides in share links (share.ts).

import { byId, h, replace } from "./dom";
import type { Engine } from "./engine";
import { CODE_NAMES } from "./render";
import { type BundleInput, type DecideRequest, type DecideResponse, type Dialect, type EngineError, isError, type Step } from "./types";

/** A case as the page keeps it (suite.PageCase). */
export interface PageCase {
  name: string;
  chain: string;
  bundles: BundleInput[];
  at?: string;
  expect: { code: number; reason?: string; finding?: string };
}

interface CaseResult {
  name: string;
  passed: boolean;
  code: number;
  reason: string;
  expected: PageCase["expect"];
  mismatches: string[];
  steps?: Step[] | null;
  near_misses?: string[] | null;
  rule_error?: string;
  findings?: string[] | null;
}

interface CasesResponse {
  results: CaseResult[];
  passed: number;
  failed: number;
}

/** The most cases the page keeps (suite.MaxPageCases). */
export const MAX_CASES = 100;
/** The most text the cases may hold, as JSON: a suite file's limit (suite.MaxSuiteBytes). */
export const MAX_CASES_BYTES = 1 << 20;
/** The most a suite file opened or pasted may be, as the engine reads it. */
const MAX_YAML_BYTES = 1 << 20;

let engine: Engine;
let setRule: (rule: string, dialect: Dialect) => void = () => {};
let cases: PageCase[] = [];
let current: { req: DecideRequest; res: DecideResponse } | null = null;
let rule = { text: "", dialect: undefined as Dialect | undefined };
let ruled = false; // no case runs before the page's first decision gives the rule
let lastKey = "";
let version = 0; // of cases: a change makes a new array and a new version
let inFlight = false;
let dirty = false;
let seq = 0;
let downloadURL = "";

const list = () => byId("cases-list");

function status(text: string): void {
  replace(byId("cases-status"), text); // may quote a case's or the engine's words
}

function changed(): void {
  version++;
  byId("cases-count").textContent = cases.length ? `${cases.length} of ${MAX_CASES}` : "";
  byId<HTMLButtonElement>("cases-export").disabled = !cases.length;
  byId<HTMLButtonElement>("cases-clear").disabled = !cases.length;
  addable();
  onChange();
  rerun();
}

let onChange: () => void = () => {};

function addable(): void {
  byId<HTMLButtonElement>("case-add").disabled = !current || cases.length >= MAX_CASES;
}

/** attach wires the pane; setRuleFn puts an imported suite's rule in the editor, changedFn says the cases changed (share state). */
export function attach(e: Engine, setRuleFn: (rule: string, dialect: Dialect) => void, changedFn: () => void = () => {}): void {
  engine = e;
  setRule = setRuleFn;
  onChange = changedFn;
  byId("case-add").addEventListener("click", add);
  byId("cases-clear").addEventListener("click", () => {
    cases = [];
    status("Cleared. Export first to keep a suite; a share link made before still holds its cases.");
    changed();
    focusAdd(); // Clear is disabled now, and a disabled button drops the focus
  });
  byId("cases-export").addEventListener("click", () => void exportYAML());
  byId("cases-import").addEventListener("click", () => void importYAML(byId<HTMLTextAreaElement>("cases-yaml-text").value));
  byId("cases-open").addEventListener("click", () => byId<HTMLInputElement>("cases-file").click());
  byId<HTMLInputElement>("cases-file").addEventListener("change", async (ev) => {
    const input = ev.target as HTMLInputElement;
    const f = input.files?.[0];
    input.value = "";
    if (!f) return;
    if (f.size > MAX_YAML_BYTES) {
      status(`${f.name} is ${f.size} bytes; a suite holds at most 1 MiB. Run larger suites with mtlsplay test.`);
      return;
    }
    const text = await f.text();
    byId<HTMLTextAreaElement>("cases-yaml-text").value = text;
    await importYAML(text);
  });
  changed();
}

/**
 * decided tells the pane the verdict shown (res null: none, the inputs had an
 * error) and the rule it was decided with; every case runs again with that rule
 * when it or the cases changed.
 */
export function decided(req: DecideRequest, res: DecideResponse | null): void {
  current = res ? { req, res } : null;
  addable();
  rule = { text: req.rule, dialect: req.dialect };
  ruled = true;
  rerun();
}

/** get is the cases, for a share link. */
export function get(): PageCase[] {
  return cases;
}

/** set replaces the cases (a share link opened). */
export function set(cs: PageCase[]): void {
  cases = cs.slice(0, MAX_CASES);
  status(cs.length > MAX_CASES ? `The link holds ${cs.length} cases; the page keeps the first ${MAX_CASES}.` : "");
  changed();
}

function add(): void {
  if (!current) return;
  const { req, res } = current;
  if (cases.length >= MAX_CASES) {
    status(`The page keeps at most ${MAX_CASES} cases; run larger suites with mtlsplay test (Export writes the file).`);
    return;
  }
  // The chain as the engine decided it: its certificates as PEM, the one decided on
  // first (a leaf pasted after its issuer is moved, as the verdict moved it), since a
  // case, like mtlsplay test, decides a chain as sent.
  const certs = res.certificates ?? [];
  const k = res.leaf ?? 0;
  const leaf = certs[k];
  const chain = leaf ? [leaf, ...certs.slice(0, k), ...certs.slice(k + 1)].map((c) => c.pem).join("") : "";
  const who = !chain ? "no certificate" : leaf.subject?.cn || leaf.subject?.dn || "certificate";
  let name = `${who} → ${res.code}`;
  for (let i = 2; cases.some((c) => c.name === name); i++) name = `${who} → ${res.code} (${i})`;
  const c: PageCase = { name, chain, bundles: req.bundles.map((b) => ({ name: b.name, pem: b.pem })), at: res.at, expect: { code: res.code } };
  if (JSON.stringify([...cases, c]).length > MAX_CASES_BYTES) {
    status("The cases would hold more than 1 MiB of certificates, more than a suite file may: export them and run the suite with mtlsplay test.");
    return;
  }
  cases = [...cases, c];
  status(`Added "${name}": it expects ${res.code}, the verdict shown.`);
  changed();
}

// expect changes what case i expects to code (its reason and finding stay), as
// the person picks it in the list or takes the code the case got.
function expect(i: number, code: number): void {
  const c = cases[i];
  if (!c || c.expect.code === code) return;
  cases = cases.map((x, j) => (j === i ? { ...x, expect: { ...x.expect, code } } : x)); // a new array: a request on its way keeps the old
  status(`"${c.name}" now expects ${code}.`);
  changed();
}

// codeSelect is the list of codes a case may expect, its own selected.
function codeSelect(i: number, c: PageCase): HTMLSelectElement {
  const codes = Object.keys(CODE_NAMES).map(Number);
  if (!codes.includes(c.expect.code)) codes.push(c.expect.code);
  const sel = h(
    "select",
    { class: "case-expect", "data-testid": "case-expect", "aria-label": `The code the case ${c.name} expects` },
    codes.map((code) => h("option", { value: String(code), selected: code === c.expect.code }, CODE_NAMES[code] ? `${code} ${CODE_NAMES[code]}` : String(code))),
  ) as HTMLSelectElement;
  sel.addEventListener("change", () => expect(i, Number(sel.value)));
  return sel;
}

function remove(i: number): void {
  const c = cases[i];
  cases = cases.filter((_, j) => j !== i); // a new array: a request on its way keeps the old
  status(`Removed "${c.name}".`);
  changed();
}

// rerun asks the engine to decide every case with the rule, one call at a time:
// keystrokes while a call runs fold into the next one.
function rerun(): void {
  if (!ruled) return;
  dirty = true;
  if (!inFlight) void runCases();
}

async function runCases(): Promise<void> {
  while (dirty) {
    dirty = false;
    const req = { rule: rule.text, dialect: rule.dialect === "auto" ? undefined : rule.dialect, cases };
    const key = JSON.stringify([req.rule, req.dialect, version]);
    if (key === lastKey) continue;
    if (!cases.length) {
      lastKey = key;
      render(null, null);
      continue;
    }
    inFlight = true;
    list().dataset.pending = "true";
    let r: CasesResponse | { error: EngineError };
    try {
      r = await engine.call<CasesResponse | { error: EngineError }>("cases", req);
    } catch (e) {
      r = { error: { code: "engine", message: (e as Error).message } };
    } finally {
      inFlight = false;
    }
    const now = performance.now();
    performance.measure("mtlsplay:cases-call", { start: now - engine.lastCallMs, duration: engine.lastCallMs });
    list().dataset.engineMs = engine.lastCallMs.toFixed(2);
    lastKey = isError(r) && r.error.code === "engine" ? "" : key;
    if (req.cases === cases) render(isError(r) ? null : r, isError(r) ? r.error : null);
  }
  list().dataset.pending = "false";
}

// extra says what a case expects besides its code.
function extra(e: PageCase["expect"]): string {
  let s = "";
  if (e.reason) s += ` with reason containing "${e.reason}"`;
  if (e.finding) s += `${e.reason ? " and" : " with"} finding ${e.finding}`;
  return s;
}

// The controls of a case that keep the keyboard's focus when the list is drawn again.
const CASE_CONTROLS = ["case-remove", "case-expect", "case-take"];

// focusedControl is the case control that has the focus, as its case's index and class.
function focusedControl(el: HTMLElement): { index: number; control: string } | null {
  const f = document.activeElement;
  if (!(f instanceof HTMLElement) || !el.contains(f)) return null;
  const li = f.closest<HTMLElement>("li.case");
  const control = CASE_CONTROLS.find((c) => f.classList.contains(c));
  return li && control ? { index: Number(li.dataset.caseIndex), control } : null;
}

// restoreFocus gives the focus back after the list was drawn again: to the same
// control of the case now at that index (after a removal, the next case; the one
// before when it was the last), else to "Add this as a case", so that a keyboard is
// never left on the page's start.
function restoreFocus(el: HTMLElement, was: { index: number; control: string }): void {
  const items = el.querySelectorAll<HTMLElement>("li.case");
  const li = items[Math.min(was.index, items.length - 1)];
  const target = li?.querySelector<HTMLElement>(`.${was.control}`) ?? li?.querySelector<HTMLElement>(".case-expect");
  if (target) target.focus();
  else focusAdd();
}

function focusAdd(): void {
  const add = byId<HTMLButtonElement>("case-add");
  if (!add.disabled) add.focus();
}

function render(r: CasesResponse | null, err: EngineError | null): void {
  const el = list();
  const focused = focusedControl(el);
  el.dataset.seq = String(++seq);
  const summary = byId("cases-summary");
  if (err) {
    summary.dataset.state = "error";
    replace(summary, err.input === "rule" ? "The rule does not compile: the cases wait for a rule that does." : `The cases could not be run: ${err.message}`);
  } else if (r) {
    summary.dataset.state = r.failed ? "failed" : "passed";
    replace(summary, `${r.passed} passed, ${r.failed} failed`);
  } else {
    summary.dataset.state = "";
    replace(summary, cases.length ? "" : "No cases yet: “Add this as a case” keeps the verdict shown as one.");
  }
  const items = cases.map((c, i) => {
    const res = r?.results[i];
    const removeBtn = h("button", { type: "button", class: "secondary case-remove", "aria-label": `Remove the case ${c.name}` }, "Remove");
    removeBtn.addEventListener("click", () => remove(i));
    const state = !res ? "" : res.passed ? "true" : "false";
    const head = h(
      "div",
      { class: "case-head" },
      h("span", { class: "case-mark" }, !res ? "·" : res.passed ? "✓" : "✗"),
      h("span", { class: "case-name" }, c.name),
      h("span", { class: "muted" }, "expects"),
      codeSelect(i, c),
      // Beside the list, whose gap would leave a comma standing alone (" , got"): the
      // comma only after the reason or finding it expects too.
      h("span", { class: "muted" }, [extra(c.expect).trim(), res ? `got ${res.code}` : ""].filter(Boolean).join(", ")),
      removeBtn,
    );
    const li = h("li", { class: "case", "data-testid": "case", "data-case-index": String(i), "data-passed": state, "data-code": res ? String(res.code) : "" }, head);
    if (res && !res.passed) li.appendChild(explanation(res, c, i));
    return li;
  });
  replace(el, items);
  if (focused) restoreFocus(el, focused);
}

// explanation is a failed case's why, open: what differs, the decision's reason and
// steps, the rule's near misses and error, the findings.
function explanation(res: CaseResult, c: PageCase, i: number): HTMLElement {
  let take: HTMLElement | null = null;
  if (res.code !== c.expect.code) {
    take = h("button", { type: "button", class: "secondary case-take", "data-testid": "case-take" }, `Expect ${res.code}, what it got`);
    take.addEventListener("click", () => expect(i, res.code));
  }
  return h(
    "details",
    { class: "case-explain", "data-testid": "case-explain", open: true },
    h("summary", null, "Why it failed"),
    h("ul", { class: "case-mismatches" }, res.mismatches.map((m) => h("li", null, m))),
    take,
    h("p", { class: "reason" }, res.reason),
    res.rule_error ? h("p", { class: "bad" }, `The rule failed: ${res.rule_error}`) : null,
    res.near_misses?.length ? h("ul", { class: "near-misses" }, res.near_misses.map((m) => h("li", null, m))) : null,
    h(
      "ol",
      { class: "steps" },
      (res.steps ?? []).map((s) => h("li", { class: s.ok ? "ok" : "bad", "data-check": s.check }, h("span", { class: "mark" }, s.ok ? "✓" : "✗"), `${s.check}: ${s.detail}`)),
    ),
    res.findings?.length ? h("p", { class: "muted" }, `Findings: ${res.findings.join(", ")}`) : null,
    h("p", { class: "muted" }, `Decided at ${c.at || "now"} with ${c.bundles.length} bundle(s)${c.chain.trim() ? "" : " and no certificate"}.`),
  );
}

async function exportYAML(): Promise<void> {
  const r = await engine.call<{ yaml: string } | { error: EngineError }>("suite_write", { rule: rule.text, dialect: rule.dialect === "auto" ? undefined : rule.dialect, cases });
  if (isError(r)) {
    status(`Nothing exported: ${r.error.message}`);
    return;
  }
  const box = byId<HTMLTextAreaElement>("cases-yaml-text");
  box.value = r.yaml;
  byId<HTMLDetailsElement>("cases-yaml").open = true;
  if (downloadURL) URL.revokeObjectURL(downloadURL);
  downloadURL = URL.createObjectURL(new Blob([r.yaml], { type: "application/yaml" }));
  const a = byId<HTMLAnchorElement>("cases-download");
  a.href = downloadURL;
  a.hidden = false;
  status(`Exported ${cases.length} case(s) as YAML below: download it or copy it. Run it with mtlsplay test FILE.`);
}

async function importYAML(text: string): Promise<void> {
  if (!text.trim()) {
    status("Paste a suite (YAML) in the box first, or open a file.");
    return;
  }
  if (text.length > MAX_YAML_BYTES) {
    status("The suite is larger than 1 MiB: run it with mtlsplay test.");
    return;
  }
  const r = await engine.call<{ cases: (PageCase & { rule?: string; dialect?: string })[] } | { error: EngineError }>("suite_read", { yaml: text });
  if (isError(r)) {
    byId("cases-yaml").dataset.state = "error";
    status(`Not imported: ${r.error.message}`);
    return;
  }
  byId("cases-yaml").dataset.state = "imported";
  const rules = new Set(r.cases.map((c) => JSON.stringify([c.rule ?? "", c.dialect ?? ""])));
  let note = "";
  if (rules.size === 1) {
    const [text0, d] = JSON.parse([...rules][0]) as [string, string];
    const dialect = (["cel", "workato"].includes(d.toLowerCase()) ? d.toLowerCase() : "auto") as Dialect;
    if (text0.trim() && (text0 !== rule.text || dialect !== (rule.dialect ?? "auto"))) {
      setRule(text0, dialect);
      note = " The suite's rule is now in the editor.";
    }
  } else {
    note = ` The suite gives ${rules.size} different rules; the cases run with the rule in the editor.`;
  }
  cases = r.cases.map((c) => ({ name: c.name, chain: c.chain, bundles: c.bundles, at: c.at, expect: c.expect }));
  status(`Imported ${cases.length} case(s).${note}`);
  changed();
}
