// The rule editor: CodeMirror 6 with CEL (or Workato formula) highlighting, completion
// from the engine's own declarations, compile errors and lint warnings as diagnostics
// (a warning's fix as a quick-fix action), and a highlight that shows where a
// sub-expression of the explanation sits in the rule.

import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, type Completion, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { bracketMatching, HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { type Diagnostic, lintKeymap, setDiagnostics } from "@codemirror/lint";
import { Compartment, EditorState, StateEffect, StateField } from "@codemirror/state";
import { Decoration, type DecorationSet, EditorView, keymap, placeholder } from "@codemirror/view";
import { tags as t } from "@lezer/highlight";
import { celLanguage, Positions } from "./cel";
import { formulaLanguage } from "./formula";
import type { Declaration, Edit } from "./types";

const highlight = HighlightStyle.define([
  { tag: t.keyword, color: "var(--hl-keyword)" },
  { tag: t.atom, color: "var(--hl-atom)" },
  { tag: t.number, color: "var(--hl-number)" },
  { tag: t.string, color: "var(--hl-string)" },
  { tag: t.comment, color: "var(--hl-comment)", fontStyle: "italic" },
  { tag: t.function(t.variableName), color: "var(--hl-function)" },
  { tag: t.special(t.variableName), color: "var(--hl-variable)", fontWeight: "600" },
  { tag: t.propertyName, color: "var(--hl-property)" },
  { tag: t.operator, color: "var(--hl-operator)" },
  { tag: t.invalid, color: "var(--bad)" },
]);

const theme = EditorView.theme({
  "&": { fontSize: "15px", backgroundColor: "var(--input-bg)", color: "var(--fg)", border: "1px solid var(--border)", borderRadius: "6px" },
  "&.cm-focused": { outline: "2px solid var(--focus)", outlineOffset: "1px" },
  ".cm-content": { fontFamily: "var(--mono)", minHeight: "4.5em", padding: "8px 0", caretColor: "var(--fg)" },
  ".cm-line": { padding: "0 10px" },
  ".cm-cursor": { borderLeftColor: "var(--fg)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground": { backgroundColor: "var(--selection) !important" },
  ".cm-placeholder": { color: "var(--muted)" },
  ".cm-tooltip": { backgroundColor: "var(--panel)", color: "var(--fg)", border: "1px solid var(--border)" },
  ".cm-tooltip-autocomplete > ul > li[aria-selected]": { backgroundColor: "var(--accent)", color: "var(--accent-fg)" },
  ".cm-completionDetail": { color: "var(--muted)", fontStyle: "normal", marginLeft: "1em" },
  ".cm-completionInfo": { maxWidth: "28em" },
  ".cm-diagnostic": { fontFamily: "var(--sans)", whiteSpace: "pre-wrap", maxWidth: "36em" },
  ".cm-diagnosticAction": { backgroundColor: "var(--accent)", color: "var(--accent-fg)", borderRadius: "4px", padding: "1px 8px" },
  ".cm-explain": { backgroundColor: "var(--explain)", borderRadius: "2px" },
});

// The sub-expression highlight (hovering or focusing a row of the explanation).
const setExplain = StateEffect.define<{ from: number; to: number } | null>();
const explainField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    deco = deco.map(tr.changes);
    for (const e of tr.effects) {
      if (!e.is(setExplain)) continue;
      deco = e.value && e.value.to > e.value.from ? Decoration.set([Decoration.mark({ class: "cm-explain" }).range(e.value.from, e.value.to)]) : Decoration.none;
    }
    return deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

const PLACEHOLDER = 'e.g. CN == "client.example.com" && SAN.exists(s, s.startsWith("DNS:"))';
const LABEL = "Rule (CEL or Workato formula)";

function languageOf(name: "cel" | "workato") {
  return name === "workato" ? formulaLanguage : celLanguage;
}

export interface RuleEditorOptions {
  parent: HTMLElement;
  doc: string;
  onChange: (text: string, at: number) => void;
  declarations: () => Declaration[];
}

/**
 * RuleEditor is the rule's CodeMirror editor, mounted lazily: creating it costs 100 to
 * 200 ms of the main thread here, which during a cold load is CPU taken from the
 * engine's download, compile and first call on a small machine. Until mount() (the
 * page calls it after the first verdict; focusing or clicking the rule calls it at
 * once) the rule shows as plain text in the same place and box, and the methods below
 * act on that text.
 */
export class RuleEditor {
  private view?: EditorView;
  private language = new Compartment();
  private languageName: "cel" | "workato" = "cel";
  private hasDiagnostics = false;
  private pending: { doc: string; diagnostics: Diagnostic[] };
  private stand: HTMLElement;

  constructor(private o: RuleEditorOptions) {
    this.pending = { doc: o.doc, diagnostics: [] };
    this.stand = document.createElement("pre");
    this.stand.className = "rule-standin";
    this.stand.tabIndex = 0;
    this.stand.dataset.testid = "rule-input";
    this.stand.dataset.placeholder = PLACEHOLDER;
    for (const [k, v] of Object.entries({ role: "textbox", "aria-multiline": "true", "aria-label": LABEL, "aria-describedby": "rule-help" })) this.stand.setAttribute(k, v);
    this.stand.textContent = o.doc;
    this.stand.addEventListener("focus", () => this.focus());
    // A mouse press would focus this text, gone by then: the editor takes the focus
    // instead. A touch is left to the browser, whose focus (above) is the one that
    // brings up a phone's keyboard, and which a scroll starting here does not give.
    this.stand.addEventListener("pointerdown", (ev) => {
      if (ev.pointerType !== "mouse") return;
      ev.preventDefault();
      this.focus();
    });
    o.parent.replaceChildren(this.stand);
  }

  /** mounted reports whether the CodeMirror editor exists yet. */
  get mounted(): boolean {
    return this.view !== undefined;
  }

  /** mount creates the editor in place of the plain text (once). */
  mount(): EditorView {
    if (this.view) return this.view;
    const o = this.o;
    const focused = document.activeElement === this.stand;
    const view = new EditorView({
      state: EditorState.create({
        doc: this.pending.doc,
        extensions: [
          history(),
          closeBrackets(),
          bracketMatching(),
          this.language.of(languageOf(this.languageName)),
          syntaxHighlighting(highlight),
          autocompletion({ override: [(ctx) => complete(ctx, o.declarations())], activateOnTyping: true }),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap]),
          placeholder(PLACEHOLDER),
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ "data-testid": "rule-input", "aria-label": LABEL, "aria-describedby": "rule-help" }),
          theme,
          explainField,
          EditorView.updateListener.of((u) => {
            if (u.docChanged) o.onChange(u.state.doc.toString(), performance.now());
          }),
        ],
      }),
    });
    this.view = view;
    o.parent.replaceChildren(view.dom);
    o.parent.dataset.ready = "true";
    if (this.pending.diagnostics.length) this.diagnostics(this.pending.diagnostics);
    this.pending.diagnostics = [];
    if (focused) view.focus();
    return view;
  }

  /** focus mounts the editor if need be and puts the cursor in it. */
  focus(): void {
    const mounted = this.mounted;
    const view = this.mount();
    if (!mounted) view.dispatch({ selection: { anchor: view.state.doc.length } });
    view.focus();
  }

  get text(): string {
    return this.view ? this.view.state.doc.toString() : this.pending.doc;
  }

  set text(s: string) {
    if (!this.view) {
      this.pending.doc = s;
      this.stand.textContent = s;
      this.o.onChange(s, performance.now());
      return;
    }
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: s } });
  }

  diagnostics(d: Diagnostic[]): void {
    if (!this.view) {
      this.pending.diagnostics = d;
      return;
    }
    // None before and none now: nothing to dispatch. The first verdict usually has
    // none, and the editor's first update costs 35 to 110 ms here (warm does it later).
    if (d.length === 0 && !this.hasDiagnostics) return;
    this.hasDiagnostics = d.length > 0;
    const len = this.view.state.doc.length;
    const clamp = (n: number) => Math.min(Math.max(n, 0), len);
    this.view.dispatch(setDiagnostics(this.view.state, d.map((x) => ({ ...x, from: clamp(x.from), to: clamp(x.to) }))));
  }

  /**
   * warm runs the editor's first update and sets up its diagnostics while the page is
   * idle, so that neither lands on a keystroke (the first costs tens of ms).
   */
  warm(): void {
    if (this.view && !this.hasDiagnostics) this.view.dispatch(setDiagnostics(this.view.state, []));
  }

  /** setLanguage switches the highlighting between CEL and Workato formulas. */
  setLanguage(name: "cel" | "workato"): void {
    if (name === this.languageName) return;
    this.languageName = name;
    this.view?.dispatch({ effects: this.language.reconfigure(languageOf(name)) });
  }

  /**
   * applyEdits applies a quick fix: edits at code-point offsets of source, which must
   * still be the editor's text (a fix computed for an older text is not applied; the
   * next verdict brings a fresh one). It reports whether the text changed.
   */
  applyEdits(source: string, edits: Edit[]): boolean {
    if (this.text !== source || edits.length === 0) return false;
    const view = this.mount();
    const pos = new Positions(source);
    const changes = [...edits].sort((a, b) => a.start - b.start).map((e) => ({ from: pos.offset(e.start), to: pos.offset(e.end), insert: e.replacement }));
    const tr = view.state.update({ changes, userEvent: "input.quickfix" });
    view.dispatch(tr);
    view.dispatch({ selection: { anchor: tr.changes.mapPos(changes[changes.length - 1].to, 1) } });
    return true;
  }

  explain(range: { from: number; to: number } | null): void {
    if (!this.view) return;
    const len = this.view.state.doc.length;
    this.view.dispatch({ effects: setExplain.of(range && { from: Math.min(range.from, len), to: Math.min(range.to, len) }) });
  }
}

