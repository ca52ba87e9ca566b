// The playground page: wires the inputs, the engine worker, the editor and the verdict.
// It evaluates as the person types: every change schedules one "decide" call; changes
// that arrive while a call runs are folded into the next one, so the verdict is never
// more than one call behind and the page never queues stale work.

import { at as sampleClock, bundles as sampleBundles, certs as sampleCerts, defaultRule } from "mtlsplay:samples";
import { Positions } from "./cel";
import { listenForCopies } from "./copy";
import { byId, h, replace } from "./dom";
import { RuleEditor } from "./editor";
import { Engine, EngineStopped, EngineTimeout } from "./engine";
import { keyRefusal, stripPrivateKeys } from "./pem";
import { hideError, matchesFrom, renderBundleError, renderBundleViews, renderChains, renderEngineError, renderExplain, renderFields, renderFindings, renderVerdict } from "./render";
import { renameBundles, syncSampleMenu } from "./ownership";
import { RulePane } from "./rulepane";
import { openedFromLink, rendered, rulePending, showRulePending } from "./pending";
import { decode, encode, NewerLink, type State, TooLargeLink } from "./share";
import * as exportPanel from "./exportpanel";
import * as casesPane from "./cases";
import * as serveOwn from "./serveown";
import * as gateways from "./gateway";
import type { GatewayView } from "./gateway";
import * as header from "./header";
import * as firstPaint from "./firstpaint";
import type { HeaderView } from "./header";
import { type BundleInput, type Certificate, type CompileResponse, type Declaration, type DecideRequest, type DecideResponse, type EngineError, type Finding, type InspectResponse, type Issue, isError, type ReadResponse } from "./types";

const MAX_BUNDLES = 5;
performance.mark("mtlsplay:script-start");

const root = byId("main");
// data-timeout-ms on <main> overrides the 2 s limit per call (tests use it).
// boot.js has usually started the worker already.
const boot = window as unknown as { mtlsplayBoot?: { worker: Worker; early: MessageEvent[] } };
const engine = new Engine(root.dataset.worker!, new URL(root.dataset.wasm!, document.baseURI).href, new URL(root.dataset.inspector!, document.baseURI).href, () => Number(root.dataset.timeoutMs) || 2000, boot.mtlsplayBoot);
delete boot.mtlsplayBoot;
const certInput = byId<HTMLTextAreaElement>("cert");
const atInput = byId<HTMLInputElement>("at");
const bundleList = byId("bundles");
const docs = root.dataset.docs ?? "docs/";
let declarations: Declaration[] = [];

// --- evaluation ---------------------------------------------------------------------------

let inFlight = false;
let dirty = false;
let changedAt = 0;
let seq = 0;
let firstVerdict = true;
// Resolved when the first complete verdict is on screen: what the page asks of the
// rule engine for later (the editor's declarations) waits for it, so the verdict's
// own call is the rule engine's first.
let firstComplete!: () => void;
const firstCompleteShown = new Promise<void>((resolve) => (firstComplete = resolve));
// The last certificate text parsed, for the error path (a rule or bundle error still
// shows the certificate). Findings depend on the bundles too: those of a verdict are
// kept with its bundles, and serve while only the rule changes (a rule being typed
// that does not compile yet costs no call and leaves the fields as they are); those of
// an "inspect" are the certificate's alone (bundles undefined) and serve any bundles.
// when and leaf are the engine's time and the certificate decided on, as a decision's.
let lastInspected: { text: string; at?: string; gateway?: string; bundles?: string; when?: string; leaf?: number; certs: Certificate[] | null; findings: Finding[] | null; gateways?: GatewayView[][] | null; header?: HeaderView | null } = { text: "\u0000", certs: null, findings: null };

// When the person last changed an input (the beforeinput/input event's time), so a
// measurement starts when the text changed rather than when the editor reported it.
// Keys an editor handles itself (Backspace, Enter in the rule editor) fire no
// beforeinput; their change is reported synchronously, so its own time is right.
// An input event that follows a beforeinput belongs to the same change, which the
// editor may have reported already (CodeMirror does, for some keys, during the
// beforeinput): taking its time would start the next key's clock at this one.
let lastInput = 0;
let sawBeforeInput = false;
document.addEventListener(
  "beforeinput",
  (e) => {
    sawBeforeInput = true;
    if (!lastInput) lastInput = e.timeStamp;
  },
  true,
);
document.addEventListener(
  "input",
  (e) => {
    if (!sawBeforeInput && !lastInput) lastInput = e.timeStamp;
    sawBeforeInput = false;
  },
  true,
);

