package span

import (
	"sort"
	"strings"

	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
)

// cel-go's parser records, for most nodes, only the offset of one token (the
// operator, the '(' of a call, the '.' of a field selection), and a literal's
// end is computed from its length in bytes. The playground needs the whole
// source range of every sub-expression, so Spanner rebuilds them: a node's range is
// its own token joined with its children's ranges, widened to take in a call's
// function name and closing parenthesis, a field's name, a string literal's exact
// end, and any parentheses the person wrote around it. All offsets are 0-based
// code point offsets into the source, as cel-go counts them.

// Class is what a character of the source is part of, so that brackets inside
// strings and comments are not counted.
type Class byte

// The classes of Classify.
const (
	Code Class = iota
	StringLit
	Comment
)

// Classify marks each rune of a CEL source as code, string literal (prefix and
// quotes included) or comment.
func Classify(rs []rune) []Class {
	cls := make([]Class, len(rs))
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == '/' && i+1 < len(rs) && rs[i+1] == '/':
			for i < len(rs) && rs[i] != '\n' {
				cls[i] = Comment
				i++
			}
		case IsIdentStart(r):
			j := i
			for j < len(rs) && IsIdentPart(rs[j]) {
				j++
			}
			prefix := strings.ToLower(string(rs[i:j]))
			if j < len(rs) && isQuote(rs[j]) && (prefix == "r" || prefix == "b" || prefix == "rb" || prefix == "br") {
				end := scanString(rs, j, strings.Contains(prefix, "r"))
				for k := i; k < end; k++ {
					cls[k] = StringLit
				}
				i = end
				continue
			}
			i = j
		case isQuote(r):
			end := scanString(rs, i, false)
			for k := i; k < end; k++ {
				cls[k] = StringLit
			}
			i = end
		default:
			i++
		}
	}
	return cls
}

// scanString returns the offset just after the string literal whose opening quote
// is at i (an unterminated literal ends at the end of its line or of the source).
func scanString(rs []rune, i int, raw bool) int {
	q := rs[i]
	if i+2 < len(rs) && rs[i+1] == q && rs[i+2] == q {
		for j := i + 3; j < len(rs); j++ {
			if rs[j] == '\\' && !raw {
				j++
				continue
			}
			if rs[j] == q && j+2 < len(rs) && rs[j+1] == q && rs[j+2] == q {
				return j + 3
			}
		}
		return len(rs)
	}
	for j := i + 1; j < len(rs); j++ {
		switch {
		case rs[j] == '\\' && !raw:
			j++
		case rs[j] == q:
			return j + 1
		case rs[j] == '\n':
			return j
		}
	}
	return len(rs)
}

func isQuote(r rune) bool { return r == '"' || r == '\'' }
func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' }

