// The engine's Web Worker. It loads Go's wasm_exec.js (bundled in by web/build from
// the Go toolchain that built the .wasm), instantiates the two engines and answers
// calls: first the inspector (inspector.wasm, no cel-go: certificates, trust,
// findings, gateways, the decision up to the rule), then the rule engine
// (engine.wasm: everything, rules included), which the page uses once it is ready
// (docs/design.md §5.4). Each Go program registers one function, mtlsplay.call(op,
// json) → json, on this worker's global scope (never on the page's window); the
// worker takes it away after each start, so the two never see each other's.

import "go:wasm_exec";

declare const Go: new () => {
  importObject: WebAssembly.Imports;
  run(instance: WebAssembly.Instance): Promise<void>;
  exited: boolean;
};

interface Bridge {
  call(op: string, request: string): string;
}

/** The two engines: "inspector" starts first, "rule" follows. */
type Which = "inspector" | "rule";
type Init = { type: "init"; url: string; inspector: string; modules?: Partial<Record<Which, WebAssembly.Module>> };
type Call = { type: "call"; id: number; op: string; request: string; engine: Which };

interface WorkerScope {
  postMessage(message: unknown): void;
  onmessage: ((ev: MessageEvent<Init | Call>) => void) | null;
  mtlsplay?: Bridge;
}

const scope = self as unknown as WorkerScope;

const bridges: Partial<Record<Which, Bridge>> = {};
const gos: Partial<Record<Which, InstanceType<typeof Go>>> = {};

// wasmResponse fetches the engine and returns a Response that
// WebAssembly.compileStreaming accepts. A file named *.gz that the host served
// without Content-Encoding (python3 -m http.server, most plain hosts) still starts
// with gzip's magic bytes; it is decompressed here with DecompressionStream, while
// the bytes stream into the compiler. A host that decoded it already (Content-Encoding)
// hands over plain WebAssembly, which goes through untouched.
async function wasmResponse(url: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`fetching the engine (${url}): HTTP ${res.status}`);
  const reader = res.body.getReader();
  const first = await reader.read();
  const head = first.value ?? new Uint8Array();
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      if (!first.done) c.enqueue(head);
      else c.close();
    },
    async pull(c) {
      const r = await reader.read();
      if (r.done) c.close();
      else c.enqueue(r.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const stream = gzip ? body.pipeThrough(new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>) : body;
  return new Response(stream, { headers: { "content-type": "application/wasm" } });
}

// compile fetches and compiles an engine, streaming; for hosts or browsers where
// streaming fails, the plain .wasm is the last resort.
async function compile(url: string): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compileStreaming(wasmResponse(url));
  } catch (e) {
    const plain = new URL(url, self.location.href);
    const compressed = plain.pathname;
    plain.pathname = compressed.replace(/\.(gz|br)$/, "");
    if (plain.pathname === compressed) throw e;
    const res = await fetch(plain);
    if (!res.ok) throw e;
    return await WebAssembly.compile(await res.arrayBuffer());
  }
}

// run instantiates a compiled engine and starts its Go program; it resolves with
// the program's bridge, which main registers synchronously before it blocks.
async function run(which: Which, module: WebAssembly.Module): Promise<number> {
  const go = new Go();
  gos[which] = go;
  const instance = await WebAssembly.instantiate(module, go.importObject);
  const t1 = performance.now();
  scope.mtlsplay = undefined;
  // run() returns a promise that settles only when the Go program exits.
  void go.run(instance).then(() => {
    delete bridges[which];
    scope.postMessage({ type: "exit", engine: which });
  });
  const goStart = performance.now() - t1;
  const bridge = scope.mtlsplay;
  // The rule engine registers after the inspector, which is taken away first; the
  // rule engine's stays on the worker's scope, where a test can reach it.
  if (which === "inspector") scope.mtlsplay = undefined;
  if (!bridge) throw new Error(`the ${which === "rule" ? "rule engine" : "inspector"} did not register mtlsplay.call`);
  bridges[which] = bridge;
  return goStart;
}

