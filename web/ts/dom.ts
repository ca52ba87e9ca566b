// Small DOM helpers. Every piece of text that comes from a certificate, a bundle or
// the engine goes through textContent (via h's string children): never innerHTML.

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

function append(el: Node, children: (Child | Child[])[]): void {
  for (const c of children) {
    if (Array.isArray(c)) append(el, c);
    else if (c === null || c === undefined || c === false) continue;
    else if (typeof c === "string" || typeof c === "number") el.appendChild(document.createTextNode(String(c)));
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

/** copyButton copies text() to the clipboard and says so. */
export function copyButton(text: () => string, what: string): HTMLButtonElement {
  const b = h("button", { type: "button", class: "copy", "aria-label": `Copy ${what}`, title: `Copy ${what}` }, "Copy");
  b.addEventListener("click", async () => {
    const s = text();
    try {
      await navigator.clipboard.writeText(s);
    } catch {
      const ta = h("textarea", { class: "visually-hidden", "aria-hidden": "true" });
      ta.value = s;
      document.body.appendChild(ta);
      ta.select();
      document.execCommand("copy");
      ta.remove();
    }
    b.textContent = "Copied";
    b.classList.add("done");
    setTimeout(() => {
      b.textContent = "Copy";
      b.classList.remove("done");
    }, 1200);
  });
  return b;
}

/** markRanges returns text with the given code-point ranges wrapped in <mark>. */
export function markRanges(text: string, ranges: [number, number][]): (Node | string)[] {
  const cps = [...text];
  const on = new Array<boolean>(cps.length).fill(false);
  for (const [a, b] of ranges) for (let i = Math.max(a, 0); i < Math.min(b, cps.length); i++) on[i] = true;
  const out: (Node | string)[] = [];
  let i = 0;
  while (i < cps.length) {
    let j = i;
    while (j < cps.length && on[j] === on[i]) j++;
    const s = cps.slice(i, j).join("");
    out.push(on[i] ? h("mark", null, s) : s);
    i = j;
  }
  return out;
}
