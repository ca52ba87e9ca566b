// The Export panel (design 6.1): the rule as the selected gateway's own
// configuration, from the engine's "export" operation (design 4, export). It is
// asked only while the panel is open, and again only when the rule, the dialect,
// the bundles' names or the gateway changed.

import { byId, copyButton, h, replace } from "./dom";
import type { Engine } from "./engine";
import { selected } from "./gateway";
import { type EngineError, isError } from "./types";

interface ExportResult {
  gateway: string;
  config: string;
  complete: boolean;
  missing: string[];
  notes: string[];
  source: "tested" | "documented";
  delegate?: string; // a partial config: how to decide with the whole rule (export.DelegateHint)
}

/** The gateways the engine exports to (export.Gateways). */
const EXPORTS = ["nginx", "haproxy", "caddy", "envoy"];

let lastKey = "";
let config = "";

function show(state: string, status: string, notes: HTMLElement[], text: string): void {
  byId("export").dataset.state = state;
  replace(byId("export-status"), status);
  replace(byId("export-notes"), notes);
  config = text;
  replace(byId("export-config"), text);
  const copy = copyButton(() => config, "the configuration");
  copy.dataset.testid = "export-copy";
  replace(byId("export-actions"), text ? copy : []);
}

/** refresh shows the export of the rule for the selected gateway, if the panel is open. */
export async function refresh(engine: Engine, rule: string, dialect: string | undefined, bundles: string[]): Promise<void> {
  if (!byId<HTMLDetailsElement>("export").open) return;
  const gateway = selected();
  const key = JSON.stringify([rule, dialect, bundles, gateway]);
  if (key === lastKey) return;
  lastKey = key;
  if (!EXPORTS.includes(gateway)) {
    show("unsupported", `Export writes nginx, HAProxy, Caddy and Envoy configuration: choose one of them as the gateway above.`, [], "");
    return;
  }
  let r: ExportResult | { error: EngineError };
  try {
    r = await engine.call<ExportResult | { error: EngineError }>("export", { rule, dialect, gateway, bundles });
  } catch (e) {
    lastKey = "";
    show("error", `The engine failed: ${(e as Error).message}`, [], "");
    return;
  }
  if (key !== lastKey) return; // a newer request is on its way
  if (isError(r)) {
    show("error", `Nothing to export: ${r.error.message}`, [], "");
    return;
  }
  const where = r.source === "tested" ? "tested against the real gateway" : "from the gateway's documentation, not tested here";
  const status = r.complete
    ? `Fully expressed: this ${r.gateway} config accepts exactly the certificates the rule accepts (${where}).`
    : `Partly expressed: the ${r.gateway} config refuses the certificates that need the parts below, so it accepts fewer than the rule, never more${r.delegate ? `; ${r.delegate}` : ""}.`;
  show(
    r.complete ? "complete" : "partial",
    status,
    [...r.missing.map((m) => h("li", { class: "missing" }, `Not expressed: ${m}`)), ...r.notes.map((n) => h("li", { class: "muted" }, n))],
    r.config,
  );
}