// shownFor is the inputs (inputsKey) the verdict on screen answers: null until the
// engine draws one, when the HTML's verdict answers the default inputs if it stands.
let shownFor: string | null = null;

function inputsKey(r: DecideRequest = request()): string {
  return JSON.stringify(r);
}

// markStale says whether the verdict on screen answers other inputs than the page's
// (data-stale, design 6: the stylesheet fades it after a moment).
function markStale(): void {
  const stale = shownFor !== null ? inputsKey() !== shownFor : firstPaint.carried() && !firstPaint.standing();
  byId("verdict").dataset.stale = String(stale);
}

function schedule(at = performance.now()): void {
  if (lastInput && at - lastInput < 200) at = Math.min(at, lastInput);
  lastInput = 0;
  byId("verdict").dataset.pending = "true";
  markStale();
  if (!dirty) changedAt = at; // the oldest change not yet served: a run in flight took its own
  if (inFlight) {
    dirty = true;
    return;
  }
  dirty = true;
  queueMicrotask(run);
}

// bundlesInBoxes is the bundles the boxes hold and, for each, the index of its box:
// an empty box (just added, or cleared) is no bundle yet rather than a bundle
// without a certificate, which would turn the verdict into an error before
// anything was pasted; so the engine numbers bundles as sent, and the page's
// boxes count the empty ones too.
function bundlesInBoxes(): { bundles: BundleInput[]; boxes: number[] } {
  const bundles: BundleInput[] = [];
  const boxes: number[] = [];
  bundleList.querySelectorAll<HTMLElement>(".bundle").forEach((el, i) => {
    const pem = el.querySelector<HTMLTextAreaElement>("textarea")!.value;
    if (!pem.trim()) return;
    bundles.push({ name: el.querySelector<HTMLInputElement>(".bundle-name")!.value.trim() || `bundle ${i + 1}`, pem });
    boxes.push(i);
  });
  return { bundles, boxes };
}

function bundlesNow(): BundleInput[] {
  return bundlesInBoxes().bundles;
}

function request(bundles = bundlesNow()): DecideRequest {
  const r: DecideRequest = { certificates: certInput.value, bundles, rule: editor.text };
  if (rulePane.dialect !== "auto") r.dialect = rulePane.dialect;
  const at = atInput.value.trim();
  if (at) r.at = at;
  r.gateway = gateways.request();
  return r;
}

function bundlesKey(b: BundleInput[]): string {
  return JSON.stringify(b);
}

async function inspect(text: string, at: string | undefined, bundles: string, gateway: string | undefined): Promise<typeof lastInspected> {
  const l = lastInspected;
  if (l.text === text && l.at === at && l.gateway === gateway && l.findings && (l.bundles === undefined || l.bundles === bundles)) return l;
  const r = await engine.call<InspectResponse | { error: EngineError }>("inspect", { certificates: text, at, gateway });
  lastInspected = isError(r) ? { text, at, gateway, certs: null, findings: [] } : { text, at, gateway, when: r.at, leaf: r.leaf ?? 0, certs: r.certificates, findings: r.findings ?? [], gateways: r.gateways, header: r.header };
  return lastInspected;
}

// The rule as the engine reads it when the decision failed for another reason (a
// bundle or the certificate), so its translation and warnings still show.
async function compileAlone(req: DecideRequest): Promise<CompileResponse | null> {
  if (!req.rule.trim() || !engine.ruleRunning) return null; // the rule engine answers again when it runs
  const r = await engine.call<CompileResponse | { error: EngineError }>("compile", { rule: req.rule, dialect: req.dialect });
  return isError(r) || !r.ok ? null : r;
}

