// Copy buttons work from the first paint. The HTML carries buttons (the fields of
// the default sample, rendered at build time: web/site/firstpaint.go and
// playground.templ) before any script has drawn one, and the page's strict CSP
// allows no inline handler: one click listener on the document, added by boot.js in
// <head> before the page is parsed, serves every button.copy, those in the HTML and
// those the renderer draws (dom.ts copyButton) alike. No button has a listener of its
// own, so none copies twice.

/** A copy button; copyText, when its renderer set it, gives the text it copies. */
export type CopyButton = HTMLButtonElement & { copyText?: () => string };

/**
 * copiedText is what a copy button copies: the text its renderer gave it, else the
 * text of the element its data-copy names, else the text of the value it follows
 * (<code>value</code><button class="copy">, as the HTML renders each one).
 */
export function copiedText(b: CopyButton): string {
  if (b.copyText) return b.copyText();
  if (b.dataset.copy) return document.getElementById(b.dataset.copy)?.textContent ?? "";
  return b.previousElementSibling?.textContent ?? "";
}

const listening = "mtlsplayCopyListening";

/** listenForCopies adds the document's one listener for copy buttons, once. */
export function listenForCopies(): void {
  const doc = document as Document & { [listening]?: boolean };
  if (doc[listening]) return;
  doc[listening] = true;
  doc.addEventListener("click", (ev) => {
    const b = ev.target instanceof Element ? ev.target.closest<CopyButton>("button.copy") : null;
    if (b) void copy(b);
  });
}

async function copy(b: CopyButton): Promise<void> {
  const s = copiedText(b);
  try {
    await navigator.clipboard.writeText(s);
  } catch {
    const ta = document.createElement("textarea");
    ta.className = "visually-hidden";
    ta.setAttribute("aria-hidden", "true");
    ta.value = s;
    document.body.appendChild(ta);
    ta.select();
    document.execCommand("copy");
    ta.remove();
  }
  b.dataset.label = "Copied";
  b.classList.add("done");
  setTimeout(() => {
    b.dataset.label = "Copy";
    b.classList.remove("done");
  }, 1200);
}
