package workato

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

type tokKind int

const (
	tkEOF    tokKind = iota
	tkIdent          // starts lower-case or with _: keywords, block parameters, method names (with ? or !)
	tkConst          // starts upper-case: CN, SAN, DN
	tkString         // text is the decoded value
	tkRegex          // text is the pattern as written between the slashes
	tkInt            // num is the value
	tkPunct          // text is the operator or bracket
)

type token struct {
	kind  tokKind
	text  string
	flags string // regexp flags after the closing slash
	num   int64
	start int // code point offsets in the formula
	end   int
	// space and newline say what separates the token from the one before, which
	// Ruby uses to tell a command argument (CN.match? /x/) from an operator.
	space   bool
	newline bool
}

// Operators, longest first, so that "===" is not read as "==" and "=".
var punctuation = []string{
	"===", "<=>", "**", "&&", "||", "==", "!=", "=~", "!~", "<=", ">=", "&.", "::", "..", "<<", ">>",
	"(", ")", "[", "]", "{", "}", "|", ",", ".", "!", "<", ">", "=", "+", "-", "*", "/", "%",
	"?", ":", "&", "^", "~", ";", "@", "$", "`", "\\",
}

type lexer struct {
	rs   []rune
	pos  int
	toks []token
}

// lex splits a formula into tokens. It stops at MaxTokens.
func lex(rs []rune) ([]token, *Error) {
	lx := &lexer{rs: rs}
	for {
		space, nl := lx.skipSpace()
		if len(lx.toks) >= MaxTokens {
			return nil, lx.errAt(lx.pos, lx.pos+1, fmt.Sprintf("formula is too long: more than %d tokens", MaxTokens))
		}
		t, err := lx.next()
		if err != nil {
			return nil, err
		}
		t.space, t.newline = space, nl
		lx.toks = append(lx.toks, t)
		if t.kind == tkEOF {
			return lx.toks, nil
		}
	}
}

func (lx *lexer) errAt(start, end int, msg string) *Error {
	if end <= start {
		end = start + 1
	}
	return &Error{Start: start, End: end, Message: msg}
}

func (lx *lexer) peek(k int) rune {
	if lx.pos+k < len(lx.rs) {
		return lx.rs[lx.pos+k]
	}
	return 0
}

// skipSpace skips white space and # comments.
func (lx *lexer) skipSpace() (space, newline bool) {
	for lx.pos < len(lx.rs) {
		switch r := lx.rs[lx.pos]; {
		case r == '\n':
			newline, space = true, true
			lx.pos++
		case r == ' ' || r == '\t' || r == '\r' || r == '\f' || r == '\v':
			space = true
			lx.pos++
		case r == '\\' && lx.peek(1) == '\n': // a line continuation
			space = true
			lx.pos += 2
		case r == '#':
			for lx.pos < len(lx.rs) && lx.rs[lx.pos] != '\n' {
				lx.pos++
			}
			space = true
		default:
			return space, newline
		}
	}
	return space, newline
}

// operandEnd reports whether the token before ends an operand, after which a
// slash divides instead of starting a regexp.
func (lx *lexer) operandEnd() (bool, tokKind) {
	if len(lx.toks) == 0 {
		return false, tkEOF
	}
	t := lx.toks[len(lx.toks)-1]
	switch t.kind {
	case tkIdent:
		switch t.text {
		case "and", "or", "not", "if", "unless", "when", "while", "until", "return", "do", "then", "else":
			return false, t.kind
		}
		return true, t.kind
	case tkConst, tkString, tkRegex, tkInt:
		return true, t.kind
	case tkPunct:
		return t.text == ")" || t.text == "]" || t.text == "}", t.kind
	}
	return false, t.kind
}

