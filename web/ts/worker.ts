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
// WebAssembly.instantiateStreaming accepts. A file named *.gz that the host served
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

const timing = { compile: 0, goStart: 0 };

async function instantiate(which: Which, url: string, compiled?: WebAssembly.Module): Promise<WebAssembly.Module | undefined> {
  const go = new Go();
  gos[which] = go;
  const t0 = performance.now();
  let module = compiled;
  let instance: WebAssembly.Instance;
  if (module) {
    instance = await WebAssembly.instantiate(module, go.importObject);
  } else {
    try {
      const r = await WebAssembly.instantiateStreaming(wasmResponse(url), go.importObject);
      module = r.module;
      instance = r.instance;
    } catch (e) {
      // Last resort for hosts or browsers where streaming fails: the plain .wasm.
      const plain = new URL(url, self.location.href);
      const compressed = plain.pathname;
      plain.pathname = compressed.replace(/\.(gz|br)$/, "");
      if (plain.pathname === compressed) throw e;
      const res = await fetch(plain);
      if (!res.ok) throw e;
      const r = await WebAssembly.instantiate(await res.arrayBuffer(), go.importObject);
      module = r.module;
      instance = r.instance;
    }
  }
  timing.compile = performance.now() - t0;
  const t1 = performance.now();
  // run() returns a promise that settles only when the Go program exits; main
  // registers the bridge synchronously before it blocks, so it is there right after.
  scope.mtlsplay = undefined;
  void go.run(instance).then(() => {
    delete bridges[which];
    scope.postMessage({ type: "exit", engine: which });
  });
  timing.goStart = performance.now() - t1;
  const bridge = scope.mtlsplay;
  scope.mtlsplay = undefined; // the next engine registers its own
  if (!bridge) throw new Error(`the ${which === "rule" ? "rule engine" : "inspector"} did not register mtlsplay.call`);
  bridges[which] = bridge;
  return module;
}

// start loads one engine and tells the page it is ready (or why it failed).
async function start(which: Which, url: string, compiled?: WebAssembly.Module): Promise<boolean> {
  const t0 = performance.now();
  try {
    const module = await instantiate(which, url, compiled);
    // Absolute times, so the page can place the engine's start on its own timeline.
    const initAt = performance.timeOrigin + t0;
    const readyAt = performance.timeOrigin + performance.now();
    scope.postMessage({ type: "ready", engine: which, ms: readyAt - initAt, initAt, readyAt, compileMs: timing.compile, goStartMs: timing.goStart, module: compiled ? undefined : module });
    return true;
  } catch (e) {
    scope.postMessage({ type: "failed", engine: which, message: String((e as Error)?.message ?? e) });
    return false;
  }
}

// init starts the inspector, then the rule engine: the inspector answers while the
// rule engine downloads and compiles. A rule engine hook for tests
// (?rule-delay-ms=N in the worker's URL, see boot.ts) holds the rule engine back.
async function init(msg: Init): Promise<void> {
  await start("inspector", msg.inspector, msg.modules?.inspector);
  const delay = Number(new URL(self.location.href).searchParams.get("rule-delay-ms")) || 0;
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  await start("rule", msg.url, msg.modules?.rule);
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
