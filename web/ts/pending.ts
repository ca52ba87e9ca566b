// The verdict while only the inspector runs (docs/design.md §5.4). The inspector
// decides everything but the rule: a chain that fails, a missing certificate or
// bundle, or no rule at all is a complete verdict; a trusted chain with a rule is
// policy.RulePending, shown as the chain's verdict with the rule pending (never as
// accepted or rejected), until the rule engine answers the same request.
// It also records when the steps of a load happened, as performance marks.

import { byId, h, replace } from "./dom";
import type { DecideResponse } from "./types";

/** policy.RulePending: the chain is trusted, the rule not evaluated yet. */
export const RULE_PENDING = -1;

export function rulePending(res: DecideResponse): boolean {
  return res.code === RULE_PENDING;
}

/**
 * showRulePending turns the verdict just rendered from a response whose code is
 * RULE_PENDING into the chain's verdict with the rule pending. It runs in the same
 * task as the rendering, so nothing else is ever painted.
 */
export function showRulePending(): void {
  const verdict = byId("verdict");
  verdict.dataset.value = "pending";
  byId("verdict-badge").textContent = "Chain trusted";
  const code = byId("decision-code");
  code.dataset.code = "pending";
  code.textContent = "…";
  byId("code-name").textContent = "the rule is pending";
  replace(byId("rule-value"), "The rule is evaluated as soon as the rule engine has loaded.");
  for (const li of byId("steps").querySelectorAll<HTMLElement>('li[data-check="rule"]')) {
    li.className = "pending";
    li.querySelector(".mark")!.textContent = "…";
    li.querySelector(".mark")!.setAttribute("aria-label", "pending");
  }
  replace(byId("explain"), h("li", { class: "muted" }, "The rule is evaluated as soon as the rule engine has loaded."));
}

let fromLink = false;
let chainShown = false;
let fieldsShown = false;
let verdictShown = false;

/** openedFromLink says the page was opened from a share link: its marks are recorded. */
export function openedFromLink(): void {
  fromLink = true;
}

/**
 * rendered records the marks of a verdict just rendered: mtlsplay:chain-verdict
 * for the first (the inspector's, complete or not), and for a page opened from a
 * share link mtlsplay:link-fields (its certificate's fields shown) and
 * mtlsplay:link-verdict (its first complete verdict).
 */
export function rendered(complete: boolean, certificates: boolean): void {
  if (!chainShown) {
    chainShown = true;
    performance.mark("mtlsplay:chain-verdict");
  }
  if (!fromLink) return;
  if (certificates && !fieldsShown) {
    fieldsShown = true;
    performance.mark("mtlsplay:link-fields");
  }
  if (complete && !verdictShown) {
    verdictShown = true;
    performance.mark("mtlsplay:link-verdict");
  }
}
