// The page's side of the engine: one Web Worker running the two WebAssembly engines
// (the inspector, which answers first, and the rule engine, which follows: see
// worker.ts), a hard timeout on every call (the worker is terminated and a new one
// started, so a runaway call never freezes the page), and the compiled modules kept
// so a restart costs an instantiation, not a download.

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

/** The two engines in the worker. */
export type Which = "inspector" | "rule";

/** The operations only the rule engine has (they compile a rule; the suite's ops of the Cases pane, too). */
const RULE_OPS = new Set(["compile", "eval", "export", "declarations", "cases", "suite_read", "suite_write"]);

/** How one engine's start went, in ms; the times are on the page's timeline (performance.now()). */
export interface StartTiming {
  startMs: number;
  compileMs: number;
  goStartMs: number;
  initAt: number;
  readyAt: number;
}

interface Pending {
  resolve: (v: string) => void;
  reject: (e: Error) => void;
  timer: number;
}

export class Engine {
  private worker!: Worker;
  /** The inspector is running (or, if it failed to start, the rule engine is). */
  private ready!: Promise<void>;
  /** The rule engine is running. */
  private ruleReady!: Promise<void>;
  /** Whether the rule engine of the current worker is running: decide goes to it then. */
  ruleRunning = false;
  private inspectorFailed = false;
  /** Whether the rule engine has started or failed to: until then it may hold the worker's thread (its Go start-up). */
  private ruleSettled = false;
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private modules: Partial<Record<Which, WebAssembly.Module>> = {};
  /** The inspector's last start (the rule engine's is in startMs and the fields after it). */
  inspector: StartTiming = { startMs: 0, compileMs: 0, goStartMs: 0, initAt: 0, readyAt: 0 };
  /** Called each time a rule engine is ready, so that a verdict the inspector gave with its rule pending is completed. */
  onRuleReady?: () => void;
  /** How long the rule engine's last start took, in ms (fetch + compile + Go start-up). */
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
    private inspectorURL: string,
    private timeoutMs: () => number = () => 2000,
    booted?: { worker: Worker; early: MessageEvent[] },
  ) {
    this.start(booted);
  }

  /** start runs a new worker, or adopts one that boot.js started (with its early messages). */
  private start(booted?: { worker: Worker; early: MessageEvent[] }): void {
    const w = booted?.worker ?? new Worker(this.workerURL, { name: "mtlsplay-engine" });
    this.worker = w;
    this.ruleRunning = false;
    this.inspectorFailed = false;
    this.ruleSettled = false;
    let running = false;
    let settle!: { resolve: () => void; reject: (e: Error) => void };
    let settleRule!: { resolve: () => void; reject: (e: Error) => void };
    this.ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    this.ruleReady = new Promise<void>((resolve, reject) => (settleRule = { resolve, reject }));
    const failBoth = (e: Error) => {
      settle.reject(e);
      settleRule.reject(e);
    };
    w.onmessage = (ev: MessageEvent) => {
      if (w !== this.worker) return; // a worker already replaced
      const m = ev.data;
      switch (m.type) {
        case "ready": {
          running = true;
          const which: Which = m.engine;
          if (m.module) this.modules[which] = m.module;
          const t: StartTiming = { startMs: m.ms, compileMs: m.compileMs, goStartMs: m.goStartMs, initAt: m.initAt - performance.timeOrigin, readyAt: m.readyAt - performance.timeOrigin };
          if (which === "inspector") {
            this.inspector = t;
            performance.mark("mtlsplay:inspector-ready", { startTime: Math.max(0, t.readyAt) });
            settle.resolve();
          } else {
            ({ startMs: this.startMs, compileMs: this.compileMs, goStartMs: this.goStartMs, initAt: this.initAt, readyAt: this.readyAt } = t);
            performance.mark("mtlsplay:rule-engine-ready", { startTime: Math.max(0, t.readyAt) });
            this.ruleRunning = this.ruleSettled = true;
            settle.resolve(); // the rule engine answers everything when the inspector could not start
            settleRule.resolve();
            this.onRuleReady?.();
          }
          break;
        }
        case "failed":
          if (!m.engine) {
            // The worker itself (its script could not load: boot.ts says so).
            failBoth(new Error(`the engine failed to start: ${m.message}`));
          } else if (m.engine === "inspector") {
            // The rule engine, which follows, answers everything instead.
            this.inspectorFailed = true;
          } else {
            this.ruleSettled = true;
            const e = new Error(`the rule engine failed to start: ${m.message}`);
            if (this.inspectorFailed) settle.reject(new Error(`the engine failed to start: ${m.message}`));
            settleRule.reject(e);
          }
          break;
        case "exit":
          if (running) {
            this.stopped();
          } else {
            // Stopping before it ever ran is no accident of one input: starting it
            // again would stop it again.
            w.terminate();
            failBoth(new EngineStopped("the engine stopped while starting: reload the page to try again"));
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
      failBoth(new Error(`the engine failed to start: ${ev.message || "its script could not be loaded"}`));
    };
    this.ready.catch(() => {}); // every call reports it; no call may be waiting
    this.ruleReady.catch(() => {});
    if (booted) {
      for (const ev of booted.early) w.onmessage!(ev);
    } else {
      w.postMessage({ type: "init", url: this.wasmURL, inspector: this.inspectorURL, modules: this.modules });
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
      this.ruleReady = this.ready;
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

  /** Resolves once an engine is running (the inspector, first). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Resolves once the rule engine is running. */
  whenRuleReady(): Promise<void> {
    return this.ruleReady;
  }

  /**
   * target is the engine that answers op now: the rule engine for what compiles a
   * rule and, once it runs, for decide; the inspector for the rest.
   */
  private target(op: string): Which {
    if (RULE_OPS.has(op) || this.inspectorFailed) return "rule";
    if (op === "decide" && this.ruleRunning) return "rule";
    return "inspector";
  }

  /**
   * call sends op(request) to the engine that answers it (target) and resolves with
   * its parsed JSON answer. A call for the rule engine waits for it to start before
   * its time limit runs.
   */
  async call<T = unknown>(op: string, request: unknown): Promise<T> {
    performance.mark(`mtlsplay:call:${op}`); // what the page asked, for DevTools and tests
    let engine = this.target(op);
    await (engine === "rule" ? this.ruleReady : this.ready);
    engine = this.target(op); // the rule engine may have started meanwhile
    const id = this.nextId++;
    // Each engine compiles its own code paths on its first call of an op; and while
    // the rule engine starts, its Go start-up holds the worker's thread, so an
    // inspector's call may wait behind it: both get the first call's time.
    const key = `${engine}:${op}`;
    const limit = this.warm.has(key) && this.ruleSettled ? this.timeoutMs() : Math.max(this.timeoutMs(), FIRST_CALL_MS);
    const text = await new Promise<string>((resolve, reject) => {
      const timer = self.setTimeout(() => {
        this.pending.delete(id);
        reject(new EngineTimeout(`the engine took longer than ${limit / 1000} s on "${op}" and was stopped; it has been restarted`));
        this.restart();
      }, limit);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ type: "call", id, op, request: JSON.stringify(request), engine });
    });
    this.warm.add(key);
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