async function run(): Promise<void> {
  if (inFlight || !dirty) return;
  dirty = false;
  inFlight = true;
  const started = changedAt;
  syncSampleMenu(sampleSelect, byId("sample-help"), certInput.value);
  const { bundles, boxes } = bundlesInBoxes(); // bundles[i] is in box boxes[i]
  const req = request(bundles);
  let complete = true; // false: the inspector's verdict, with the rule pending
  performance.mark("mtlsplay:scheduled", { startTime: started });
  performance.measure("mtlsplay:input-to-call", { start: started });
  try {
    const t0 = performance.now();
    const res = await engine.call<DecideResponse | { error: EngineError }>("decide", req);
    if (firstVerdict && !isError(res) && rulePending(res) && firstPaint.standing()) {
      // The HTML shows this request's complete verdict already (design 6.4): keep
      // it, rather than step back to the rule pending, until the rule engine answers.
      rendered(false, !!res.certificates?.length);
      if (dirty) queueMicrotask(run);
      return;
    }
    casesPane.decided(req, isError(res) ? null : res); // the cases run in the worker while the verdict renders
    shownFor = inputsKey(req);
    performance.measure("mtlsplay:round-trip", { start: t0 });
    const tr = performance.now();
    queueMicrotask(() => performance.measure("mtlsplay:render", { start: tr }));
    const at = !isError(res) && res.at ? new Date(res.at) : req.at ? new Date(req.at) : new Date();
    if (isError(res)) {
      renderEngineError(res.error);
      if (res.error.input === "bundle" && res.error.bundle) renderBundleError(boxes[res.error.bundle - 1] + 1);
      const iss: Issue[] = res.error.issues?.length ? res.error.issues : res.error.line ? [{ message: res.error.message, line: res.error.line, column: res.error.column, severity: "error" }] : [];
      const compiled = res.error.code === "compile_error" ? null : await compileAlone(req);
      rulePane.show(req.rule, compiled?.dialect ? compiled : null, iss);
      renderExplain(null, () => {});
      if (res.error.code === "private_key") refuseKeyFromEngine(res.error, req, boxes);
      // Keep showing what the certificate holds when only the rule or a bundle is wrong.
      const seen = req.certificates.trim() ? await inspect(req.certificates, req.at, bundlesKey(req.bundles), req.gateway) : null;
      const leaf = seen?.leaf ?? 0;
      renderFields(seen?.certs, seen?.when ? new Date(seen.when) : at, null, leaf);
      gateways.render(seen?.gateways?.[leaf]);
      header.render(seen?.header);
      renderChains(null, seen?.certs, undefined, leaf);
      renderFindings(seen?.findings, docs, !req.certificates.trim() ? "No certificate to check." : seen?.certs?.length ? undefined : "Nothing checked: the certificate could not be read (see the error above).");
      complete = !req.rule.trim() || engine.ruleRunning; // the inspector may have stopped before the rule's own error
      rendered(complete, !!seen?.certs?.length);
      firstPaint.reveal();
    } else {
      renderVerdict(res);
      rulePane.show(req.rule, res.dialect ? res : null, []);
      renderExplain(res.rule?.nodes, (n) => {
        rulePane.highlightCEL(n);
        if (!n) return editor.explain(null);
        const pos = new Positions(req.rule);
        editor.explain({ from: pos.offset(n.start), to: pos.offset(n.end) });
      });
      const leaf = res.leaf ?? 0; // the certificate decided on (a leaf pasted after its issuer)
      const m = matchesFrom(res.rule, res.certificates?.[leaf]);
      renderFields(res.certificates, at, m, leaf);
      gateways.render(res.gateways?.[leaf], res.gateway_trust);
      header.render(res.header);
      renderChains(res, res.certificates, res.findings, leaf);
      renderFindings(res.findings, docs, res.certificates?.length ? undefined : "No certificate to check.", res.reason);
      const all = [...bundleList.querySelectorAll<HTMLElement>(".bundle")];
      const views = all.map((_, j) => res.bundles?.[boxes.indexOf(j)]); // by box; none for an empty one
      renderBundleViews(views);
      if (renameBundles(all, views)) schedule();
      lastInspected = { text: req.certificates, at: req.at, gateway: req.gateway, bundles: bundlesKey(req.bundles), when: res.at, leaf, certs: res.certificates, findings: res.findings ?? [], gateways: res.gateways, header: res.header };
      complete = !rulePending(res);
      if (!complete) showRulePending();
      rendered(complete, !!res.certificates?.length);
      firstPaint.reveal(); // the verdict drawn is this request's, complete or not
    }
  } catch (e) {
    const msg = e instanceof EngineTimeout || e instanceof EngineStopped ? e.message : `the engine failed: ${(e as Error).message}`;
    renderEngineError({ code: e instanceof EngineTimeout ? "timeout" : "engine", message: msg });
    gateways.hideTrust();
    shownFor = inputsKey(req); // the error is this request's answer
  } finally {
    inFlight = false;
  }
  refreshExport();
  serveOwn.refresh();
  const verdict = byId("verdict");
  verdict.dataset.seq = String(++seq);
  const now = performance.now();
  verdict.dataset.ms = (now - started).toFixed(2);
  verdict.dataset.engineMs = engine.lastCallMs.toFixed(2);
  performance.measure("mtlsplay:engine-call", { start: now - engine.lastCallMs, duration: engine.lastCallMs });
  verdict.setAttribute("aria-busy", "false");
  verdict.dataset.rule = complete ? "" : "pending";
  markStale();
  if (firstVerdict && complete) {
    firstVerdict = false;
    firstComplete();
    performance.mark("mtlsplay:first-verdict");
    firstPaint.engineVerdict();
    setTimeout(() => {
      editor.mount();
      setTimeout(() => editor.warm(), 50);
    }, 0);
    root.dataset.engineStartMs = engine.startMs.toFixed(1);
    root.dataset.engineCompileMs = engine.compileMs.toFixed(1);
    root.dataset.engineGoStartMs = engine.goStartMs.toFixed(1);
    root.dataset.firstCallMs = engine.lastCallMs.toFixed(1);
    root.dataset.engineInitAt = engine.initAt.toFixed(1);
    root.dataset.engineReadyAt = engine.readyAt.toFixed(1);
  } else if (!firstVerdict) {
    performance.measure("mtlsplay:change-to-verdict", { start: started, end: now });
    requestAnimationFrame(() => setTimeout(() => performance.measure("mtlsplay:change-to-paint", { start: started, end: performance.now() })));
  }
  if (dirty) queueMicrotask(run);
  else verdict.dataset.pending = complete ? "false" : "true"; // a pending rule is completed by onRuleReady
}