func (lx *lexer) next() (token, *Error) {
	start := lx.pos
	if lx.pos >= len(lx.rs) {
		return token{kind: tkEOF, start: start, end: start}, nil
	}
	r := lx.rs[lx.pos]
	switch {
	case r == unicode.ReplacementChar:
		return token{}, lx.errAt(start, start+1, "the formula is not valid UTF-8 (or holds U+FFFD) here")
	case r == '_' || isLetter(r):
		for lx.pos < len(lx.rs) && isIdentPart(lx.rs[lx.pos]) {
			lx.pos++
		}
		// A method name may end in ? or ! (include?, strip!), unless the mark
		// belongs to an operator that follows: CN.present?==true still reads
		// present? then ==, but x!= y is x then !=.
		if c := lx.peek(0); c == '?' || c == '!' {
			n := lx.peek(1)
			if n != '=' || lx.peek(2) == '=' || lx.peek(2) == '~' {
				lx.pos++
			}
		}
		text := string(lx.rs[start:lx.pos])
		kind := tkIdent
		if r >= 'A' && r <= 'Z' {
			kind = tkConst
		}
		return token{kind: kind, text: text, start: start, end: lx.pos}, nil
	case r >= '0' && r <= '9':
		return lx.number()
	case r == '"':
		return lx.doubleQuoted()
	case r == '\'':
		return lx.singleQuoted()
	case r == '/':
		isOperand, kind := lx.operandEnd()
		after := lx.peek(1)
		spaceAfter := after == ' ' || after == '\t' || after == '\n' || after == '='
		prevSpace := start > 0 && (lx.rs[start-1] == ' ' || lx.rs[start-1] == '\t')
		// Ruby's rule: after an operand, a slash divides, except after a method
		// name with a space before the slash and none after (CN.match? /x/).
		if !isOperand || (kind == tkIdent && prevSpace && !spaceAfter) {
			return lx.regexp()
		}
	case r == '%' && (lx.peek(1) == 'r' || lx.peek(1) == 'q' || lx.peek(1) == 'Q' || lx.peek(1) == 'w' || lx.peek(1) == 'W' || lx.peek(1) == 'i') && !isIdentPart(lx.peek(2)) && lx.peek(2) != ' ' && lx.peek(2) != 0:
		if ok, _ := lx.operandEnd(); !ok {
			what := map[rune]string{'r': "%r regexp literals", 'q': "%q string literals", 'Q': "%Q string literals", 'w': "%w word arrays", 'W': "%W word arrays", 'i': "%i symbol arrays"}[lx.peek(1)]
			hint := `write "…" or '…'`
			switch lx.peek(1) {
			case 'r':
				hint = "write /…/"
			case 'w', 'W', 'i':
				hint = `write ["a", "b"]`
			}
			return token{}, lx.errAt(start, start+2, what+" are not supported in formulas; "+hint)
		}
	case r == '?' && isIdentPart(lx.peek(1)) && !isIdentPart(lx.peek(2)):
		if ok, _ := lx.operandEnd(); !ok {
			return token{}, lx.errAt(start, start+2, fmt.Sprintf(`character literals (?%c) are not supported in formulas; write "%c"`, lx.peek(1), lx.peek(1)))
		}
	case r == ':' && (isLetter(lx.peek(1)) || lx.peek(1) == '_' || lx.peek(1) == '"'):
		if ok, _ := lx.operandEnd(); !ok || start > 0 && lx.rs[start-1] == ' ' {
			end := start + 1
			for end < len(lx.rs) && isIdentPart(lx.rs[end]) {
				end++
			}
			return token{}, lx.errAt(start, end, fmt.Sprintf(`symbols (%s) are not supported in formulas; write a string, "%s"`, string(lx.rs[start:end]), string(lx.rs[start+1:end])))
		}
	}
	for _, p := range punctuation {
		if lx.hasPrefix(p) {
			lx.pos += len(p)
			return token{kind: tkPunct, text: p, start: start, end: lx.pos}, nil
		}
	}
	return token{}, lx.errAt(start, start+1, fmt.Sprintf("unexpected character %q", r))
}

func (lx *lexer) hasPrefix(p string) bool {
	i := lx.pos
	for _, c := range p {
		if i >= len(lx.rs) || lx.rs[i] != c {
			return false
		}
		i++
	}
	return true
}

func isLetter(r rune) bool    { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }
func isIdentPart(r rune) bool { return r == '_' || isLetter(r) || r >= '0' && r <= '9' }

func (lx *lexer) number() (token, *Error) {
	start := lx.pos
	var b strings.Builder
	for lx.pos < len(lx.rs) {
		c := lx.rs[lx.pos]
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == '_' && lx.peek(1) >= '0' && lx.peek(1) <= '9':
		default:
			goto done
		}
		lx.pos++
	}
