// Private keys never belong in the playground. stripPrivateKeys removes every PEM
// private-key block (PKCS#1, PKCS#8, SEC 1, encrypted, OpenSSH, …) from pasted text
// before it reaches the state, the engine or a share link; the engine refuses keys
// as well, so a key in another form (bare base64, DER) still gets a clear error.

const KEY_BLOCK = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----[\s\S]*?(?:-----END \1-----|$)/g;
const PUTTY = /PuTTY-User-Key-File-\d+:[\s\S]*?Private-MAC:[^\n]*\n?/g;

export interface Stripped {
  text: string;
  removed: string[]; // the kinds of key removed, e.g. "EC PRIVATE KEY"
}

export function stripPrivateKeys(text: string): Stripped {
  const removed: string[] = [];
  let out = text.replace(KEY_BLOCK, (_m, kind: string) => {
    removed.push(kind);
    return "";
  });
  out = out.replace(PUTTY, () => {
    removed.push("PuTTY private key");
    return "";
  });
  if (removed.length === 0) return { text, removed };
  return { text: out.replace(/\n{3,}/g, "\n\n").trim() + (out.trim() ? "\n" : ""), removed };
}

export function keyRefusal(removed: string[], where: string): string {
  const kinds = [...new Set(removed)].join(", ");
  return `A private key (${kinds}) was pasted into ${where} and has been removed. mtlsplay never needs a private key: paste only certificates (BEGIN CERTIFICATE). The key was not sent anywhere, not stored and is not part of any share link — but if it is a real key, treat it as exposed where you copied it from.`;
}
