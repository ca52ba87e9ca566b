// boot.js runs in <head>, before the page is parsed and before app.js (CodeMirror and
// all) has loaded: it starts the engine's worker at once, so fetching and compiling the
// WebAssembly overlaps with loading the page. app.js adopts the worker (and any
// message that arrived early) and removes the one global this leaves.

import { listenForCopies } from "./copy";

// The HTML's copy buttons work from the first paint, before app.js (copy.ts).
listenForCopies();

// The page's HTML carries the default sample's verdict (docs/design.md §6). A share
// link opens another decision: that verdict must never show for it, so it is hidden
// (app.css) before the first paint, until the engine's own verdict replaces it.
if (location.hash.startsWith("#s=")) document.documentElement.dataset.firstPaint = "stale";
// Any change the person makes, even before app.js has loaded, means the HTML's
// verdict no longer answers the page's request (firstpaint.ts). Trusted events only:
// the page filling its own inputs is no change of the request.
for (const type of ["input", "change", "paste", "drop"]) {
  document.addEventListener(type, (e) => {
    if (e.isTrusted) document.documentElement.dataset.edited = "true";
  }, { capture: true });
}

const script = document.currentScript as HTMLScriptElement | null;
if (script?.dataset.worker && script.dataset.wasm && script.dataset.inspector && typeof Worker !== "undefined") {
  // The worker reads the engines' URLs from its own URL and starts at once (see
  // worker.ts): a message would wait for this thread, busy loading the page.
  const url = new URL(script.dataset.worker, document.baseURI);
  url.searchParams.set("wasm", new URL(script.dataset.wasm, document.baseURI).href);
  url.searchParams.set("inspector", new URL(script.dataset.inspector, document.baseURI).href);
  // A test hook: ?rule-delay-ms=N on the page holds the rule engine back N ms (at
  // most a minute) after the inspector is ready, so a test can see the inspector's
  // verdict alone.
  const delay = Math.min(Number(new URLSearchParams(location.search).get("rule-delay-ms")) || 0, 60_000);
  if (delay > 0) url.searchParams.set("rule-delay-ms", String(delay));
  const worker = new Worker(url.href, { name: "mtlsplay-engine" });
  const early: MessageEvent[] = [];
  worker.onmessage = (ev) => early.push(ev);
  // A worker that cannot load (its script missing, blocked) fires "error" before
  // app.js adopts it: kept as the "failed" message the worker itself would send.
  worker.onerror = (ev) => {
    ev.preventDefault();
    early.push(new MessageEvent("message", { data: { type: "failed", message: ev.message || `the engine's script (${url.pathname}) could not be loaded` } }));
  };
  (window as unknown as { mtlsplayBoot?: unknown }).mtlsplayBoot = { worker, early };
}