done:
	if c := lx.peek(0); c == '.' && lx.peek(1) >= '0' && lx.peek(1) <= '9' || isLetter(c) {
		for lx.pos < len(lx.rs) && (isIdentPart(lx.rs[lx.pos]) || lx.rs[lx.pos] == '.') {
			lx.pos++
		}
		return token{}, lx.errAt(start, lx.pos, fmt.Sprintf("number %s is not supported: formulas compare sizes with whole decimal numbers such as 2", string(lx.rs[start:lx.pos])))
	}
	n, err := strconv.ParseInt(b.String(), 10, 64)
	if err != nil {
		return token{}, lx.errAt(start, lx.pos, fmt.Sprintf("number %s is too large", string(lx.rs[start:lx.pos])))
	}
	return token{kind: tkInt, num: n, text: string(lx.rs[start:lx.pos]), start: start, end: lx.pos}, nil
}

// singleQuoted reads '…': only \\ and \' are escapes, as in Ruby.
func (lx *lexer) singleQuoted() (token, *Error) {
	start := lx.pos
	lx.pos++
	var b strings.Builder
	for lx.pos < len(lx.rs) {
		c := lx.rs[lx.pos]
		switch {
		case c == '\'':
			lx.pos++
			return token{kind: tkString, text: b.String(), start: start, end: lx.pos}, nil
		case c == '\\' && (lx.peek(1) == '\\' || lx.peek(1) == '\''):
			b.WriteRune(lx.peek(1))
			lx.pos += 2
		default:
			b.WriteRune(c)
			lx.pos++
		}
	}
	return token{}, lx.errAt(start, start+1, "string is not closed: add ' at its end")
}

// doubleQuoted reads "…" with Ruby's escapes; interpolation is refused.
func (lx *lexer) doubleQuoted() (token, *Error) {
	start := lx.pos
	lx.pos++
	var b strings.Builder
	for lx.pos < len(lx.rs) {
		c := lx.rs[lx.pos]
		switch {
		case c == '"':
			lx.pos++
			return token{kind: tkString, text: b.String(), start: start, end: lx.pos}, nil
		case c == '#' && (lx.peek(1) == '{' || lx.peek(1) == '@' || lx.peek(1) == '$'):
			return token{}, lx.errAt(lx.pos, lx.pos+2, `string interpolation (#{…}) is not supported in formulas; write \# for a literal #, or, in CEL, join strings with +: "DNS:" + CN`)
		case c == '\\':
			if err := lx.escape(&b); err != nil {
				return token{}, err
			}
		default:
			b.WriteRune(c)
			lx.pos++
		}
	}
	return token{}, lx.errAt(start, start+1, `string is not closed: add " at its end`)
}

// simpleEscapes are Ruby's one-letter escapes in double-quoted strings.
var simpleEscapes = map[rune]rune{'n': '\n', 't': '\t', 'r': '\r', 's': ' ', 'a': '\a', 'b': '\b', 'e': 0x1b, 'f': '\f', 'v': '\v'}