// --- certificate input -----------------------------------------------------------------

const certNotice = byId("cert-notice");

function notice(text: string | null): void {
  replace(certNotice, text ?? ""); // engine messages quote the input's names
  certNotice.hidden = !text;
}

function setCert(text: string, where = "the certificate box"): void {
  const s = stripPrivateKeys(text);
  certInput.value = s.text;
  notice(s.removed.length ? keyRefusal(s.removed, where) : null);
  sampleTime(isSample(certInput.value));
  schedule();
}

function isSample(text: string): boolean {
  return sampleCerts.some((s) => s.pem === text);
}

// The engine recognised a private key the page's PEM check could not see (DER, bare
// base64): the input it came from is cleared, so the key is not kept or shared.
function refuseKeyFromEngine(err: EngineError, req: DecideRequest, boxes: number[]): void {
  if (err.input === "certificate" && certInput.value === req.certificates) {
    certInput.value = "";
    notice(`${err.message}. The certificate box has been cleared: mtlsplay never needs a private key, and nothing was stored or sent anywhere.`);
    schedule();
    return;
  }
  const i = err.input === "bundle" && err.bundle ? err.bundle - 1 : -1;
  const text = bundleList.querySelectorAll(".bundle")[boxes[i]]?.querySelector("textarea");
  if (text && text.value === req.bundles[i]?.pem) {
    text.value = "";
    notice(`${err.message}. The bundle "${req.bundles[i].name}" has been cleared: a truststore holds CA certificates, never a private key.`);
    schedule();
  }
}

certInput.addEventListener("input", () => {
  const s = stripPrivateKeys(certInput.value);
  if (s.removed.length) {
    certInput.value = s.text;
    notice(keyRefusal(s.removed, "the certificate box"));
  } else if (!certInput.value.trim()) {
    notice(null); // the refusal stays until the box is cleared or refilled
  }
  if (!isSample(certInput.value)) sampleTime(false);
  schedule();
});

