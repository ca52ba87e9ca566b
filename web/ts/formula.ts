// Workato-style formulas for CodeMirror: a stream tokenizer for the Ruby-flavoured
// subset the engine translates (docs/workato.md), so a pasted formula is highlighted
// as what it is rather than as broken CEL: `include?` is one method name, `/…/` a
// regexp, `{ |s| … }` a block, `and`/`or`/`not` keywords.

import { StreamLanguage, type StreamParser } from "@codemirror/language";
import { VARIABLES } from "./cel";

const KEYWORDS = new Set(["and", "or", "not", "if", "then", "else", "do", "end"]);
const ATOMS = new Set(["true", "false", "nil"]);

interface FormulaState {
  // Whether the last token ends a value: then "/" divides, else it starts a regexp.
  afterValue: boolean;
  // A block's parameter list is open: `{ |s` … `|`.
  inParams: boolean;
}

function quoted(stream: { next(): string | void; eol(): boolean }, q: string): void {
  while (!stream.eol()) {
    const c = stream.next();
    if (c === "\\") stream.next();
    else if (c === q) return;
  }
}

const parser: StreamParser<FormulaState> = {
  name: "workato",
  startState: () => ({ afterValue: false, inParams: false }),
  token(stream, state) {
    if (stream.eatSpace()) return null;
    const value = (style: string | null) => {
      state.afterValue = true;
      return style;
    };
    const op = (style: string | null) => {
      state.afterValue = false;
      return style;
    };
    const ch = stream.peek()!;
    if (ch === '"' || ch === "'") {
      stream.next();
      quoted(stream, ch);
      return value("string");
    }
    if (ch === "/" && !state.afterValue) {
      stream.next();
      quoted(stream, "/");
      stream.match(/^[imxo]*/);
      return value("string.special");
    }
    if (stream.match(/^(?:\d+\.\d+|\d+)/)) return value("number");
    const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*[?!]?/) as RegExpMatchArray | null;
    if (word) {
      const w = word[0];
      if (state.inParams) return value("variableName.definition");
      if (KEYWORDS.has(w)) return op("keyword");
      if (ATOMS.has(w)) return value("atom");
      const prev = stream.string.slice(0, stream.start).trimEnd();
      if (prev.endsWith(".")) return value("propertyName");
      if (VARIABLES.has(w)) return value("variableName.special");
      return value("variableName");
    }
    if (stream.match("|")) {
      if (stream.match("|")) return op("operator");
      state.inParams = !state.inParams;
      return op("punctuation");
    }
    if (stream.match(/^(?:==|!=|=~|!~|<=|>=|&&|[<>!])/)) return op("operator");
    if (stream.match(/^[)\]}]/)) return value("bracket");
    if (stream.match(/^[([{]/)) return op("bracket");
    if (stream.match(/^[.,]/)) return op("punctuation");
    stream.next();
    return op("invalid");
  },
  languageData: {
    closeBrackets: { brackets: ["(", "[", "{", '"', "'"] },
  },
};

export const formulaLanguage = StreamLanguage.define(parser);
