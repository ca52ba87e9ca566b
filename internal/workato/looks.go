package workato

import "strings"

// rubyOnlyMethods are method names that CEL does not have, so a call to one marks
// a formula even when the rule does not parse.
var rubyOnlyMethods = map[string]bool{
	"downcase": true, "upcase": true, "strip": true, "length": true, "each": true, "first": true,
	"last": true, "select": true, "detect": true, "collect": true, "grep": true, "to_s": true,
	"count": true,
}

// Looks reports whether src reads as a formula rather than as CEL: it uses Ruby's
// method names (include?, start_with?, downcase, …), blocks, regexp literals,
// =~, and, or, not, or nil. The dialect "auto" uses it to decide which error to
// show for a rule that is neither valid CEL nor a valid formula: a person who
// wrote SAN.include?("x") and made a typo wants the formula's error, not CEL's
// complaint about the question mark.
func Looks(src string) bool {
	if len(src) > MaxSourceBytes {
		return false
	}
	rs := []rune(src)
	lx := &lexer{rs: rs}
	for len(lx.toks) < MaxTokens {
		space, nl := lx.skipSpace()
		t, err := lx.next()
		if err != nil {
			// Stop at what the lexer cannot read; judge by what came before, and
			// by Ruby's string interpolation, which CEL does not have.
			return strings.Contains(src, "#{")
		}
		t.space, t.newline = space, nl
		prev := token{}
		if len(lx.toks) > 0 {
			prev = lx.toks[len(lx.toks)-1]
		}
		lx.toks = append(lx.toks, t)
		switch t.kind {
		case tkEOF:
			return false
		case tkRegex:
			if t.text == "" { // CEL's // comment, not Ruby's empty regexp
				for lx.pos < len(rs) && rs[lx.pos] != '\n' {
					lx.pos++
				}
				continue
			}
			return true
		case tkIdent:
			switch {
			case strings.HasSuffix(t.text, "?") || strings.HasSuffix(t.text, "!"):
				return true
			case t.text == "and" || t.text == "or" || t.text == "not" || t.text == "nil" || t.text == "do":
				return true
			case prev.kind == tkPunct && prev.text == "." && rubyOnlyMethods[t.text]:
				return true
			}
		case tkPunct:
			switch t.text {
			case "=~", "!~", "&.":
				return true
			case "|":
				if prev.kind == tkPunct && prev.text == "{" {
					return true
				}
			}
		}
	}
	return false
}