// IsIdentStart reports whether r can start a CEL identifier.
func IsIdentStart(r rune) bool { return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// IsIdentPart reports whether r can continue a CEL identifier.
func IsIdentPart(r rune) bool { return IsIdentStart(r) || r >= '0' && r <= '9' }

type span struct{ start, end int }

func (s span) empty() bool { return s.end <= s.start }

// Spanner knows the source range of every node of one AST.
type Spanner struct {
	rs    []rune
	cls   []Class
	lines []int
	info  *ast.SourceInfo
	spans map[int64]span
}

// New computes the source range of every node of a parsed or checked AST.
func New(src string, a *ast.AST) *Spanner {
	rs := []rune(src)
	sp := &Spanner{
		rs:    rs,
		cls:   Classify(rs),
		lines: LineStarts(src),
		info:  a.SourceInfo(),
		spans: make(map[int64]span),
	}
	sp.visit(a.Expr())
	return sp
}

// Span returns a node's range; it is empty for nodes without one (those macro
// expansion adds, such as an exists() accumulator).
func (sp *Spanner) Span(id int64) (int, int) {
	s := sp.spans[id]
	return s.start, s.end
}

// LineCol converts a code point offset to a 1-based line and column.
func (sp *Spanner) LineCol(off int) (int, int) {
	i := sort.Search(len(sp.lines), func(i int) bool { return sp.lines[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return i + 1, off - sp.lines[i] + 1
}

// Text returns the source from start to end; "" for an empty or invalid range.
func (sp *Spanner) Text(start, end int) string {
	if start < 0 || end > len(sp.rs) || end <= start {
		return ""
	}
	return string(sp.rs[start:end])
}

// Children returns the direct sub-expressions of e: a call's target and
// arguments, a selection's operand, a list's elements, a map's keys and values, a
// struct's field values, a comprehension's range, accumulator, condition, step and
// result.
func Children(e ast.Expr) []ast.Expr {
	switch e.Kind() {
	case ast.CallKind:
		c := e.AsCall()
		if c.IsMemberFunction() {
			return append([]ast.Expr{c.Target()}, c.Args()...)
		}
		return c.Args()
	case ast.SelectKind:
		return []ast.Expr{e.AsSelect().Operand()}
	case ast.ListKind:
		return e.AsList().Elements()
	case ast.MapKind:
		var out []ast.Expr
		for _, en := range e.AsMap().Entries() {
			me := en.AsMapEntry()
			out = append(out, me.Key(), me.Value())
		}
		return out
	case ast.StructKind:
		var out []ast.Expr
		for _, f := range e.AsStruct().Fields() {
			out = append(out, f.AsStructField().Value())
		}
		return out
	case ast.ComprehensionKind:
		c := e.AsComprehension()
		return []ast.Expr{c.IterRange(), c.AccuInit(), c.LoopCondition(), c.LoopStep(), c.Result()}
	}
	return nil
}

// visit computes spans bottom-up. Recursion depth is bounded by the parser's
// recursion limit plus what macros add.
func (sp *Spanner) visit(e ast.Expr) span {
	var kids []span
	for _, c := range Children(e) {
		if s := sp.visit(c); !s.empty() {
			kids = append(kids, s)
		}
	}
	own, closer := sp.own(e)
	s := own
	for _, k := range kids {
		if s.empty() {
			s = k
			continue
		}
		s.start = min(s.start, k.start)
		s.end = max(s.end, k.end)
	}
	if s.empty() {
		sp.spans[e.ID()] = s
		return s
	}
	if e.Kind() == ast.SelectKind && e.AsSelect().IsTestOnly() {
		// has(x.f): the field follows the operand.
		s.end = sp.skipField(s.end, e.AsSelect().FieldName())
	}
	if closer != 0 {
		s.end = sp.takeCloser(s.end, closer)
	}
	s = sp.balance(s, kids)
	sp.spans[e.ID()] = s
	return s
}

// own returns the range of the node's own tokens and the bracket that closes it,
// if any.
func (sp *Spanner) own(e ast.Expr) (span, rune) {
	o, ok := sp.info.GetOffsetRange(e.ID())
	if !ok || o.Start < 0 || int(o.Start) > len(sp.rs) {
		return span{}, 0
	}
	s := span{int(o.Start), min(int(o.Stop), len(sp.rs))}
	at := func(i int) rune {
		if i >= 0 && i < len(sp.rs) {
			return sp.rs[i]
		}
		return 0
	}
	switch e.Kind() {
	case ast.LiteralKind:
		switch {
		case s.start < len(sp.cls) && sp.cls[s.start] == StringLit:
			end := s.start
			for end < len(sp.rs) && sp.cls[end] == StringLit {
				end++
			}
			s.end = end
		case at(s.start) == '-' || at(s.start) == '.' || at(s.start) >= '0' && at(s.start) <= '9':
			s.end = sp.scanNumber(s.start)
		case at(s.start) == '(':
			s.end = s.start // a literal a macro added (an accumulator's start value)
		}
		return s, 0
	case ast.IdentKind:
		if at(s.start) == '(' {
			return span{s.start, s.start}, 0 // an accumulator a macro added
		}
		return s, 0
	case ast.SelectKind:
		sel := e.AsSelect()
		if sel.IsTestOnly() {
			// has(x.f): the node sits at has's '('.
			return span{sp.skipNameBack(s.start), s.start + 1}, ')'
		}
		return span{s.start, sp.skipField(s.start+1, sel.FieldName())}, 0
	case ast.CallKind:
		c := e.AsCall()
		fn := c.FunctionName()
		if _, isOp := operators.FindReverse(fn); isOp || strings.HasPrefix(fn, "@") || strings.HasPrefix(fn, "_") {
			if fn == operators.Index || fn == operators.OptIndex {
				return s, ']'
			}
			if at(s.start) == '(' {
				return span{s.start, s.start}, 0 // the loop step of an expanded macro
			}
			return s, 0
		}
		if at(s.start) != '(' {
			return s, 0
		}
		if !c.IsMemberFunction() {
			return span{sp.skipNameBack(s.start), s.start + 1}, ')'
		}
		return span{s.start, s.start + 1}, ')'
	case ast.ListKind:
		if at(s.start) != '[' {
			return span{s.start, s.start}, 0 // a list a macro added
		}
		return span{s.start, s.start + 1}, ']'
	case ast.MapKind:
		return span{s.start, s.start + 1}, '}'
	case ast.StructKind:
		return span{sp.skipNameBack(s.start), s.start + 1}, '}'
	case ast.ComprehensionKind:
		return span{s.start, s.start + 1}, ')'
	}
	return s, 0
}

// scanNumber returns the end of the numeric literal starting at i ("-  12", "1.5e-3",
// "0xFFu").
func (sp *Spanner) scanNumber(i int) int {
	rs := sp.rs
	if i < len(rs) && rs[i] == '-' {
		i++
		for i < len(rs) && isSpace(rs[i]) {
			i++
		}
	}
	hex := i+1 < len(rs) && rs[i] == '0' && (rs[i+1] == 'x' || rs[i+1] == 'X')
	for i < len(rs) {
		r := rs[i]
		switch {
		case IsIdentPart(r) || r == '.':
			i++
		case (r == '+' || r == '-') && !hex && i > 0 && (rs[i-1] == 'e' || rs[i-1] == 'E'):
			i++
		default:
			return i
		}
	}
	return i
}

// skipWS returns the first offset at or after i that is not white space or a
// comment.
func (sp *Spanner) skipWS(i int) int {
	for i < len(sp.rs) && (isSpace(sp.rs[i]) || sp.cls[i] == Comment) {
		i++
	}
	return i
}

// skipField returns the end of ".name" or "name" at or after i (white space
// allowed around the dot), or i when the name is not there.
func (sp *Spanner) skipField(i int, name string) int {
	j := sp.skipWS(i)
	if j < len(sp.rs) && sp.rs[j] == '.' {
		j = sp.skipWS(j + 1)
	}
	n := []rune(name)
	if j+len(n) <= len(sp.rs) && string(sp.rs[j:j+len(n)]) == name {
		return j + len(n)
	}
	if j < len(sp.rs) && sp.rs[j] == '`' { // escaped field name
		for k := j + 1; k < len(sp.rs); k++ {
			if sp.rs[k] == '`' {
				return k + 1
			}
		}
	}
	return i
}

// skipNameBack returns where the (possibly qualified) name just before offset i
// starts: the "size" of "size(", the "ip.isCanonical" of "ip.isCanonical(".
func (sp *Spanner) skipNameBack(i int) int {
	j := i
	for j > 0 && isSpace(sp.rs[j-1]) {
		j--
	}
	k := j
	for k > 0 && sp.cls[k-1] == Code && (IsIdentPart(sp.rs[k-1]) || sp.rs[k-1] == '.') {
		k--
	}
	if k == j {
		return i
	}
	return k
}

// takeCloser extends end over a trailing comma and the closing bracket, if they
// come next.
func (sp *Spanner) takeCloser(end int, closer rune) int {
	j := sp.skipWS(end)
	if j < len(sp.rs) && sp.rs[j] == ',' && closer != ')' {
		j = sp.skipWS(j + 1)
	}
	if j < len(sp.rs) && sp.rs[j] == closer && sp.cls[j] == Code {
		return j + 1
	}
	return end
}

// balance widens s over the parentheses (and brackets) around it until the
// brackets in its text pair up. Children's ranges are already balanced, so only
// the gaps between them are counted.
func (sp *Spanner) balance(s span, kids []span) span {
	sort.Slice(kids, func(i, j int) bool { return kids[i].start < kids[j].start })
	depth, unmatched := 0, 0
	count := func(from, to int) {
		for i := from; i < to; i++ {
			if sp.cls[i] != Code {
				continue
			}
			switch sp.rs[i] {
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				if depth > 0 {
					depth--
				} else {
					unmatched++
				}
			}
		}
	}
	pos := s.start
	for _, k := range kids {
		if k.start > pos {
			count(pos, k.start)
		}
		pos = max(pos, k.end)
	}
	count(pos, s.end)
	for ; unmatched > 0; unmatched-- {
		j := s.start
		for j > 0 && isSpace(sp.rs[j-1]) {
			j--
		}
		if j == 0 || sp.cls[j-1] != Code || !strings.ContainsRune("([{", sp.rs[j-1]) {
			break
		}
		s.start = j - 1
	}
	for ; depth > 0; depth-- {
		j := sp.skipWS(s.end)
		if j >= len(sp.rs) || sp.cls[j] != Code || !strings.ContainsRune(")]}", sp.rs[j]) {
			break
		}
		s.end = j + 1
	}
	return s
}