// The most of a file the page reads: the engine's limit on one input
// (certinput.MaxBytes) and a byte more, so that the engine says the file is too large
// and a huge file dropped by mistake is never read whole.
const MAX_FILE_BYTES = (1 << 20) + 1;

function base64(b: Uint8Array): string {
  const native = (b as Uint8Array & { toBase64?: () => string }).toBase64;
  if (native) return native.call(b);
  let bin = "";
  for (let i = 0; i < b.length; i += 0x8000) bin += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(bin);
}

type FileRead = { text: string } | { error: EngineError };

// readFile reads an opened or dropped file. Text is read as text (its PEM private-key
// blocks are then stripped as a paste's are). Binary, which starts with a SEQUENCE's
// 0x30 (DER, PKCS#12), goes to the engine's "read": the engine tells a certificate
// from a private key, an encrypted key or a PKCS#12 file by its structure, before
// anything of the file is shown or can reach a share link, and answers the
// certificates as PEM, so they can be seen, edited and shared like the rest.
async function readFile(f: File): Promise<FileRead> {
  const buf = new Uint8Array(await f.slice(0, MAX_FILE_BYTES).arrayBuffer());
  if (buf[0] !== 0x30) return { text: new TextDecoder().decode(buf) };
  try {
    const r = await engine.call<ReadResponse | { error: EngineError }>("read", { data: base64(buf), source: f.name });
    return isError(r) ? { error: r.error } : { text: r.pem };
  } catch (e) {
    return { error: { code: "engine", message: `${f.name}: the engine could not read the file (${(e as Error).message})` } };
  }
}

// refuseFile leaves box empty and says why the file was not read into it.
function refuseFile(err: EngineError, name: string, box: HTMLTextAreaElement, where: string): void {
  box.value = "";
  notice(
    err.code === "private_key"
      ? `${err.message}. Nothing of the file ${name} was put in ${where}: mtlsplay never needs a private key, and the file was not stored or sent anywhere.`
      : `${err.message}. The file ${name} was not read into ${where}.`,
  );
  schedule();
}

function dropTarget(el: HTMLElement, onText: (text: string, name: string) => void, onRefused: (err: EngineError, name: string) => void): void {
  el.addEventListener("dragover", (e) => {
    e.preventDefault();
    el.classList.add("dragging");
  });
  el.addEventListener("dragleave", () => el.classList.remove("dragging"));
  el.addEventListener("drop", async (e) => {
    e.preventDefault();
    el.classList.remove("dragging");
    const f = e.dataTransfer?.files?.[0];
    if (f) {
      const r = await readFile(f);
      if ("text" in r) onText(r.text, f.name);
      else onRefused(r.error, f.name);
    } else {
      const t = e.dataTransfer?.getData("text/plain");
      if (t) onText(t, "");
    }
  });
}

function refuseCertFile(err: EngineError, name: string): void {
  sampleTime(false);
  refuseFile(err, name, certInput, "the certificate box");
}

dropTarget(certInput, (t, name) => setCert(t, name ? `the file ${name}` : "the certificate box"), refuseCertFile);
byId("open-file").addEventListener("click", () => byId<HTMLInputElement>("cert-file").click());
byId<HTMLInputElement>("cert-file").addEventListener("change", async (e) => {
  const input = e.target as HTMLInputElement;
  const f = input.files?.[0];
  input.value = "";
  if (!f) return;
  const r = await readFile(f);
  if ("text" in r) setCert(r.text, `the file ${f.name}`);
  else refuseCertFile(r.error, f.name);
});

const sampleSelect = byId<HTMLSelectElement>("sample");
for (const s of sampleCerts) sampleSelect.appendChild(h("option", { value: s.id, title: s.description }, s.label));
sampleSelect.addEventListener("change", () => {
  const s = sampleCerts.find((x) => x.id === sampleSelect.value);
  if (!s) return;
  // A sample may come with a rule; it replaces the rule only while that is still a sample's.
  const current = editor.text.trim();
  if (s.rule && (current === "" || current === defaultRule || sampleCerts.some((x) => x.rule === current))) editor.text = s.rule;
  byId("sample-help").textContent = s.description;
  setCert(s.pem);
});

