// Share links: the whole playground state (certificate, bundles, rule, time) in the
// URL fragment, deflate-raw compressed and base64url encoded. A fragment never leaves
// the browser, so nothing is sent to any server. Private keys never get here: the
// page strips them before they reach the state.

import type { PageCase } from "./cases";
import type { BundleInput, Dialect } from "./types";

export interface State {
  cert: string;
  bundles: BundleInput[];
  rule: string;
  dialect: Dialect;
  at: string;
  gateway: string; // the gateway whose view is shown; Workato when absent
  cases: PageCase[]; // the Cases pane's; none when absent
}

/** The most cases a link may hold (the Cases pane's limit, suite.MaxPageCases). */
export const MAX_LINK_CASES = 100;

// packCases writes cases with each distinct text (a chain, a bundle's PEM) once, in a
// table: cases share their bundles and often their chains, and deflate's 32 KiB window
// would not find a repeat several certificates back. [texts, rows]; a row is
// [name, chain, [[bundle name, pem]...], at, code, reason?, finding?], texts by index.
function packCases(cs: PageCase[]): unknown {
  if (!cs.length) return undefined;
  const texts: string[] = [];
  const index = new Map<string, number>();
  const ref = (t: string) => {
    let i = index.get(t);
    if (i === undefined) index.set(t, (i = texts.push(t) - 1));
    return i;
  };
  const rows = cs.map((c) => {
    const row: unknown[] = [c.name, ref(c.chain), c.bundles.map((b) => [b.name, ref(b.pem)]), c.at ?? "", c.expect.code];
    if (c.expect.reason || c.expect.finding) row.push(c.expect.reason ?? "", c.expect.finding ?? "");
    return row;
  });
  return [texts, rows];
}

function unpackCases(k: unknown): PageCase[] | undefined {
  if (k === undefined) return undefined;
  const bad = () => new NewerLink("its cases are not in a form this page reads: this link was made by a newer version of the playground");
  if (!Array.isArray(k) || k.length !== 2 || !Array.isArray(k[0]) || !Array.isArray(k[1])) throw bad();
  const [texts, rows] = k as [unknown[], unknown[]];
  if (rows.length > MAX_LINK_CASES) throw new TooLargeLink(`it holds ${rows.length} cases; a page keeps at most ${MAX_LINK_CASES}`);
  const text = (i: unknown) => {
    if (typeof i !== "number" || typeof texts[i] !== "string") throw bad();
    return texts[i] as string;
  };
  const str = (x: unknown) => {
    if (typeof x !== "string") throw bad();
    return x;
  };
  return rows.map((r) => {
    if (!Array.isArray(r) || r.length < 5 || !Array.isArray(r[2]) || typeof r[4] !== "number") throw bad();
    const c: PageCase = {
      name: str(r[0]),
      chain: text(r[1]),
      bundles: (r[2] as unknown[]).map((b) => {
        if (!Array.isArray(b)) throw bad();
        return { name: str(b[0]), pem: text(b[1]) };
      }),
      at: str(r[3]) || undefined,
      expect: { code: r[4] },
    };
    if (r[5]) c.expect.reason = str(r[5]);
    if (r[6]) c.expect.finding = str(r[6]);
    return c;
  });
}

const DIALECTS: readonly Dialect[] = ["auto", "cel", "workato"];

const PREFIX = "#s=";

