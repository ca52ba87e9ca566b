// The "Serve it yourself" panel (design 6.1): from what the playground shows, the
// files and commands that run the same decision in `mtlsplay serve` on the person's
// own machine: a config of one client (no tls section: serve lends it the demo's
// server certificate for localhost and prints a curl line, design 7.4), each bundle
// to save beside it, and the chain to save as CERT.pem. Everything is written here,
// in the page: nothing is sent anywhere.

import { byId, copyButton, h, replace } from "./dom";
import type { BundleInput } from "./types";

/** What the panel is written from: the playground's inputs as they are now. */
export interface ServeOwnInputs {
  cert: string;
  bundles: BundleInput[];
  rule: string;
  dialect: string; // auto, cel or workato
  at: string; // the decision time the person typed, or ""
}

// The names serve's banner uses for the person's chain and key (demo.OwnCertFile,
// demo.OwnKeyFile), and the config's.
export const CONFIG_FILE = "mtlsplay.yaml";
export const CERT_FILE = "CERT.pem";
export const KEY_FILE = "KEY.pem";

/** A file to save, and its content exactly as it is to be written. */
export interface OwnFile {
  name: string;
  what: string;
  text: string;
}

/**
 * slug turns a name into one the config accepts as a client's name and as a file
 * name: lower-case letters, digits, '.', '_' and '-', starting with a letter or
 * digit, at most max characters (clients[].name is ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$).
 */
export function slug(name: string, fallback: string, max = 64): string {
  const s = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, max)
    .replace(/-+$/, "");
  return s || fallback;
}

/**
 * yamlString is s as a YAML double-quoted scalar that reads back as exactly s:
 * quotes, backslashes, line breaks and every character YAML does not print or
 * reads as a break (C0 and C1 controls, U+2028, U+2029, U+FEFF, U+FFFE, U+FFFF)
 * are escaped. A lone surrogate, which no file can hold, is written as U+FFFD, as
 * the engine reads it.
 */
export function yamlString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c >= 0xd800 && c <= 0xdfff) out += "\\uFFFD";
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || c === 0xfeff || c === 0xfffe || c === 0xffff) out += "\\u" + c.toString(16).toUpperCase().padStart(4, "0");
    else out += ch;
  }
  return out + '"';
}

/** The config, the files beside it and the client's name, for the inputs. */
export function write(inp: ServeOwnInputs): { client: string; files: OwnFile[] } {
  const client = slug(inp.bundles[0]?.name ?? "", "my-client");
  // File names are compared without case: CERT.pem and cert.pem are one file on
  // macOS and Windows.
  const taken = new Set([CONFIG_FILE, CERT_FILE, KEY_FILE].map((n) => n.toLowerCase()));
  const bundleFiles = inp.bundles.map((b, i) => {
    const base = slug(b.name, `bundle-${i + 1}`, 59);
    let name = `${base}.pem`;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}-${n}.pem`;
    taken.add(name.toLowerCase());
    return { name, what: `the bundle "${b.name}"`, text: b.pem };
  });
  const lines = [
    `# ${CONFIG_FILE}, written by the mtlsplay playground. Run: mtlsplay serve --config ${CONFIG_FILE}`,
    "# No tls.cert: serve uses its demo server certificate for localhost and prints a",
    `# curl line that presents your chain (${CERT_FILE}) and key (${KEY_FILE}) from this folder.`,
    "tls:",
    "  ca_names: true # name your bundles' CAs in the handshake, so a browser sends your intermediate too",
    "clients:",
    `  - name: ${yamlString(client)}`,
  ];
  if (bundleFiles.length) lines.push("    bundles:", ...bundleFiles.map((f) => `      - ${yamlString(f.name)}`));
  if (inp.rule.trim()) lines.push(`    rule: ${yamlString(inp.rule)}`);
  if (inp.dialect && inp.dialect !== "auto") lines.push(`    dialect: ${yamlString(inp.dialect)}`);
  const files: OwnFile[] = [{ name: CONFIG_FILE, what: "the config", text: lines.join("\n") + "\n" }, ...bundleFiles];
  if (inp.cert.trim()) files.push({ name: CERT_FILE, what: "your certificate chain, as in the certificate box (leaf first)", text: inp.cert });
  return { client, files };
}

let inputs: (() => ServeOwnInputs) | null = null;
let lastKey = "";

/** attach makes the panel write itself from now() whenever it is opened. */
export function attach(now: () => ServeOwnInputs): void {
  inputs = now;
  byId("serve-own").addEventListener("toggle", refresh);
  openIfLinked();
  window.addEventListener("hashchange", openIfLinked);
}

/** openIfLinked opens the panel when the page's address names it (#serve-own, as /try/ links it). */
function openIfLinked(): void {
  if (location.hash === "#serve-own") byId<HTMLDetailsElement>("serve-own").open = true;
}

/** refresh writes the panel again from the inputs as they are now, if it is open. */
export function refresh(): void {
  const panel = byId<HTMLDetailsElement>("serve-own");
  if (!inputs || !panel.open) return;
  const inp = inputs();
  const code = byId("decision-code").dataset.code ?? "";
  const key = JSON.stringify([inp, code]);
  if (key === lastKey) return;
  lastKey = key;
  const { client, files } = write(inp);
  const block = (f: OwnFile) => {
    const copy = copyButton(() => f.text, f.name);
    return h("div", { class: "serve-own-file", "data-testid": "serve-own-file", "data-file": f.name }, h("div", { class: "toolbar" }, h("strong", null, f.name), h("span", { class: "muted" }, f.what), copy), h("pre", { class: "export-config" }, h("code", null, f.text)));
  };
  const command = (id: string, text: string) => h("div", { class: "toolbar" }, h("code", { id, "data-testid": id }, text), copyButton(() => text, "the command"));
  const curl = `curl --cacert STATE/demo/ca/root.pem --cert ${CERT_FILE} --key ${KEY_FILE} https://127.0.0.1:8443/c/${client}/`;
  const notes: HTMLElement[] = [];
  if (inp.at) notes.push(h("li", null, `This page decides at ${inp.at}; the echo decides now.`));
  if (!inp.bundles.length) notes.push(h("li", null, "No bundle: the echo answers 4016, as this page does."));
  if (!inp.cert.trim()) notes.push(h("li", null, `The certificate box is empty: save your own chain as ${CERT_FILE}.`));
  panel.dataset.state = "ready";
  panel.dataset.client = client;
  replace(
    byId("serve-own-steps"),
    h("li", null, `Save each file below in one new folder, exactly as shown (the copy buttons copy it whole).`, files.map(block)),
    h("li", null, `Save your certificate's private key as ${KEY_FILE} in the same folder. It never comes near this page.`),
    h("li", null, "In that folder, run:", command("serve-own-serve", `mtlsplay serve --config ${CONFIG_FILE}`)),
    h(
      "li",
      null,
      `serve prints a curl line for client ${client}, with its demo folder in place of STATE; run it in the same folder (the port is 8443 unless you chose another):`,
      command("serve-own-curl", curl),
      code === "" ? "" : h("p", { class: "muted" }, `The echo answers ${code === "0" ? "0 (accepted)" : code}, as this page does (the Mtlsplay-Code header, and the JSON's decision.code).`),
    ),
  );
  replace(byId("serve-own-notes"), notes);
}
