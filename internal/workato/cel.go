package workato

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The translation builds a small CEL syntax tree (ir) and prints it, recording
// for every node that came from the formula where its text landed in the CEL.

type irKind int

const (
	irLit    irKind = iota // text is the CEL literal
	irIdent                // text is the name
	irList                 // [args]
	irCall                 // text(args)
	irMember               // target.text(args)
	irBinary               // args[0] text args[1]
	irUnary                // text args[0]
	irParen                // (args[0]), as the formula wrote it
)

type span struct{ start, end int }

func (s span) valid() bool { return s.end > s.start }

type ir struct {
	kind   irKind
	text   string
	target *ir
	args   []*ir
	from   span // the formula's expression; empty for what the translation adds
	name   span // the formula's method name or operator behind text
	lit    bool // a literal the formula wrote (a string, a regexp)
}

func lit(text string, from span) *ir { return &ir{kind: irLit, text: text, from: from, lit: true} }
func synth(text string) *ir          { return &ir{kind: irLit, text: text} }
func member(target *ir, fn string, name, from span, args ...*ir) *ir {
	return &ir{kind: irMember, text: fn, target: target, args: args, from: from, name: name}
}
func bin(op string, x, y *ir, name, from span) *ir {
	return &ir{kind: irBinary, text: op, args: []*ir{x, y}, from: from, name: name}
}
func not(x *ir, name, from span) *ir {
	return &ir{kind: irUnary, text: "!", args: []*ir{x}, from: from, name: name}
}

// CEL precedence, loosest first.
func prec(x *ir) int {
	switch x.kind {
	case irBinary:
		switch x.text {
		case "||":
			return 1
		case "&&":
			return 2
		}
		return 3 // == != < <= > >= in
	case irUnary:
		return 6
	case irLit:
		if strings.HasPrefix(x.text, "-") {
			return 6
		}
	}
	return 7
}

// Mapping ties a range of the CEL text to a range of the formula. Offsets are
// 0-based code points, End exclusive.
type Mapping struct {
	CELStart int `json:"cel_start"`
	CELEnd   int `json:"cel_end"`
	Start    int `json:"start"`
	End      int `json:"end"`
	// Literal marks a string or regexp literal of the formula, which a quick fix
	// may replace.
	Literal bool `json:"literal,omitempty"`
}

type printer struct {
	b    strings.Builder
	n    int // code points written
	maps []Mapping
}

func (p *printer) write(s string) {
	p.b.WriteString(s)
	p.n += utf8.RuneCountInString(s)
}

func (p *printer) record(cel span, from span, literal bool) {
	if from.valid() && cel.valid() {
		p.maps = append(p.maps, Mapping{CELStart: cel.start, CELEnd: cel.end, Start: from.start, End: from.end, Literal: literal})
	}
}

func (p *printer) print(x *ir, need int) {
	if prec(x) < need {
		p.write("(")
		defer p.write(")")
	}
	start := p.n
	switch x.kind {
	case irLit, irIdent:
		p.write(x.text)
	case irList:
		p.write("[")
		p.printArgs(x.args)
		p.write("]")
	case irCall:
		at := p.n
		p.write(x.text)
		p.record(span{at, p.n}, x.name, false)
		p.write("(")
		p.printArgs(x.args)
		p.write(")")
	case irMember:
		p.print(x.target, 7)
		p.write(".")
		at := p.n
		p.write(x.text)
		p.record(span{at, p.n}, x.name, false)
		p.write("(")
		p.printArgs(x.args)
		p.write(")")
	case irBinary:
		pr := prec(x)
		p.print(x.args[0], pr)
		p.write(" ")
		at := p.n
		p.write(x.text)
		p.record(span{at, p.n}, x.name, false)
		p.write(" ")
		p.print(x.args[1], pr+1)
	case irUnary:
		at := p.n
		p.write(x.text)
		p.record(span{at, p.n}, x.name, false)
		p.print(x.args[0], 6)
	case irParen:
		p.write("(")
		p.print(x.args[0], 0)
		p.write(")")
	}
	p.record(span{start, p.n}, x.from, x.lit)
}

func (p *printer) printArgs(args []*ir) {
	for i, a := range args {
		if i > 0 {
			p.write(", ")
		}
		p.print(a, 0)
	}
}

// SourceMap ties ranges of the CEL translation to ranges of the formula.
type SourceMap []Mapping

// ToFormula maps a CEL range to the formula: the smallest mapped range that
// contains it. A range that nothing contains maps to the whole formula, [0, n).
func (m SourceMap) ToFormula(celStart, celEnd int, n int) (start, end int, exact bool) {
	if celEnd < celStart {
		celEnd = celStart
	}
	best := -1
	for i, e := range m {
		if e.CELStart <= celStart && celEnd <= e.CELEnd && (celEnd > celStart || celStart < e.CELEnd) {
			if best < 0 || e.CELEnd-e.CELStart < m[best].CELEnd-m[best].CELStart {
				best = i
			}
		}
	}
	if best < 0 {
		return 0, n, false
	}
	e := m[best]
	return e.Start, e.End, e.CELStart == celStart && e.CELEnd == celEnd
}

// Literal returns the formula literal whose CEL text is exactly [celStart,
// celEnd), if there is one.
func (m SourceMap) Literal(celStart, celEnd int) (Mapping, bool) {
	for _, e := range m {
		if e.Literal && e.CELStart == celStart && e.CELEnd == celEnd {
			return e, true
		}
	}
	return Mapping{}, false
}

func (m SourceMap) sort() {
	sort.SliceStable(m, func(i, j int) bool {
		if m[i].CELStart != m[j].CELStart {
			return m[i].CELStart < m[j].CELStart
		}
		return m[i].CELEnd > m[j].CELEnd
	})
}

// celString quotes s as a CEL string literal.
func celString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if !unicode.IsPrint(r) && r != ' ' {
				if r <= 0xFFFF {
					fmt.Fprintf(&b, `\u%04X`, r)
				} else {
					fmt.Fprintf(&b, `\U%08X`, r)
				}
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// celRegexp quotes an RE2 pattern, as a raw string when it can, so the page
// shows \d rather than \\d.
func celRegexp(p string) string {
	clean := true
	for _, r := range p {
		if !unicode.IsPrint(r) && r != ' ' {
			clean = false
		}
	}
	switch {
	case clean && !strings.Contains(p, `"`):
		return `r"` + p + `"`
	case clean && !strings.Contains(p, `'`):
		return `r'` + p + `'`
	}
	return celString(p)
}