// start waits for one engine's module, runs it and tells the page it is ready (or
// why it failed); t0 is when its loading began. fresh: the module was compiled
// here, and is handed to the page for a restart.
async function start(which: Which, compiling: Promise<WebAssembly.Module>, t0: number, fresh: boolean): Promise<void> {
  try {
    const module = await compiling;
    const compileMs = performance.now() - t0;
    const goStartMs = await run(which, module);
    // Absolute times, so the page can place the engine's start on its own timeline.
    const initAt = performance.timeOrigin + t0;
    const readyAt = performance.timeOrigin + performance.now();
    scope.postMessage({ type: "ready", engine: which, ms: readyAt - initAt, initAt, readyAt, compileMs, goStartMs, module: fresh ? module : undefined });
  } catch (e) {
    scope.postMessage({ type: "failed", engine: which, message: String((e as Error)?.message ?? e) });
  }
}

// The rule engine is fetched and compiled, and its Go program started (its
// packages' init holds this thread, a second or more on a busy machine), once the
// inspector has answered the page's first call, or FIRST_ANSWER_WAIT_MS after the
// inspector started: compiling both at once slowed the inspector's first verdict
// about 2× and brought the complete verdict no sooner (web/coldload -link, 6
// interleaved loads on 2 busy cores: first verdict shown 4692 → 2411 ms, complete
// verdict 13596 → 12603 ms).
const FIRST_ANSWER_WAIT_MS = 3000;
let inspectorAnswered!: () => void;
const firstAnswer = new Promise<void>((resolve) => (inspectorAnswered = resolve));

// init starts the inspector, then the rule engine after the inspector's first
// answer: the inspector answers while the rule engine downloads and compiles. A hook
// for tests (?rule-delay-ms=N in the worker's URL, see boot.ts) holds the rule
// engine back.
async function init(msg: Init): Promise<void> {
  const t0 = performance.now();
  const given = msg.modules ?? {};
  const inspector = given.inspector ? Promise.resolve(given.inspector) : compile(msg.inspector);
  await start("inspector", inspector, t0, !given.inspector);
  await Promise.race([firstAnswer, new Promise((r) => setTimeout(r, FIRST_ANSWER_WAIT_MS))]);
  const t1 = performance.now();
  const rule = given.rule ? Promise.resolve(given.rule) : compile(msg.url);
  rule.catch(() => {}); // start("rule") reports it
  const delay = Number(new URL(self.location.href).searchParams.get("rule-delay-ms")) || 0;
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  await start("rule", rule, t1, !given.rule);
}

scope.onmessage = async (ev: MessageEvent<Init | Call>) => {
  const msg = ev.data;
  if (msg.type === "init") {
    await init(msg);
    return;
  }
  if (msg.type === "call") {
    let response: unknown;
    const t0 = performance.now();
    try {
      // A Go program that has ended answers undefined (wasm_exec's function wrapper),
      // as does one that is gone.
      const bridge = bridges[msg.engine];
      response = bridge && !gos[msg.engine]?.exited ? bridge.call(msg.op, msg.request) : undefined;
    } catch (e) {
      response = JSON.stringify({ error: { code: "engine", message: String((e as Error)?.message ?? e) } });
    }
    if (typeof response !== "string") {
      scope.postMessage({ type: "exit", id: msg.id }); // the page starts a new engine
      return;
    }
    scope.postMessage({ type: "result", id: msg.id, response, ms: performance.now() - t0 });
    if (msg.engine === "inspector") inspectorAnswered();
  }
};

// boot.js names the engines in this script's URL (?wasm=…&inspector=…), so loading
// starts as soon as this script runs: a message from the page would wait for the
// page's main thread, which is busy loading the page then (by 50 to 200 ms here). A
// worker started without them (a restart) is sent an init message with the compiled
// modules instead.
const params = new URL(self.location.href).searchParams;
const selfStart = params.get("wasm");
const selfInspector = params.get("inspector");
if (selfStart && selfInspector) void init({ type: "init", url: selfStart, inspector: selfInspector });