// --- bundles -----------------------------------------------------------------------------

function addBundle(b: BundleInput, focus = false): void {
  const n = bundleList.querySelectorAll(".bundle").length;
  if (n >= MAX_BUNDLES) return;
  const id = `bundle-${Math.random().toString(36).slice(2, 8)}`;
  const name = h("input", { class: "bundle-name", id: `${id}-name`, value: b.name, "aria-label": "Bundle name", spellcheck: "false" });
  const ta = h("textarea", { id, class: "pem", wrap: "off", "data-testid": "bundle-input", spellcheck: "false", rows: "5", placeholder: "-----BEGIN CERTIFICATE----- (one or more CA certificates)", "aria-label": "Bundle PEM" });
  ta.value = b.pem;
  const remove = h("button", { type: "button", class: "secondary" }, "Remove");
  const box = h("div", { class: "bundle" }, h("div", { class: "bundle-head" }, name, remove), ta, h("div", { class: "bundle-summary muted", "aria-live": "off" }));
  remove.addEventListener("click", () => {
    // The keyboard keeps its place: on the next bundle's Remove (or the one before),
    // else on "Add bundle", not on the page's start where a removed button leaves it.
    const boxes = [...bundleList.querySelectorAll<HTMLElement>(".bundle")];
    const i = boxes.indexOf(box);
    const hadFocus = box.contains(document.activeElement);
    box.remove();
    renumber();
    if (hadFocus) ((boxes[i + 1] ?? boxes[i - 1])?.querySelector<HTMLElement>(".bundle-head button") ?? byId("add-bundle")).focus();
    schedule();
  });
  name.addEventListener("input", () => {
    name.dataset.named = "1"; // the person's name: the page no longer names it after its content
    schedule();
  });
  ta.addEventListener("input", () => {
    const s = stripPrivateKeys(ta.value);
    if (s.removed.length) {
      ta.value = s.text;
      notice(keyRefusal(s.removed, `the bundle "${name.value}"`));
    }
    schedule();
  });
  dropTarget(
    ta,
    (t) => {
      const s = stripPrivateKeys(t);
      ta.value = s.text;
      if (s.removed.length) notice(keyRefusal(s.removed, `the bundle "${name.value}"`));
      schedule();
    },
    (err, file) => refuseFile(err, file, ta, `the bundle "${name.value}"`),
  );
  bundleList.appendChild(box);
  renumber();
  if (focus) ta.focus();
}

function renumber(): void {
  const boxes = bundleList.querySelectorAll<HTMLElement>(".bundle");
  boxes.forEach((el, i) => (el.dataset.bundleIndex = String(i)));
  byId<HTMLButtonElement>("add-bundle").disabled = boxes.length >= MAX_BUNDLES;
  byId("bundle-count").textContent = `${boxes.length} of ${MAX_BUNDLES}`;
}

function setBundles(bs: BundleInput[]): void {
  bundleList.replaceChildren();
  for (const b of bs.slice(0, MAX_BUNDLES)) addBundle(b);
  renumber();
}

byId("add-bundle").addEventListener("click", () => {
  addBundle({ name: `bundle ${bundleList.querySelectorAll(".bundle").length + 1}`, pem: "" }, true);
  schedule();
});
const bundleSample = byId<HTMLSelectElement>("bundle-sample");
for (const b of sampleBundles) bundleSample.appendChild(h("option", { value: b.id }, b.label));
bundleSample.addEventListener("change", () => {
  const b = sampleBundles.find((x) => x.id === bundleSample.value);
  bundleSample.value = "";
  if (!b) return;
  const boxes = bundleList.querySelectorAll<HTMLElement>(".bundle");
  const empty = [...boxes].find((el) => !el.querySelector("textarea")!.value.trim());
  if (empty) {
    empty.querySelector<HTMLInputElement>(".bundle-name")!.value = b.name;
    empty.querySelector("textarea")!.value = b.pem;
  } else addBundle({ name: b.name, pem: b.pem });
  schedule();
});

// --- rule editor -------------------------------------------------------------------------------

