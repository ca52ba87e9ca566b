// The page's side of the engine: one Web Worker running the WebAssembly engine, a
// hard timeout on every call (the worker is terminated and a new one started, so a
// runaway call never freezes the page), and the compiled module kept so a restart
// costs an instantiation, not a download.

export class EngineTimeout extends Error {}

/** The Go program ended on its own (a bug, or out of memory); see Engine.stopped. */
export class EngineStopped extends Error {}

/** How many times a minute the engine is started again after it stopped on its own. */
const MAX_STOPS = 3;

/**
 * The least time the first call of each op is given. That call
 * compiles the op's code paths (V8 compiles WebAssembly functions lazily on first
 * use) and runs package initialisation: seconds on a slow or busy machine. With the
 * 2 s limit of a warm call, such a machine would stop every new engine in its first
 * call and never show a verdict.
 */
const FIRST_CALL_MS = 15000;

interface Pending {
  resolve: (v: string) => void;
  reject: (e: Error) => void;
  timer: number;
}

export class Engine {
  private worker!: Worker;
  private ready!: Promise<void>;
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private module?: WebAssembly.Module;
  /** How long the last start took, in ms (fetch + compile + Go start-up). */
  startMs = 0;
  /** Of startMs: fetching and compiling the module, and the Go program's start-up. */
  compileMs = 0;
  goStartMs = 0;
  /** When the last start began and ended, in ms on the page's timeline (performance.now()). */
  initAt = 0;
  readyAt = 0;
  /** How long the last call took inside the worker, in ms. */
  lastCallMs = 0;
  onRestart?: () => void;
  /** When the Go program ended on its own, in the last minute (performance.now()). */
  private stops: number[] = [];
  /**
   * The ops an engine of this page has answered once. A restarted worker keeps the
   * compiled module, so its ops are not given the first call's time again: a rule
   * that made the engine overrun is stopped at the warm limit the next time too.
   */
  private warm = new Set<string>();

  constructor(
    private workerURL: string,
    private wasmURL: string,
    private timeoutMs: () => number = () => 2000,
    booted?: { worker: Worker; early: MessageEvent[] },
  ) {
    this.start(booted);
  }

  /** start runs a new worker, or adopts one that boot.js started (with its early messages). */
  private start(booted?: { worker: Worker; early: MessageEvent[] }): void {
    const w = booted?.worker ?? new Worker(this.workerURL, { name: "mtlsplay-engine" });
    this.worker = w;
    let running = false;
    this.ready = new Promise<void>((resolve, reject) => {
      w.onmessage = (ev: MessageEvent) => {
        if (w !== this.worker) return; // a worker already replaced
        const m = ev.data;
        switch (m.type) {
          case "ready":
            running = true;
            if (m.module) this.module = m.module;
            this.startMs = m.ms;
            this.compileMs = m.compileMs;
            this.goStartMs = m.goStartMs;
            this.initAt = m.initAt - performance.timeOrigin;
            this.readyAt = m.readyAt - performance.timeOrigin;
            resolve();
            break;
          case "failed":
            reject(new Error(`the engine failed to start: ${m.message}`));
            break;
          case "exit":
            if (running) {
              this.stopped();
            } else {
              // Stopping before it ever ran is no accident of one input: starting it
              // again would stop it again.
              w.terminate();
              reject(new EngineStopped("the engine stopped while starting: reload the page to try again"));
            }
            break;
          case "result": {
            const p = this.pending.get(m.id);
            if (!p) return;
            this.pending.delete(m.id);
            clearTimeout(p.timer);
            this.lastCallMs = m.ms;
            p.resolve(m.response);
            break;
          }
        }
      };
      w.onerror = (ev) => {
        ev.preventDefault();
        reject(new Error(`the engine failed to start: ${ev.message || "its script could not be loaded"}`));
      };
    });
    this.ready.catch(() => {}); // every call reports it; no call may be waiting
    if (booted) {
      for (const ev of booted.early) w.onmessage!(ev);
    } else {
      w.postMessage({ type: "init", url: this.wasmURL, module: this.module });
    }
  }

  /**
   * stopped handles the end of the running Go program (the worker says so when it
   * ends, or when a call finds it ended): what was asked of it fails with a message
   * that says so, and a new engine starts from the module already compiled, unless
   * this is the (MAX_STOPS+1)th time in a minute: an engine that keeps stopping is
   * left stopped, and every call says to reload the page.
   */
  private stopped(): void {
    const now = performance.now();
    this.stops = this.stops.filter((t) => now - t < 60_000);
    this.stops.push(now);
    if (this.stops.length > MAX_STOPS) {
      const err = new EngineStopped(`the engine stopped ${this.stops.length} times within a minute and was not started again: reload the page`);
      this.worker.terminate();
      this.failAll(err);
      this.ready = Promise.reject(err);
      this.ready.catch(() => {}); // every call reports it
      return;
    }
    this.restart(new EngineStopped("the engine stopped unexpectedly and was started again: change anything to evaluate again"));
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
      this.pending.delete(id);
    }
  }

  /** Resolves once the engine is running. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** call sends op(request) to the engine and resolves with its parsed JSON answer. */
  async call<T = unknown>(op: string, request: unknown): Promise<T> {
    performance.mark(`mtlsplay:call:${op}`); // what the page asked, for DevTools and tests
    await this.ready;
    const id = this.nextId++;
    const limit = this.warm.has(op) ? this.timeoutMs() : Math.max(this.timeoutMs(), FIRST_CALL_MS);
    const text = await new Promise<string>((resolve, reject) => {
      const timer = self.setTimeout(() => {
        this.pending.delete(id);
        reject(new EngineTimeout(`the engine took longer than ${limit / 1000} s on "${op}" and was stopped; it has been restarted`));
        this.restart();
      }, limit);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ type: "call", id, op, request: JSON.stringify(request) });
    });
    this.warm.add(op);
    return JSON.parse(text) as T;
  }

  /**
   * restart terminates the worker (and whatever it is running) and starts a new one;
   * the calls it had are failed with reason.
   */
  restart(reason: Error = new EngineTimeout("the engine was restarted")): void {
    this.worker.terminate();
    this.failAll(reason);
    this.start();
    this.onRestart?.();
  }
}
