// The page arrives decided (docs/design.md §6): its HTML carries the default sample's
// verdict, explanation, findings and fields, rendered at build time by the native
// engine as render.ts renders them, so the first paint shows them and the engine's
// first verdict draws the same DOM again. This marks when a complete verdict was
// first on screen, and ends the hiding boot.ts starts for a share link.

import { byId } from "./dom";

/** The mark of the first paint that shows a complete verdict (docs/design.md §6). */
export const MARK = "mtlsplay:first-paint-verdict";

// shown: the HTML's verdict was on screen when the page's script started.
let shown = false;

function mark(startTime: number): void {
  if (performance.getEntriesByName(MARK).length === 0) performance.mark(MARK, { startTime });
}

/** carried says whether the page shows the verdict its HTML carries. */
export function carried(): boolean {
  return byId("verdict").hasAttribute("data-first-paint") && document.documentElement.dataset.firstPaint !== "stale";
}

/**
 * standing says the verdict on screen is still the complete one the HTML carries
 * for the page's request: shown, and no input changed since. The inspector's
 * verdict with the rule pending would then be a step back to a lesser state.
 */
export function standing(): boolean {
  return carried() && document.documentElement.dataset.edited !== "true"; // set by boot.ts
}

/**
 * watch marks the first contentful paint as the verdict's when the HTML's verdict
 * is shown: it is in the page from its first byte, so the first paint shows it.
 */
export function watch(): void {
  if (!carried()) return;
  shown = true;
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  if (fcp) return mark(fcp.startTime);
  if (typeof PerformanceObserver === "undefined") return;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.name !== "first-contentful-paint") continue;
      mark(e.startTime);
      obs.disconnect();
    }
  });
  obs.observe({ type: "paint", buffered: true });
}

/**
 * engineVerdict is called when the engine's first verdict (or error) is in the DOM:
 * what boot.ts hid is shown, and, when the HTML's verdict was not shown (a share
 * link, or a page without it), the next frame is the first with a complete verdict.
 */
export function engineVerdict(): void {
  reveal();
  if (!shown) requestAnimationFrame(() => setTimeout(() => mark(performance.now())));
}

/**
 * reveal shows what boot.ts hid for a share link: called with the engine's first
 * verdict, complete or the inspector's with the rule pending, which replaced it.
 */
export function reveal(): void {
  delete document.documentElement.dataset.firstPaint;
}