const editor = new RuleEditor({
  parent: byId("rule-editor"),
  doc: defaultRule,
  onChange: (_t, at) => schedule(at),
  declarations: () => declarations,
});
const rulePane = new RulePane(editor, () => schedule(), docs);
// The editor itself is made after the first verdict (making it competes for the CPU
// with the engine's download, compile and first call, and would hold the verdict's
// rendering up), when the engine fails to start, or as soon as the person reaches for
// the rule.
void engine.whenReady().catch(() => editor.mount());

// --- the evaluation time --------------------------------------------------------------------------
// The samples come from a generated PKI whose dates are fixed (the good certificates
// are valid 2026-01-01 to 2028-01-01): evaluated "now" they would all read "expired"
// one day. So a sample is evaluated at the PKI's own clock, which the field shows and
// says; a certificate of the person's own is evaluated now. A time the person typed is
// theirs and is never replaced.

const atHelp = byId("at-help");
// The HTML of the first paint (design 6.4) fills the field with the samples' clock.
let atFromSample = atInput.hasAttribute("data-first-paint") && atInput.value === sampleClock;

function sampleTime(sample: boolean): void {
  if (sample && (atFromSample || !atInput.value.trim())) {
    atInput.value = sampleClock;
    atFromSample = true;
  } else if (!sample && atFromSample) {
    atInput.value = "";
    atFromSample = false;
  }
  describeTime();
}

function describeTime(): void {
  atHelp.textContent = atFromSample
    ? `Samples are evaluated at ${sampleClock}, the fixed clock of the generated sample certificates, so each keeps showing its case whatever today's date. A certificate of your own is evaluated now; clear the field to evaluate a sample now.`
    : atInput.value.trim()
      ? "Evaluated at this time, not now."
      : "Evaluated now.";
}

atInput.addEventListener("input", () => {
  atFromSample = false;
  describeTime();
  schedule();
});

// --- gateway -------------------------------------------------------------------------------

// The selected gateway's view comes with every decision (one gateway, cheap); every
// gateway's only while the side-by-side table is open, so closed it costs nothing.
byId("gateway").addEventListener("change", () => schedule());
// The Export panel follows the rule and the gateway; it is computed only while open.
function refreshExport(): void {
  const r = request();
  void exportPanel.refresh(
    engine,
    r.rule,
    r.dialect,
    r.bundles.map((b) => b.name),
  );
}
byId("export").addEventListener("toggle", refreshExport);
casesPane.attach(engine, (rule, dialect) => {
  rulePane.dialect = dialect;
  editor.text = rule;
  schedule();
});
serveOwn.attach(() => ({ cert: certInput.value, bundles: bundlesNow(), rule: editor.text, dialect: rulePane.dialect, at: atInput.value.trim() }));
byId("gateway-all").addEventListener("toggle", () => {
  if (gateways.tableOpen()) schedule();
});

// --- share links ------------------------------------------------------------------------------

function state(): State {
  // The samples' clock is not the person's choice: a link leaves it out, and the page
  // that opens it applies it again if the certificate is a sample.
  return { cert: certInput.value, bundles: bundlesNow(), rule: editor.text, dialect: rulePane.dialect, at: atFromSample ? "" : atInput.value.trim(), gateway: gateways.selected(), cases: casesPane.get() };
}

function restore(s: Partial<State>): void {
  if (s.cert === undefined) useSampleCert(sampleCerts[0]);
  else certInput.value = stripPrivateKeys(s.cert).text;
  if (s.bundles === undefined) useDefaultBundles();
  else setBundles(s.bundles.map((b) => ({ name: b.name, pem: stripPrivateKeys(b.pem).text })));
  rulePane.dialect = s.dialect ?? "auto";
  gateways.select(s.gateway);
  editor.text = s.rule ?? defaultRule;
  atFromSample = false;
  atInput.value = s.at ?? "";
  if (s.at === undefined) sampleTime(isSample(certInput.value));
  else describeTime();
  casesPane.set((s.cases ?? []).map((c) => ({ ...c, chain: stripPrivateKeys(c.chain).text, bundles: c.bundles.map((b) => ({ name: b.name, pem: stripPrivateKeys(b.pem).text })) })));
  notice(null);
  schedule();
}

