// The rule pane around the editor: the dialect selector, a formula's CEL translation
// (read-only, copyable, "Use the CEL"), and the engine's issues as editor diagnostics
// and as a list under the editor. Compile errors are errors; lint warnings are
// warnings whose fix, when the engine gives it as text edits, is a quick-fix action in
// the editor and a button in the list (which a keyboard or a phone reaches more easily
// than a hover tooltip).

import type { Diagnostic } from "@codemirror/lint";
import { Positions } from "./cel";
import { byId, h, markRanges, replace } from "./dom";
import type { RuleEditor } from "./editor";
import type { Dialect, Issue, RuleInfo } from "./types";

const DIALECT_NAMES: Record<string, string> = { cel: "CEL", workato: "a Workato formula" };

export class RulePane {
  private select = byId<HTMLSelectElement>("dialect");
  private used = byId("dialect-used");
  private panel = byId("translation");
  private code = byId("cel-translation");
  private note = byId("translation-note");
  private warnings = byId("rule-warnings");
  private info: RuleInfo | null = null; // of the last rule that compiled
  private infoRule = ""; // that rule's text
  private read: "cel" | "workato" = "cel";

  /**
   * @param editor the rule editor
   * @param onChange called when the dialect changes (the rule must be evaluated again)
   * @param docs the docs folder's URL, for links to the lints' explanations
   */
  constructor(
    private editor: RuleEditor,
    onChange: () => void,
    private docs: string,
  ) {
    this.select.addEventListener("change", () => {
      this.syncLanguage();
      onChange();
    });
    byId("use-cel").addEventListener("click", () => this.useCEL());
  }

  get dialect(): Dialect {
    const v = this.select.value;
    return v === "cel" || v === "workato" ? v : "auto";
  }

  set dialect(d: Dialect) {
    this.select.value = d;
    this.syncLanguage();
  }

  /** The editor highlights the dialect chosen, or under auto the one the engine read. */
  private syncLanguage(): void {
    const d = this.dialect;
    this.editor.setLanguage(d === "auto" ? this.read : d);
  }

  /** useCEL replaces the formula with its CEL translation. */
  private useCEL(): void {
    const cel = this.info?.cel;
    if (!cel) return;
    if (this.dialect === "workato") this.dialect = "cel";
    this.editor.text = cel;
    this.editor.focus();
  }

  /**
   * show renders what the engine said about rule: info when it compiled (the dialect
   * it was read in, the translation, warnings), else the compile errors.
   */
  show(rule: string, info: RuleInfo | null, errors: Issue[]): void {
    const warnings = info?.warnings ?? [];
    this.editor.diagnostics(diagnostics(rule, [...errors, ...warnings], (edits) => this.editor.applyEdits(rule, edits)));
    if (info) {
      this.info = info;
      this.infoRule = rule;
      this.read = info.dialect === "workato" ? "workato" : "cel";
      this.used.dataset.dialect = this.read;
      this.used.textContent = rule.trim() ? `Read as ${DIALECT_NAMES[this.read]}.` : "";
    } else {
      this.used.dataset.dialect = "";
      this.used.textContent = errors.length ? (this.dialect === "auto" ? "Neither valid CEL nor a formula this page reads: see the error." : `Not valid as ${DIALECT_NAMES[this.dialect]}: see the error.`) : "";
    }
    this.syncLanguage();
    this.showTranslation(rule, info, errors.length > 0);
    this.showWarnings(rule, warnings, info ? [] : errors);
  }

  private showTranslation(rule: string, info: RuleInfo | null, failed: boolean): void {
    // While a formula is being edited and does not compile, the last translation stays,
    // marked stale, rather than flickering away at every keystroke; a rule that is not
    // an edit of that formula (another rule pasted or typed over it) shows none: the
    // CEL of an earlier rule would read as this one's.
    const stale = failed && this.dialect !== "cel" && this.info?.cel && isEditOf(rule, this.infoRule) ? this.info : null;
    const shown = info?.cel ? info : stale;
    this.panel.hidden = !shown;
    if (!shown?.cel) return;
    this.panel.classList.toggle("stale", shown !== info);
    this.note.textContent = shown === info ? "The formula runs as this CEL:" : "The formula does not compile now; this is the CEL of the last version that did:";
    replace(this.code, shown.cel);
    (byId("use-cel") as HTMLButtonElement).disabled = shown !== info;
  }

