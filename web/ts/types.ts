// The JSON shapes of internal/engine, as the WASM bridge returns them. Only what the
// page reads is typed; the engine may send more.

import type { GatewayTrust, GatewayView } from "./gateway";
import type { HeaderView } from "./header";

export interface EngineError {
  code: string;
  message: string;
  line?: number;
  column?: number;
  issues?: Issue[];
  /** The input a decide error is about; for a bundle, bundle is its position from 1. */
  input?: "certificate" | "bundle" | "rule";
  bundle?: number;
}

export interface ErrorResponse {
  error: EngineError;
}

/** The engine's "read": a file's certificates as PEM. */
export interface ReadResponse {
  pem: string;
}

export interface Issue {
  severity?: string; // "error" | "warning"
  message: string;
  line?: number;
  column?: number;
  offset?: number; // 0-based code-point offset of line:column
  start?: number; // code-point range, when known
  end?: number;
  snippet?: string;
  id?: string; // a warning's lint (san_no_prefix, …), as docs/workato.md lists them
  fix?: string;
  edits?: Edit[] | null; // the fix as text edits: a quick fix
  code?: string;
}

/** A text edit of the rule as written: code-point offsets. */
export interface Edit {
  start: number;
  end: number;
  replacement: string;
}

/** The dialects a rule can be written in; "auto" is CEL, else a formula. */
export type Dialect = "auto" | "cel" | "workato";

/** One span of a formula's CEL translation and the part of the formula it came from. */
export interface CelMapping {
  cel_start: number;
  cel_end: number;
  start: number;
  end: number;
  literal?: boolean;
}

/** What a response says about a rule beside its value (dialect.Info). */
export interface RuleInfo {
  dialect?: "cel" | "workato";
  cel?: string; // formulas only: the CEL that runs
  cel_map?: CelMapping[] | null;
  warnings?: Issue[] | null;
}

/** Something worth fixing in a certificate or its chain (diagnose.Finding). */
export interface Finding {
  id: string;
  severity: "error" | "warning" | "info";
  message: string;
  cert: number; // index in the presented chain; -1 for the chain or a bundle certificate
  fix: string;
}

export interface Attribute {
  rdn: number;
  type: string;
  oid: string;
  value: string;
}

export interface Name {
  dn: string;
  slash: string;
  cn: string;
  attributes: Attribute[] | null;
}

export interface Certificate {
  version: number;
  serial: string;
  signature_algorithm: string;
  issuer: Name;
  subject: Name;
  not_before: string;
  not_after: string;
  public_key: { algorithm: string; bits: number; curve: string };
  san_entries: string[] | null;
  spiffe_id: string;
  key_usage: string[] | null;
  ext_key_usage: string[] | null;
  is_ca: boolean;
  self_issued: boolean;
  sha256: string;
  sha1: string;
  problems: string[] | null;
  pem: string;
}

export interface InspectResponse {
  at: string; // the time of the findings, as a decision's
  certificates: Certificate[];
  leaf?: number; // as DecideResponse.leaf
  findings?: Finding[] | null;
  header?: HeaderView | null; // the input was read from a forwarded header
  gateways?: GatewayView[][] | null;
}

export interface RuleNode {
  id: number;
  start: number; // code-point offsets into the rule
  end: number;
  line: number;
  column: number;
  text: string;
  kind?: string; // ident, select, call, literal, list, map, struct, macro
  function?: string;
  type?: string;
  value?: string; // in CEL syntax: true, "DNS:x", ["a", "b"]
  error?: string;
  iterations?: { value?: string; error?: string }[] | null;
}

/** What decided a rule: an element of a list (index ≥ 0) or a substring (index -1). */
export interface RuleMatch {
  node: number;
  of: string; // "SAN", "DN", "cert.san.dns", …
  index: number;
  start?: number; // code points of the string, for a substring
  end?: number;
  value: string; // in CEL syntax
}

export interface RuleResult {
  value: boolean;
  error?: string;
  nodes?: RuleNode[] | null;
  matched?: RuleMatch[] | null;
  near_misses?: NearMiss[] | null;
}

// A string literal of a failed comparison beside the closest value the certificate has;
// the diffs are code point ranges of literal and value (empty: something is missing there).
export interface NearMiss {
  literal: string;
  of: string;
  value: string;
  distance: number;
  literal_diff: { start: number; end: number }[] | null;
  value_diff: { start: number; end: number }[] | null;
  message: string;
}

export interface Step {
  check: string;
  ok: boolean;
  detail: string;
}

// trust.Result: only the fields the page shows are typed; the rest is read loosely.
export interface Verification {
  ok: boolean;
  bundle?: string;
  chain?: unknown[] | null;
  failure?: { code?: string; message: string } | null;
  tried?: { bundle: string; ok: boolean; kind?: string; reason?: string }[] | null;
  [k: string]: unknown;
}

export interface BundleView {
  name: string;
  certificates: { subject: string; cn: string; sha256: string; not_after: string; is_ca: boolean }[] | null;
  warnings: unknown[] | null;
}

export interface DecideResponse extends RuleInfo {
  code: number;
  reason: string;
  steps: Step[] | null;
  verification?: Verification | null;
  rule?: RuleResult | null;
  at: string;
  certificates: Certificate[] | null;
  leaf?: number; // index in certificates of the certificate decided on, when not 0 (leaf_not_first)
  bundles: BundleView[] | null;
  findings?: Finding[] | null;
  header?: HeaderView | null; // the input was read from a forwarded header
  gateways?: GatewayView[][] | null; // with "gateway": per certificate, its views
  gateway_trust?: GatewayTrust[] | null; // with "gateway": its trust verdict beside Go's
}

export interface CompileResponse extends RuleInfo {
  ok: boolean;
  issues: Issue[] | null;
}

// One declaration of the rule language, for completion and the reference.
export interface Declaration {
  kind: string; // variable, field, function, macro, operator
  name: string;
  owner?: string; // fields: the CEL type that has the field
  paths?: string[]; // fields: where they are reached, e.g. cert.subject.dn; "[]" is any index
  type?: string;
  signature?: string; // functions: one overload per line
  member?: boolean; // called on a receiver: x.name(…)
  doc?: string;
  example?: string;
}

export interface BundleInput {
  name: string;
  pem: string;
}

export interface DecideRequest {
  certificates: string;
  bundles: BundleInput[];
  rule: string;
  dialect?: Dialect; // omitted: auto
  at?: string;
  gateway?: string; // a gateway's name or "all": the response gains "gateways"
}

export function isError(v: unknown): v is ErrorResponse {
  return typeof v === "object" && v !== null && "error" in v && typeof (v as ErrorResponse).error === "object";
}