// --- completion from the engine's declarations ---------------------------------------

function info(d: Declaration): string {
  const parts = [d.signature || "", d.doc || "", d.example ? `Example: ${d.example}` : ""];
  return parts.filter(Boolean).join("\n\n");
}

function option(d: Declaration, member: boolean): Completion {
  const fn = d.kind === "function" || d.kind === "macro";
  return {
    label: d.name,
    type: fn ? (member ? "method" : "function") : d.kind === "variable" ? "variable" : d.kind === "field" ? "property" : "keyword",
    detail: d.type,
    info: info(d) || undefined,
    apply: fn ? `${d.name}(` : d.name,
  };
}

/** fieldsAt lists the fields reachable as receiver.<name>, by the declarations' paths
 * (cert.subject.dn), where "[]" stands for any index (chain[0].subject → chain[].subject). */
function fieldsAt(receiver: string, decls: Declaration[]): Declaration[] {
  const norm = receiver.replace(/\[[^\]]*\]/g, "[]");
  return decls.filter((d) => d.kind === "field" && Array.isArray(d.paths) && (d.paths as string[]).some((p) => p === `${norm}.${d.name}`));
}

function complete(ctx: CompletionContext, decls: Declaration[]): CompletionResult | null {
  const member = ctx.matchBefore(/[A-Za-z_][A-Za-z0-9_.[\]]*\.[A-Za-z0-9_]*$/);
  if (member) {
    const dot = member.text.lastIndexOf(".");
    const fields = fieldsAt(member.text.slice(0, dot), decls);
    const seen = new Set<string>();
    const options: Completion[] = [];
    // A struct receiver offers its fields; anything else (a string, a list) the member functions and macros.
    const pool = fields.length ? fields : decls.filter((d) => d.kind !== "field" && d.member);
    for (const d of pool) {
      if (seen.has(d.name)) continue;
      seen.add(d.name);
      options.push(option(d, true));
    }
    return { from: member.from + dot + 1, options, validFor: /^[A-Za-z0-9_]*$/ };
  }
  const word = ctx.matchBefore(/[A-Za-z_][A-Za-z0-9_]*$/) ?? (ctx.explicit ? { from: ctx.pos, to: ctx.pos, text: "" } : null);
  if (!word) return null;
  const seen = new Set<string>();
  const options: Completion[] = [];
  for (const d of decls) {
    if (d.kind === "field" || d.kind === "operator" || d.member) continue;
    if (seen.has(d.name)) continue;
    seen.add(d.name);
    options.push(option(d, false));
  }
  for (const k of ["true", "false", "null", "in"]) if (!seen.has(k)) options.push({ label: k, type: "keyword" });
  return { from: word.from, options, validFor: /^[A-Za-z0-9_]*$/ };
}