  /** highlightCEL marks, in the translation, the CEL of the formula range start..end. */
  highlightCEL(range: { start: number; end: number } | null): void {
    const cel = this.info?.cel;
    if (!cel || this.panel.hidden || this.panel.classList.contains("stale")) return;
    const m = range ? (this.info?.cel_map ?? []).filter((x) => x.start === range.start && x.end === range.end && !x.literal) : [];
    replace(this.code, ...markRanges(cel, m.map((x) => [x.cel_start, x.cel_end] as [number, number])));
  }

  /**
   * showWarnings lists the lint warnings, and the quick fixes of compile errors: an
   * error's message is already in the verdict pane (#error), so its item here holds
   * only the fix and its button.
   */
  private showWarnings(rule: string, warnings: Issue[], errors: Issue[]): void {
    const fixable = errors.filter((e) => e.edits?.length);
    this.warnings.hidden = warnings.length + fixable.length === 0;
    replace(
      this.warnings,
      fixable.map((e) => {
        const fix = h("button", { type: "button", class: "secondary fix" }, "Apply fix");
        fix.addEventListener("click", () => {
          if (this.editor.applyEdits(rule, e.edits ?? [])) this.editor.focus();
        });
        const where = e.line ? ` at ${e.line}:${e.column ?? 1}` : "";
        return h("li", { class: "rule-error-fix", "data-error-fix": "" }, h("span", { class: "sev-icon", "aria-hidden": "true" }, "✗"), h("div", null, h("p", { class: "finding-fix" }, h("strong", null, `Fix for the error${where}: `), e.fix ?? "apply the engine's edit", " ", fix)));
      }),
      warnings.map((w) => {
        const fix = w.edits?.length ? h("button", { type: "button", class: "secondary fix" }, "Apply fix") : null;
        fix?.addEventListener("click", () => {
          if (this.editor.applyEdits(rule, w.edits ?? [])) this.editor.focus();
        });
        return h(
          "li",
          { class: "rule-warning", "data-lint-id": w.id ?? "" },
          h("span", { class: "sev-icon", "aria-hidden": "true" }, "⚠"),
          h(
            "div",
            null,
            h("p", null, h("strong", null, "Warning"), w.line ? ` at ${w.line}:${w.column ?? 1}` : "", ": ", w.message),
            w.fix ? h("p", { class: "finding-fix" }, h("strong", null, "Fix: "), w.fix, " ", fix) : fix,
            w.id ? h("p", { class: "finding-links" }, h("a", { href: `${this.docs}formulas.html#${encodeURIComponent(w.id)}` }, `about ${w.id}`)) : null,
          ),
        );
      }),
    );
  }
}

/**
 * isEditOf: whether rule is an edit of before in one place (what typing or deleting
 * does), not another rule: the text they share at the start and at the end is at
 * least half of the shorter one.
 */
export function isEditOf(rule: string, before: string): boolean {
  const a = [...rule];
  const b = [...before];
  const n = Math.min(a.length, b.length);
  let p = 0;
  while (p < n && a[p] === b[p]) p++;
  let q = 0;
  while (q < n - p && a[a.length - 1 - q] === b[b.length - 1 - q]) q++;
  return n > 0 && 2 * (p + q) >= n;
}

/** diagnostics places the engine's issues (code-point offsets) in the editor. */
export function diagnostics(rule: string, issues: Issue[], apply: (edits: NonNullable<Issue["edits"]>) => boolean): Diagnostic[] {
  const pos = new Positions(rule);
  return issues.map((i) => {
    const cp = i.start ?? i.offset;
    let from = cp !== undefined ? pos.offset(cp) : pos.at(i.line ?? 1, i.column ?? 1);
    let to = i.end !== undefined ? pos.offset(i.end) : from;
    if (to <= from) {
      // Underline the token at the position (at least one character).
      const m = /^[A-Za-z0-9_.]+|^./.exec(rule.slice(from));
      to = from + (m ? m[0].length : 0);
      if (to === from && from > 0) from--;
    }
    const severity = i.severity === "warning" ? "warning" : i.severity === "info" ? "info" : "error";
    const where = i.line ? `${i.line}:${i.column ?? 1}: ` : "";
    const d: Diagnostic = { from, to, severity, message: where + i.message + (i.fix ? `\nFix: ${i.fix}` : ""), source: i.id ? `mtlsplay ${i.id}` : "mtlsplay" };
    const edits = i.edits;
    if (edits?.length) d.actions = [{ name: "Apply fix", apply: () => void apply(edits) }];
    return d;
  });
}
