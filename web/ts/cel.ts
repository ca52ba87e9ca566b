// CEL for CodeMirror: a small stream tokenizer for highlighting, and a helper to turn
// the engine's code-point offsets into editor positions.

import { StreamLanguage, type StreamParser, type StringStream } from "@codemirror/language";

const KEYWORDS = new Set(["true", "false", "null", "in"]);
const RESERVED = new Set(["as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while"]);
// The rule language's variables (docs/design.md); the declarations from the engine add more.
export const VARIABLES = new Set(["CN", "SAN", "DN", "cert", "chain", "now", "tls"]);

interface CelState {
  quote: string | null; // the open string's delimiter ('"', "'", '"""', "'''")
  raw: boolean;
}

function readString(stream: StringStream, state: CelState): string {
  const q = state.quote!;
  while (!stream.eol()) {
    if (stream.match(q)) {
      state.quote = null;
      return "string";
    }
    if (stream.next() === "\\" && !state.raw) stream.next();
  }
  if (q.length === 1) state.quote = null; // single-line strings end at the line's end
  return "string";
}

const parser: StreamParser<CelState> = {
  name: "cel",
  startState: () => ({ quote: null, raw: false }),
  token(stream, state) {
    if (state.quote) return readString(stream, state);
    if (stream.eatSpace()) return null;
    if (stream.match("//")) {
      stream.skipToEnd();
      return "comment";
    }
    // String and bytes literals, with optional r/R (raw) and b/B (bytes) prefixes.
    const lit = stream.match(/^(?:[rR][bB]?|[bB][rR]?)?("""|'''|"|')/) as RegExpMatchArray | null;
    if (lit) {
      state.quote = lit[1];
      state.raw = /[rR]/.test(lit[0].slice(0, lit[0].length - lit[1].length));
      return readString(stream, state);
    }
    if (stream.match(/^0[xX][0-9a-fA-F]+[uU]?/) || stream.match(/^(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?[uU]?/)) return "number";
    const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray | null;
    if (word) {
      const w = word[0];
      if (KEYWORDS.has(w)) return w === "in" ? "keyword" : "atom";
      if (RESERVED.has(w)) return "invalid";
      if (stream.match(/^\s*\(/, false)) return "variableName.function";
      const prev = stream.string.slice(0, stream.start).trimEnd();
      if (prev.endsWith(".")) return "propertyName";
      if (VARIABLES.has(w)) return "variableName.special";
      return "variableName";
    }
    if (stream.match(/^(?:==|!=|<=|>=|&&|\|\||[<>!+\-*/%?:])/)) return "operator";
    if (stream.match(/^[()[\]{}]/)) return "bracket";
    if (stream.match(/^[.,]/)) return "punctuation";
    stream.next();
    return "invalid";
  },
  languageData: {
    commentTokens: { line: "//" },
    closeBrackets: { brackets: ["(", "[", "{", '"', "'"] },
  },
};

export const celLanguage = StreamLanguage.define(parser);

/**
 * Positions maps the engine's code-point offsets (and line:column pairs, where the
 * column counts code points from 1) into UTF-16 offsets of a text, which is what
 * CodeMirror and JavaScript strings use.
 */
export class Positions {
  private cp: number[] = []; // cp[i] = UTF-16 offset of code point i; one past the end at cp[n]
  private lines: number[] = [0]; // code-point index where each line starts

  constructor(text: string) {
    let u = 0;
    let i = 0;
    for (const ch of text) {
      this.cp.push(u);
      u += ch.length;
      i++;
      if (ch === "\n") this.lines.push(i);
    }
    this.cp.push(u);
  }

  /** offset turns a code-point offset into a UTF-16 offset, clamped to the text. */
  offset(cp: number): number {
    if (!Number.isFinite(cp) || cp < 0) return 0;
    return this.cp[Math.min(cp, this.cp.length - 1)];
  }

  /** at turns a 1-based line and column (in code points) into a UTF-16 offset. */
  at(line: number, column: number): number {
    const l = Math.min(Math.max(line, 1), this.lines.length) - 1;
    return this.offset(this.lines[l] + Math.max(column, 1) - 1);
  }
}