// escape decodes one backslash escape of a double-quoted string at lx.pos.
func (lx *lexer) escape(b *strings.Builder) *Error {
	at := lx.pos
	lx.pos++ // the backslash
	if lx.pos >= len(lx.rs) {
		return lx.errAt(at, at+1, "string ends after a backslash")
	}
	c := lx.rs[lx.pos]
	lx.pos++
	switch {
	case simpleEscapes[c] != 0:
		b.WriteRune(simpleEscapes[c])
	case c == '\n': // line continuation inside the string
	case c >= '0' && c <= '7':
		v := int(c - '0')
		for k := 0; k < 2 && lx.pos < len(lx.rs) && lx.rs[lx.pos] >= '0' && lx.rs[lx.pos] <= '7'; k++ {
			v = v*8 + int(lx.rs[lx.pos]-'0')
			lx.pos++
		}
		if v >= 0x80 {
			return lx.errAt(at, lx.pos, fmt.Sprintf(`byte escape %s is not a character: write the character itself or \u%04X`, string(lx.rs[at:lx.pos]), v))
		}
		b.WriteRune(rune(v))
	case c == 'x':
		v, n := 0, 0
		for ; n < 2 && lx.pos < len(lx.rs) && isHex(lx.rs[lx.pos]); n++ {
			v = v*16 + hexVal(lx.rs[lx.pos])
			lx.pos++
		}
		if n == 0 {
			return lx.errAt(at, lx.pos, `invalid hex escape \x: write \x41`)
		}
		if v >= 0x80 {
			return lx.errAt(at, lx.pos, fmt.Sprintf(`byte escape %s is not a character: write the character itself or \u%04X`, string(lx.rs[at:lx.pos]), v))
		}
		b.WriteRune(rune(v))
	case c == 'u':
		if lx.peek(0) == '{' {
			lx.pos++
			for {
				for lx.peek(0) == ' ' {
					lx.pos++
				}
				if lx.peek(0) == '}' {
					lx.pos++
					return nil
				}
				v, n := 0, 0
				for ; lx.pos < len(lx.rs) && isHex(lx.rs[lx.pos]); n++ {
					if n < 7 {
						v = v*16 + hexVal(lx.rs[lx.pos])
					}
					lx.pos++
				}
				if n == 0 || n > 6 || v > unicode.MaxRune || v >= 0xD800 && v < 0xE000 {
					return lx.errAt(at, lx.pos, `invalid Unicode escape: write \u{1F600} or \u00E9`)
				}
				b.WriteRune(rune(v))
			}
		}
		v := 0
		for k := 0; k < 4; k++ {
			if lx.pos >= len(lx.rs) || !isHex(lx.rs[lx.pos]) {
				return lx.errAt(at, lx.pos, `invalid Unicode escape: \u takes four hex digits, as in \u00E9`)
			}
			v = v*16 + hexVal(lx.rs[lx.pos])
			lx.pos++
		}
		if v >= 0xD800 && v < 0xE000 {
			return lx.errAt(at, lx.pos, "invalid Unicode escape: a surrogate is not a character")
		}
		b.WriteRune(rune(v))
	case c == 'c' || c == 'C' || c == 'M':
		return lx.errAt(at, lx.pos, fmt.Sprintf(`control and meta escapes (\%c) are not supported in formulas`, c))
	default:
		// Ruby drops the backslash of an unknown escape: "\." is ".".
		b.WriteRune(c)
	}
	return nil
}

func isHex(r rune) bool { return r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F' }

func hexVal(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= 'a' && r <= 'f':
		return int(r-'a') + 10
	}
	return int(r-'A') + 10
}

// regexp reads /…/flags. The pattern is kept as written; translateRegexp turns it
// into RE2 syntax.
func (lx *lexer) regexp() (token, *Error) {
	start := lx.pos
	lx.pos++
	inClass := 0
	for lx.pos < len(lx.rs) {
		c := lx.rs[lx.pos]
		switch {
		case c == '\\':
			lx.pos += 2
			continue
		case c == '#' && lx.peek(1) == '{':
			return token{}, lx.errAt(lx.pos, lx.pos+2, "interpolation (#{…}) in a regexp is not supported in formulas; write \\# for a literal #")
		case c == '[':
			inClass++
		case c == ']' && inClass > 0:
			inClass--
		case c == '/' && inClass == 0:
			pattern := string(lx.rs[start+1 : lx.pos])
			lx.pos++
			fstart := lx.pos
			for lx.pos < len(lx.rs) && isLetter(lx.rs[lx.pos]) {
				lx.pos++
			}
			flags := string(lx.rs[fstart:lx.pos])
			for i, f := range flags {
				switch f {
				case 'i', 'm', 'o', 'u':
				case 'x':
					return token{}, lx.errAt(fstart+i, fstart+i+1, "the x (extended) regexp flag is not supported in formulas; remove the white space and comments from the pattern")
				default:
					return token{}, lx.errAt(fstart+i, fstart+i+1, fmt.Sprintf("regexp flag %c is not supported in formulas; use i (ignore case) or m (dot matches newline)", f))
				}
			}
			return token{kind: tkRegex, text: pattern, flags: flags, start: start, end: lx.pos}, nil
		}
		lx.pos++
	}
	return token{}, lx.errAt(start, start+1, "regexp is not closed: add / at its end (division is not supported in formulas)")
}