function useSampleCert(sample: (typeof sampleCerts)[number] | undefined): void {
  if (!sample) return;
  certInput.value = sample.pem;
  sampleSelect.value = sample.id;
  byId("sample-help").textContent = sample.description;
  sampleTime(true);
}

function useDefaultBundles(): void {
  setBundles(sampleBundles.length ? [{ name: sampleBundles[0].name, pem: sampleBundles[0].pem }] : [{ name: "bundle 1", pem: "" }]);
}

byId("share").addEventListener("click", async () => {
  const url = new URL(location.href);
  url.hash = await encode(state());
  history.replaceState(null, "", url.href);
  const out = byId<HTMLInputElement>("share-url");
  out.value = url.href;
  byId("share-box").hidden = false;
  out.focus();
  out.select();
  try {
    await navigator.clipboard.writeText(url.href);
    byId("share-status").textContent = "Link copied. It holds the certificate, bundles, rule and any cases; nothing was uploaded.";
  } catch {
    byId("share-status").textContent = "Copy the link above. It holds the certificate, bundles, rule and any cases; nothing was uploaded.";
  }
});

window.addEventListener("hashchange", async () => {
  try {
    const s = await decode(location.hash);
    if (s) {
      restore(s);
      byId("share-box").hidden = true; // it spoke of the page before this link
    }
  } catch (e) {
    unreadableLink(e as Error, "the page kept what it showed");
  }
});

// unreadableLink says, in the share box, that the link opened could not be read: in the
// verdict's error slot, the next verdict would hide it at once.
function unreadableLink(e: Error, outcome: string): void {
  byId<HTMLInputElement>("share-url").value = location.href;
  byId("share-box").hidden = false; // before the text: a hidden live region is not read out
  const cut = e instanceof NewerLink || e instanceof TooLargeLink ? "" : " A link cut short (chat and mail programs do that) is the usual cause: copy it whole.";
  // The message may quote the link's own text (an unknown dialect): marked like the rest.
  requestAnimationFrame(() => replace(byId("share-status"), `This share link could not be read (${e.message}); ${outcome}.${cut}`));
}

// --- start ------------------------------------------------------------------------------------

// The rule engine has started: the verdict is decided again by it (the inspector's
// left the rule pending, and the rule pane has no compile result yet).
engine.onRuleReady = () => schedule();
engine.onRestart = () => {
  byId("verdict").dataset.restarts = String(Number(byId("verdict").dataset.restarts ?? 0) + 1);
};

async function start(): Promise<void> {
  let restored = false;
  try {
    const s = await decode(location.hash);
    if (s) {
      openedFromLink();
      restore(s);
      restored = true;
    }
  } catch (e) {
    unreadableLink(e as Error, "the page opened with the sample instead");
  }
  if (!restored) {
    useSampleCert(sampleCerts[0]);
    useDefaultBundles();
    if (firstPaint.standing()) shownFor = inputsKey(); // the HTML's verdict answers them
    schedule();
  }
  try {
    await engine.whenReady();
  } catch (e) {
    renderEngineError({ code: "engine", message: (e as Error).message });
    return;
  }
  try {
    await engine.whenRuleReady();
  } catch (e) {
    // The inspector still answers certificates; a rule's verdict needs the rule engine.
    renderEngineError({ code: "engine", message: (e as Error).message });
    return;
  }
  await firstCompleteShown; // the rule engine's first call is the verdict's (see firstComplete)
  try {
    const d = await engine.call<unknown>("declarations", {});
    declarations = normalizeDeclarations(d);
  } catch {
    /* completion falls back to keywords */
  }
}

function normalizeDeclarations(d: unknown): Declaration[] {
  if (Array.isArray(d)) return d as Declaration[];
  if (d && typeof d === "object") {
    const o = d as Record<string, unknown>;
    if (Array.isArray(o.declarations)) return o.declarations as Declaration[];
    const all: Declaration[] = [];
    for (const [k, v] of Object.entries(o)) if (Array.isArray(v)) for (const x of v) all.push({ ...(x as Declaration), kind: (x as Declaration).kind ?? k.replace(/s$/, "") });
    return all;
  }
  return [];
}

listenForCopies(); // boot.js listens already, unless it could not load
hideError();
firstPaint.watch();
void start();