async function pipe(data: Uint8Array, t: ReadableWritablePair<Uint8Array, Uint8Array>): Promise<Uint8Array> {
  const stream = new Blob([data as BlobPart]).stream().pipeThrough(t);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function toBase64url(b: Uint8Array): string {
  const native = (b as Uint8Array & { toBase64?: (o: object) => string }).toBase64;
  if (native) return native.call(b, { alphabet: "base64url", omitPadding: true });
  let s = "";
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(s: string): Uint8Array {
  const native = (Uint8Array as unknown as { fromBase64?: (s: string, o: object) => Uint8Array }).fromBase64;
  if (native) return native(s, { alphabet: "base64url" });
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** encode returns the fragment (with its leading #) that restores s. */
export async function encode(s: State): Promise<string> {
  const json = JSON.stringify({ v: 1, c: s.cert, b: s.bundles.map((b) => [b.name, b.pem]), r: s.rule, d: s.dialect === "auto" ? undefined : s.dialect, a: s.at || undefined, g: s.gateway === "workato" ? undefined : s.gateway || undefined, k: packCases(s.cases ?? []) });
  const z = await pipe(new TextEncoder().encode(json), new CompressionStream("deflate-raw") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
  return PREFIX + toBase64url(z);
}

/**
 * MAX_STATE_BYTES bounds what a link may inflate to. Chromium keeps at most 2 MiB of a
 * URL, so a link holds at most ~1.5 MiB of deflate data; certificates' PEM deflates to
 * no less than ~40% (the test PKI's ECDSA certificates; the Mozilla roots 58%), so the
 * largest state a link that opens at all can carry is under 4 MiB. (Five bundles and a
 * chain at the engine's 1 MiB limit each, 6 MiB, would need a link three times longer
 * than Chromium opens.) A link that inflates past it is a deflate bomb: 87 KB of link
 * inflated to 64 MB and froze the tab for a minute.
 */
export const MAX_STATE_BYTES = 4 << 20;

/** TooLargeLink is decode's error for a link that inflates past MAX_STATE_BYTES. */
export class TooLargeLink extends Error {}

// inflate reads the deflate-raw stream chunk by chunk and stops as soon as the output
// passes max, so a bomb costs the first few MiB of work, not all of it.
async function inflate(z: Uint8Array, max: number): Promise<Uint8Array> {
  const reader = new Blob([z as BlobPart]).stream().pipeThrough(new DecompressionStream("deflate-raw") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>).getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > max) {
      void reader.cancel().catch(() => {});
      throw new TooLargeLink(`it inflates to more than ${max >> 20} MiB, more than any link of real certificates holds, so it was not opened`);
    }
    parts.push(value);
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** NewerLink is decode's error for a link it can read but not understand: one made by
 * a newer version of the playground (not one cut short on its way). */
export class NewerLink extends Error {}

/** decode reads a fragment made by encode (or by the docs' "try it" links, which
 * hold only a rule: a field that is absent is undefined, so the page keeps its default). */
export async function decode(fragment: string): Promise<Partial<State> | null> {
  if (!fragment.startsWith(PREFIX)) return null;
  const z = fromBase64url(fragment.slice(PREFIX.length));
  const json = new TextDecoder().decode(await inflate(z, MAX_STATE_BYTES));
  const o = JSON.parse(json);
  if (o?.v !== 1) throw new NewerLink("this share link was made by a newer version of the playground");
  const str = (x: unknown) => (typeof x === "string" ? x : "");
  const opt = (x: unknown) => (typeof x === "string" ? x : undefined);
  return {
    cert: opt(o.c),
    bundles: Array.isArray(o.b) ? o.b.map((b: unknown[]) => ({ name: str(b?.[0]), pem: str(b?.[1]) })) : undefined,
    rule: opt(o.r),
    // A link made before dialects (or for auto) has none: auto. An unknown one is refused
    // rather than guessed, so the rule is never read in a language it was not written in.
    dialect: o.d === undefined ? undefined : DIALECTS.includes(o.d) ? (o.d as Dialect) : badDialect(o.d),
    at: opt(o.a),
    // A link made before the gateway selector has none: the page shows Workato's view.
    gateway: opt(o.g),
    // A link made before the Cases pane has none: the page keeps none.
    cases: unpackCases(o.k),
  };
}

function badDialect(d: unknown): never {
  throw new NewerLink(`unknown rule language ${JSON.stringify(d)}: this link was made by a newer version of the playground`);
}
