// Small DOM helpers. Every piece of text that comes from a certificate, a bundle or
// the engine goes through textContent (via h's string children): never innerHTML.

import type { CopyButton } from "./copy";

type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | undefined> | null, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === false) continue;
      if (k === "class") el.className = String(v);
      else el.setAttribute(k, v === true ? "" : v);
    }
  }
  append(el, children);
  return el;
}

// Characters that are invisible or reorder the text around them (the list of
// internal/diagnose/deceptive.go): in a certificate's name they make what is shown
// differ from what a rule compares ("CN=\u202Emoc.elpmaxe" reads "CN=example.com").
const DECEPTIVE = /[\u0080-\u009F\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/g;

/**
 * textNode is a text node, except that each deceptive character is wrapped in a
 * span that shows its code point (CSS, .deceptive::before) and isolates it, so a
 * RIGHT-TO-LEFT OVERRIDE reorders nothing around it. The character itself stays:
 * textContent, copying and the tests read the exact text.
 */
function textNode(s: string): Node {
  if (s.search(DECEPTIVE) < 0) return document.createTextNode(s); // search ignores lastIndex
  const f = document.createDocumentFragment();
  let last = 0;
  for (const m of s.matchAll(DECEPTIVE)) {
    if (m.index > last) f.appendChild(document.createTextNode(s.slice(last, m.index)));
    const cp = "U+" + m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    const span = document.createElement("span");
    span.className = "deceptive";
    span.dataset.cp = cp;
    span.title = `${cp}: an invisible or text-reordering character; rules compare it, most displays hide it`;
    span.textContent = m[0];
    f.appendChild(span);
    last = m.index + m[0].length;
  }
  if (last < s.length) f.appendChild(document.createTextNode(s.slice(last)));
  return f;
}

function append(el: Node, children: (Child | Child[])[]): void {
  for (const c of children) {
    if (Array.isArray(c)) append(el, c);
    else if (c === null || c === undefined || c === false) continue;
    else if (typeof c === "string" || typeof c === "number") el.appendChild(textNode(String(c)));
    else el.appendChild(c);
  }
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

export function replace(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
}

/**
 * copyButton is a button that copies text() to the clipboard and says so: the
 * document's listener (copy.ts) does it, as for the buttons the HTML carries.
 */
export function copyButton(text: () => string, what: string): HTMLButtonElement {
  // The label is drawn by CSS (button.copy::after), not text: the text of a list of
  // values with a button each, like the SAN entries, is then the values alone.
  const b: CopyButton = h("button", { type: "button", class: "copy", "aria-label": `Copy ${what}`, title: `Copy ${what}`, "data-label": "Copy" });
  b.copyText = text;
  return b;
}

/**
 * markRanges returns text with the given code-point ranges wrapped in <mark>; an
 * empty range [a, a] becomes a caret mark at a, where the other text has characters
 * this one lacks.
 */
export function markRanges(text: string, ranges: [number, number][]): (Node | string)[] {
  const cps = [...text];
  const on = new Array<boolean>(cps.length).fill(false);
  const carets = new Set<number>();
  for (const [a, b] of ranges) {
    if (a === b && a >= 0 && a <= cps.length) carets.add(a);
    for (let i = Math.max(a, 0); i < Math.min(b, cps.length); i++) on[i] = true;
  }
  const caret = () => h("mark", { class: "missing", title: "characters missing here" }, "‸");
  const out: (Node | string)[] = [];
  let i = 0;
  while (i < cps.length) {
    if (carets.has(i)) out.push(caret());
    let j = i + 1;
    while (j < cps.length && on[j] === on[i] && !carets.has(j)) j++;
    const s = cps.slice(i, j).join("");
    out.push(on[i] ? h("mark", null, s) : s);
    i = j;
  }
  if (carets.has(cps.length)) out.push(caret());
  return out;
}
