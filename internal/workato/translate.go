package workato

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Translation is a formula and the CEL it means.
type Translation struct {
	Formula string    `json:"formula"`
	CEL     string    `json:"cel"`
	Map     SourceMap `json:"map"`
	// ListIncludes are the formula ranges of the arguments of list include? calls
	// (SAN.include?("x")), where Ruby's exact-membership meaning surprises people;
	// messages about them can say so.
	ListIncludes []Range `json:"-"`

	pos positions
	n   int // code points in Formula
}

// Range is a 0-based, end-exclusive range of code points.
type Range struct{ Start, End int }

// Translate parses a formula and translates it to CEL. A formula that cannot be
// translated returns an *Error with its position.
func Translate(src string) (*Translation, error) {
	t, err := translate(src)
	if err != nil {
		return nil, err
	}
	return t, nil
}

func translate(src string) (*Translation, *Error) {
	rs := []rune(src)
	pos := newPositions(rs)
	locate := func(e *Error) *Error {
		e.Start = min(max(e.Start, 0), len(rs))
		e.End = min(max(e.End, e.Start), len(rs))
		e.Line, e.Column = pos.lineCol(e.Start)
		return e
	}
	if len(src) > MaxSourceBytes {
		return nil, locate(&Error{Message: fmt.Sprintf("formula is too long: %d bytes, the limit is %d", len(src), MaxSourceBytes)})
	}
	if !utf8.ValidString(src) {
		i := 0
		for b := src; len(b) > 0; i++ {
			r, size := utf8.DecodeRuneInString(b)
			if r == utf8.RuneError && size == 1 {
				break
			}
			b = b[size:]
		}
		return nil, locate(&Error{Start: i, End: i + 1, Message: "the formula is not valid UTF-8 here"})
	}
	toks, lerr := lex(rs)
	if lerr != nil {
		return nil, locate(lerr)
	}
	root, perr := parse(toks)
	if perr != nil {
		return nil, locate(perr)
	}
	tr := &translator{rs: rs}
	x, ty, terr := tr.expr(root)
	if terr != nil {
		return nil, locate(terr)
	}
	if ty != tyBool {
		return nil, locate(errNode(root, notACondition(tr.text(root), ty)))
	}
	var p printer
	p.print(x, 0)
	m := SourceMap(p.maps)
	m.sort()
	return &Translation{Formula: src, CEL: p.b.String(), Map: m, ListIncludes: tr.listIncludes, pos: pos, n: len(rs)}, nil
}

// LineCol returns the 1-based line and column of a formula offset.
func (t *Translation) LineCol(off int) (int, int) { return t.pos.lineCol(off) }

// ToFormula maps a range of the CEL to the formula; see SourceMap.ToFormula.
func (t *Translation) ToFormula(celStart, celEnd int) (start, end int) {
	s, e, _ := t.Map.ToFormula(celStart, celEnd, t.n)
	return s, e
}

type typ int

const (
	tyBool typ = iota
	tyString
	tyList
	tyInt
	tyRegex
	tyNil
)

func (t typ) String() string {
	return [...]string{"true or false", "a string", "a list of strings", "a number", "a regexp", "nil"}[t]
}

type translator struct {
	rs           []rune
	scope        []binding // block parameters, innermost last
	listIncludes []Range
}

type binding struct {
	name, cel string
	implicit  bool // it and _1
}

func (tr *translator) text(n *node) string {
	if n.start < 0 || n.end > len(tr.rs) || n.end <= n.start {
		return ""
	}
	s := string(tr.rs[n.start:n.end])
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:37]) + "…"
	}
	return s
}

func from(n *node) span { return span{n.start, n.end} }
func opOf(n *node) span { return span{n.opStart, n.opEnd} }

// notACondition explains a formula or operand that is not true or false.
func notACondition(text string, t typ) string {
	switch t {
	case tyString:
		return fmt.Sprintf("`%s` is a string, not true or false (Ruby counts every string, even \"\", as true); test it: %s.present?, or %s == \"…\"", text, text, text)
	case tyList:
		return fmt.Sprintf("`%s` is a list, not true or false (Ruby counts every list, even [], as true); test it: %s.include?(\"DNS:…\") or %s.any? { |s| … }", text, text, text)
	case tyInt:
		return fmt.Sprintf("`%s` is a number, not true or false; compare it: %s > 0", text, text)
	case tyRegex:
		return fmt.Sprintf("`%s` is a regexp, not true or false; match it: CN.match?(%s)", text, text)
	case tyNil:
		return "nil is not a condition"
	}
	return fmt.Sprintf("`%s` is %s, not true or false", text, t)
}

func (tr *translator) expr(n *node) (*ir, typ, *Error) {
	switch n.kind {
	case nString:
		return lit(celString(n.text), from(n)), tyString, nil
	case nRegex:
		prefix, body, err := rubyToRE2(n.text, n.flags)
		if err != nil {
			return nil, 0, regexpAt(n, err)
		}
		return lit(celRegexp(prefix+body), from(n)), tyRegex, nil
	case nInt:
		return &ir{kind: irLit, text: strconv.FormatInt(n.num, 10), from: from(n)}, tyInt, nil
	case nBool:
		return &ir{kind: irLit, text: n.text, from: from(n)}, tyBool, nil
	case nNil:
		return &ir{kind: irLit, text: "null", from: from(n)}, tyNil, nil
	case nIdent:
		return tr.ident(n)
	case nParen:
		x, t, err := tr.expr(n.x)
		if err != nil {
			return nil, 0, err
		}
		return &ir{kind: irParen, args: []*ir{x}, from: from(n)}, t, nil
	case nList:
		l := &ir{kind: irList, from: from(n)}
		for _, e := range n.args {
			x, t, err := tr.expr(e)
			if err != nil {
				return nil, 0, err
			}
			if t != tyString {
				return nil, 0, errNode(e, fmt.Sprintf("arrays in formulas hold strings; `%s` is %s", tr.text(e), t))
			}
			l.args = append(l.args, x)
		}
		return l, tyList, nil
	case nUnary:
		x, t, err := tr.expr(n.x)
		if err != nil {
			return nil, 0, err
		}
		if t != tyBool {
			return nil, 0, errNode(n.x, notACondition(tr.text(n.x), t))
		}
		return not(x, opOf(n), from(n)), tyBool, nil
	case nBinary:
		return tr.binary(n)
	case nCall:
		return tr.call(n)
	}
	return nil, 0, errNode(n, "unsupported expression")
}

// regexpAt places a regexp error inside the literal /…/ that holds it.
func regexpAt(n *node, e *regexpError) *Error {
	if n.kind != nRegex {
		return &Error{Start: n.start, End: n.end, Message: e.msg}
	}
	start := n.start + 1 + e.start
	end := n.start + 1 + e.end
	if e.start == 0 && e.end >= utf8.RuneCountInString(n.text) {
		start, end = n.start, n.end
	}
	return &Error{Start: start, End: max(end, start+1), Message: e.msg}
}

// celReserved are names CEL reserves that Ruby allows for a block parameter.
var celReserved = map[string]bool{
	"as": true, "break": true, "const": true, "continue": true, "else": true, "for": true,
	"function": true, "if": true, "import": true, "let": true, "loop": true, "package": true,
	"namespace": true, "return": true, "var": true, "void": true, "while": true, "null": true,
	"in": true, "true": true, "false": true,
}

func (tr *translator) ident(n *node) (*ir, typ, *Error) {
	for i := len(tr.scope) - 1; i >= 0; i-- {
		b := tr.scope[i]
		if b.name == n.text {
			return &ir{kind: irIdent, text: b.cel, from: from(n)}, tyString, nil
		}
		if !b.implicit {
			break // it and _1 exist only in a block without parameters
		}
	}
	for i := len(tr.scope) - 1; i >= 0; i-- { // outer block parameters
		if b := tr.scope[i]; b.name == n.text && !b.implicit {
			return &ir{kind: irIdent, text: b.cel, from: from(n)}, tyString, nil
		}
	}
	switch n.text {
	case "CN", "DN":
		return &ir{kind: irIdent, text: n.text, from: from(n)}, tyString, nil
	case "SAN":
		return &ir{kind: irIdent, text: n.text, from: from(n)}, tyList, nil
	case "it", "_1":
		return nil, 0, errNode(n, fmt.Sprintf("`%s` names the entry only inside a block without parameters, as in SAN.any? { %s.start_with?(\"DNS:\") }", n.text, n.text))
	}
	for _, v := range []string{"CN", "SAN", "DN"} {
		if strings.EqualFold(n.text, v) {
			return nil, 0, errNode(n, fmt.Sprintf("unknown name `%s`: did you mean %s? (names are case-sensitive)", n.text, v))
		}
	}
	switch strings.ToLower(n.text) {
	case "cert", "chain", "now", "tls", "subject", "issuer", "certificate":
		return nil, 0, errNode(n, fmt.Sprintf("`%s` is not available in formulas, which read CN, SAN and DN; switch the dialect to CEL for cert, chain, now and tls", n.text))
	}
	if len(tr.scope) > 0 {
		return nil, 0, errNode(n, fmt.Sprintf("unknown name `%s`: formulas read CN, SAN, DN and the block's parameter (%s)", n.text, tr.scope[len(tr.scope)-1].name))
	}
	return nil, 0, errNode(n, fmt.Sprintf("unknown name `%s`: formulas read CN, SAN and DN", n.text))
}

func (tr *translator) binary(n *node) (*ir, typ, *Error) {
	x, xt, err := tr.expr(n.x)
	if err != nil {
		return nil, 0, err
	}
	y, yt, err := tr.expr(n.y)
	if err != nil {
		return nil, 0, err
	}
	switch n.text {
	case "and", "or", "&&", "||":
		for _, side := range []struct {
			n *node
			t typ
		}{{n.x, xt}, {n.y, yt}} {
			if side.t != tyBool {
				return nil, 0, errNode(side.n, notACondition(tr.text(side.n), side.t))
			}
		}
		op := "&&"
		if n.text == "or" || n.text == "||" {
			op = "||"
		}
		return bin(op, x, y, opOf(n), from(n)), tyBool, nil
	case "=~", "!~":
		var s, re *ir
		switch {
		case xt == tyString && yt == tyRegex:
			s, re = x, y
		case xt == tyRegex && yt == tyString:
			s, re = y, x
		case xt == tyString && yt == tyString:
			return nil, 0, errNode(n.y, fmt.Sprintf("%s needs a regexp on one side: write %s %s /…/", n.text, tr.text(n.x), n.text))
		default:
			return nil, 0, errNode(n, fmt.Sprintf("%s matches a string against a regexp; here it has %s and %s", n.text, xt, yt))
		}
		m := member(s, "matches", opOf(n), from(n), re)
		if n.text == "!~" {
			m.from = span{}
			return not(m, span{}, from(n)), tyBool, nil
		}
		return m, tyBool, nil
	}
	// Comparisons.
	if xt == tyNil || yt == tyNil {
		other := n.x
		if xt == tyNil {
			other = n.y
		}
		return nil, 0, errNode(n, fmt.Sprintf("comparing with nil is not supported: CN and DN are \"\" and SAN is [] when the certificate has none; write %s.blank? or %s.present?", tr.text(other), tr.text(other)))
	}
	if xt == tyRegex || yt == tyRegex {
		return nil, 0, errNode(n, fmt.Sprintf("a regexp cannot be compared with %s; match it with =~ or match?", n.text))
	}
	if xt != yt {
		return nil, 0, errNode(n, fmt.Sprintf("%s and %s are never equal in Ruby: `%s` is %s, `%s` is %s", tr.text(n.x), tr.text(n.y), tr.text(n.x), xt, tr.text(n.y), yt))
	}
	if n.text != "==" && n.text != "!=" && xt != tyInt && xt != tyString {
		return nil, 0, errNode(n, fmt.Sprintf("%s compares numbers or strings, not %s", n.text, xt))
	}
	return bin(n.text, x, y, opOf(n), from(n)), tyBool, nil
}

// cel names that people type into formulas, and the formula method.
var celNames = map[string]string{
	"contains": "include?", "startsWith": "start_with?", "endsWith": "end_with?", "matches": "match?",
	"lowerAscii": "downcase", "upperAscii": "upcase", "trim": "strip", "exists": "any? { |s| … }",
	"all": "all? { |s| … }", "exists_one": "one? { |s| … }",
}

// call translates recv.name(args) { block }.
func (tr *translator) call(n *node) (*ir, typ, *Error) {
	recv, rt, err := tr.expr(n.recv)
	if err != nil {
		return nil, 0, err
	}
	name := n.text
	nameErr := func(format string, args ...any) (*ir, typ, *Error) {
		return nil, 0, &Error{Start: n.opStart, End: n.opEnd, Message: fmt.Sprintf(format, args...)}
	}
	recvText := tr.text(n.recv)
	if strings.HasSuffix(name, "!") {
		return nameErr("`%s` changes its receiver in place, which formulas cannot do; write %s", name, strings.TrimSuffix(name, "!"))
	}
	if n.block != nil && !takesBlock(rt, name) {
		// A method-specific message (SAN.each: use any?) says more than this one.
		b := n.block
		n.block = nil
		_, _, err := tr.method(n, recv, rt, recvText)
		n.block = b
		if err != nil {
			return nil, 0, err
		}
		return nameErr("`%s` does not take a block; blocks go with any?, all?, none?, one? and count on SAN", name)
	}
	return tr.method(n, recv, rt, recvText)
}

func (tr *translator) method(n *node, recv *ir, rt typ, recvText string) (*ir, typ, *Error) {
	name := n.text
	nameErr := func(format string, args ...any) (*ir, typ, *Error) {
		return nil, 0, &Error{Start: n.opStart, End: n.opEnd, Message: fmt.Sprintf(format, args...)}
	}
	switch rt {
	case tyString:
		return tr.stringMethod(n, recv, recvText)
	case tyList:
		return tr.listMethod(n, recv, recvText)
	case tyRegex:
		if name == "match?" || name == "===" {
			args, err := tr.args(n, 1, 1, tyString)
			if err != nil {
				return nil, 0, err
			}
			return member(args[0], "matches", opOf(n), from(n), recv), tyBool, nil
		}
		return nameErr("`%s` is not supported on a regexp in formulas; match a string with s.match?(/…/) or s =~ /…/", name)
	case tyNil:
		if name == "nil?" {
			return nameErr("nil.nil? is always true")
		}
		return nameErr("nil has no methods in formulas")
	case tyBool:
		return nameErr("`%s` is not supported on true or false; combine conditions with &&, || and !", name)
	case tyInt:
		switch name {
		case "zero?":
			return bin("==", recv, synth("0"), opOf(n), from(n)), tyBool, nil
		case "positive?":
			return bin(">", recv, synth("0"), opOf(n), from(n)), tyBool, nil
		}
		return nameErr("`%s` is not supported on a number in formulas; compare it with ==, <, >", name)
	}
	return nameErr("`%s` is not supported here", name)
}

func takesBlock(t typ, name string) bool {
	if t != tyList {
		return false
	}
	switch name {
	case "any?", "all?", "none?", "one?", "count":
		return true
	}
	return false
}

// args translates a call's arguments, between min and max of them, each of one
// of the given types.
func (tr *translator) args(n *node, minN, maxN int, types ...typ) ([]*ir, *Error) {
	if len(n.args) < minN || len(n.args) > maxN {
		want := fmt.Sprintf("%d arguments", minN)
		switch {
		case minN == maxN && minN == 0:
			want = "no arguments"
		case minN == maxN && minN == 1:
			want = "one argument"
		case maxN > 100:
			want = fmt.Sprintf("at least %d argument", minN)
		case minN != maxN:
			want = fmt.Sprintf("%d to %d arguments", minN, maxN)
		}
		return nil, &Error{Start: n.opStart, End: n.end, Message: fmt.Sprintf("`%s` takes %s, not %d", n.text, want, len(n.args))}
	}
	out := make([]*ir, 0, len(n.args))
	for _, a := range n.args {
		x, t, err := tr.expr(a)
		if err != nil {
			return nil, err
		}
		ok := false
		for _, want := range types {
			ok = ok || t == want
		}
		if !ok {
			names := make([]string, len(types))
			for i, w := range types {
				names[i] = w.String()
			}
			return nil, errNode(a, fmt.Sprintf("`%s` takes %s here; `%s` is %s", n.text, strings.Join(names, " or "), tr.text(a), t))
		}
		out = append(out, x)
	}
	return out, nil
}

// regexpArg translates a match? argument: a regexp literal, or a string, which
// Ruby compiles as a pattern (not as literal text).
func (tr *translator) regexpArg(a *node) (prefix, body string, x *ir, err *Error) {
	switch a.kind {
	case nRegex:
		p, b, e := rubyToRE2(a.text, a.flags)
		if e != nil {
			return "", "", nil, regexpAt(a, e)
		}
		return p, b, lit(celRegexp(p+b), from(a)), nil
	case nString:
		p, b, e := rubyToRE2(a.text, "")
		if e != nil {
			return "", "", nil, regexpAt(a, e)
		}
		return p, b, lit(celRegexp(p+b), from(a)), nil
	}
	x, t, terr := tr.expr(a)
	if terr != nil {
		return "", "", nil, terr
	}
	if t == tyString {
		// A pattern computed at run time: Ruby and RE2 read most patterns alike.
		return "", "", x, nil
	}
	return "", "", nil, errNode(a, fmt.Sprintf("expected a regexp such as /^DNS:/; `%s` is %s", tr.text(a), t))
}

func (tr *translator) stringMethod(n *node, recv *ir, recvText string) (*ir, typ, *Error) {
	name := n.text
	nameErr := func(format string, args ...any) (*ir, typ, *Error) {
		return nil, 0, &Error{Start: n.opStart, End: n.opEnd, Message: fmt.Sprintf(format, args...)}
	}
	switch name {
	case "include?", "exclude?":
		args, err := tr.args(n, 1, 1, tyString)
		if err != nil {
			return nil, 0, err
		}
		if name == "exclude?" {
			return not(member(recv, "contains", opOf(n), span{}, args[0]), span{}, from(n)), tyBool, nil
		}
		return member(recv, "contains", opOf(n), from(n), args[0]), tyBool, nil
	case "start_with?", "starts_with?", "end_with?", "ends_with?":
		fn := "startsWith"
		if strings.HasPrefix(name, "end") {
			fn = "endsWith"
		}
		if len(n.args) == 0 {
			return nameErr("`%s` takes at least one argument: %s.%s(\"…\")", name, recvText, name)
		}
		var parts []*ir
		for _, a := range n.args {
			if a.kind == nRegex && fn == "startsWith" {
				// Ruby's start_with?(/re/) matches at the start only.
				p, b, e := rubyToRE2(a.text, a.flags)
				if e != nil {
					return nil, 0, regexpAt(a, e)
				}
				parts = append(parts, member(recv, "matches", opOf(n), span{}, lit(celRegexp(p+`\A(?:`+b+`)`), from(a))))
				continue
			}
			x, t, err := tr.expr(a)
			if err != nil {
				return nil, 0, err
			}
			if t != tyString {
				if t == tyRegex {
					return nil, 0, errNode(a, "end_with? takes strings, not a regexp; write "+recvText+".match?(/…\\z/)")
				}
				return nil, 0, errNode(a, fmt.Sprintf("`%s` takes strings; `%s` is %s", name, tr.text(a), t))
			}
			parts = append(parts, member(recv, fn, opOf(n), span{}, x))
		}
		return anyOf(parts, from(n)), tyBool, nil
	case "match?":
		if len(n.args) != 1 {
			if len(n.args) == 2 {
				return nameErr("match? with a start position is not supported in formulas")
			}
			return nameErr("`match?` takes one regexp: %s.match?(/…/)", recvText)
		}
		_, _, re, err := tr.regexpArg(n.args[0])
		if err != nil {
			return nil, 0, err
		}
		return member(recv, "matches", opOf(n), from(n), re), tyBool, nil
	case "downcase", "upcase", "strip":
		if _, err := tr.args(n, 0, 0); err != nil {
			return nil, 0, err
		}
		fn := map[string]string{"downcase": "lowerAscii", "upcase": "upperAscii", "strip": "trim"}[name]
		return member(recv, fn, opOf(n), from(n)), tyString, nil
	case "present?", "blank?":
		if _, err := tr.args(n, 0, 0); err != nil {
			return nil, 0, err
		}
		// ActiveSupport: a string of only white space is blank.
		op := "!="
		if name == "blank?" {
			op = "=="
		}
		return bin(op, member(recv, "trim", span{}, span{}), synth(`""`), opOf(n), from(n)), tyBool, nil
	case "empty?":
		if _, err := tr.args(n, 0, 0); err != nil {
			return nil, 0, err
		}
		return bin("==", recv, synth(`""`), opOf(n), from(n)), tyBool, nil
	case "size", "length":
		if _, err := tr.args(n, 0, 0); err != nil {
			return nil, 0, err
		}
		return member(recv, "size", opOf(n), from(n)), tyInt, nil
	case "casecmp?":
		args, err := tr.args(n, 1, 1, tyString)
		if err != nil {
			return nil, 0, err
		}
		return bin("==", member(recv, "lowerAscii", span{}, span{}), member(args[0], "lowerAscii", span{}, span{}), opOf(n), from(n)), tyBool, nil
	case "eql?":
		args, err := tr.args(n, 1, 1, tyString)
		if err != nil {
			return nil, 0, err
		}
		return bin("==", recv, args[0], opOf(n), from(n)), tyBool, nil
	case "in?":
		args, err := tr.args(n, 1, 1, tyList)
		if err != nil {
			return nil, 0, err
		}
		return bin("in", recv, args[0], opOf(n), from(n)), tyBool, nil
	case "nil?":
		return nameErr("%s is never nil: it is \"\" when the certificate has none; write %s.blank?", recvText, recvText)
	case "to_s", "to_str":
		return nameErr("%s is already a string; drop .%s", recvText, name)
	case "split":
		return nameErr("`split` is not supported in formulas; test the string with include?, start_with? or match?; in CEL write %s.split(\".\")", recvText)
	case "sub", "gsub", "tr", "delete", "replace":
		return nameErr("`%s` is not supported in formulas; test the string with include? or match?; in CEL write %s.replace(\"a\", \"b\")", name, recvText)
	case "index":
		return nameErr("`index` is not supported in formulas; test with include?; in CEL write %s.indexOf(\"x\")", recvText)
	case "match", "scan", "=~":
		return nameErr("`%s` is not supported in formulas; for true or false write %s.match?(/…/) (in CEL: %s.matches(\"…\"))", name, recvText, recvText)
	case "slice", "[]", "chars", "each_char", "bytes":
		return nameErr("`%s` is not supported in formulas; in CEL write %s.substring(0, 3)", name, recvText)
	case "reverse":
		return nameErr("`reverse` is not supported in formulas; in CEL write %s.reverse()", recvText)
	case "casecmp":
		return nameErr("`casecmp` returns a number; write %s.casecmp?(\"…\") for true or false", recvText)
	case "any?", "all?", "none?", "one?", "each", "map", "select", "count", "first", "last", "join", "member?":
		return nameErr("%s is a string, and `%s` works on a list such as SAN; for a string, use include?, start_with? or match?", recvText, name)
	}
	if ruby, ok := celNames[name]; ok {
		return nameErr("`%s` is CEL; in formulas write %s.%s, or switch the dialect to CEL", name, recvText, ruby)
	}
	return nameErr("`%s` is not supported on a string in formulas; use include?, start_with?, end_with?, match?, downcase, upcase, strip, present?, blank?, empty?, size or length", name)
}

// anyOf joins alternatives with ||; one alternative stands alone.
func anyOf(parts []*ir, from span) *ir {
	if len(parts) == 1 {
		parts[0].from = from
		return parts[0]
	}
	x := parts[0]
	for _, p := range parts[1:] {
		x = bin("||", x, p, span{}, span{})
	}
	return &ir{kind: irParen, args: []*ir{x}, from: from}
}

func (tr *translator) listMethod(n *node, recv *ir, recvText string) (*ir, typ, *Error) {
	name := n.text
	nameErr := func(format string, args ...any) (*ir, typ, *Error) {
		return nil, 0, &Error{Start: n.opStart, End: n.opEnd, Message: fmt.Sprintf(format, args...)}
	}
	sizeOf := func() *ir { return &ir{kind: irCall, text: "size", args: []*ir{recv}} }
	switch name {
	case "include?", "member?", "exclude?":
		args, err := tr.args(n, 1, 1, tyString)
		if err != nil {
			return nil, 0, err
		}
		tr.listIncludes = append(tr.listIncludes, Range{n.args[0].start, n.args[0].end})
		in := bin("in", args[0], recv, opOf(n), from(n))
		if name == "exclude?" {
			in.from = span{}
			return not(&ir{kind: irParen, args: []*ir{in}}, span{}, from(n)), tyBool, nil
		}
		return in, tyBool, nil
	case "any?", "all?", "none?", "one?":
		if n.block != nil {
			if len(n.args) > 0 {
				return nameErr("`%s` takes a block or a pattern, not both", name)
			}
			return tr.blockMacro(n, recv)
		}
		switch {
		case len(n.args) == 1 && (name == "any?" || name == "none?"):
			a := n.args[0]
			var x *ir
			if a.kind == nRegex {
				_, _, re, err := tr.regexpArg(a)
				if err != nil {
					return nil, 0, err
				}
				v := tr.fresh()
				x = &ir{kind: irMember, text: "exists", target: recv, name: opOf(n), args: []*ir{{kind: irIdent, text: v}, member(&ir{kind: irIdent, text: v}, "matches", span{}, span{}, re)}}
			} else {
				args, err := tr.args(n, 1, 1, tyString)
				if err != nil {
					return nil, 0, err
				}
				x = bin("in", args[0], recv, opOf(n), span{})
			}
			if name == "none?" {
				return not(&ir{kind: irParen, args: []*ir{x}}, span{}, from(n)), tyBool, nil
			}
			x.from = from(n)
			return x, tyBool, nil
		case len(n.args) == 0 && name == "any?":
			return bin(">", sizeOf(), synth("0"), opOf(n), from(n)), tyBool, nil
		case len(n.args) == 0 && name == "none?":
			return bin("==", sizeOf(), synth("0"), opOf(n), from(n)), tyBool, nil
		case len(n.args) == 0:
			return nameErr("`%s` needs a block: %s.%s { |s| s.start_with?(\"DNS:\") }", name, recvText, name)
		}
		return nameErr("`%s` takes a block: %s.%s { |s| … }", name, recvText, name)
	case "empty?", "blank?", "present?":
		if _, err := tr.args(n, 0, 0); err != nil {
			return nil, 0, err
		}
		op := "=="
		if name == "present?" {
			op = ">"
		}
		return bin(op, sizeOf(), synth("0"), opOf(n), from(n)), tyBool, nil
	case "size", "length", "count":
		if name == "count" && n.block != nil {
			if len(n.args) > 0 {
				return nameErr("`count` takes a block or an argument, not both")
			}
			m, _, err := tr.blockMacro(n, recv)
			if err != nil {
				return nil, 0, err
			}
			return &ir{kind: irCall, text: "size", args: []*ir{m}, from: from(n)}, tyInt, nil
		}
		if len(n.args) > 0 && name == "count" {
			return nameErr("count with an argument is not supported in formulas; write %s.count { |s| s == \"…\" }", recvText)
		}
		if _, err := tr.args(n, 0, 0); err != nil {
			return nil, 0, err
		}
		return &ir{kind: irCall, text: "size", args: []*ir{recv}, from: from(n), name: opOf(n)}, tyInt, nil
	case "join":
		args, err := tr.args(n, 0, 1, tyString)
		if err != nil {
			return nil, 0, err
		}
		return member(recv, "join", opOf(n), from(n), args...), tyString, nil
	case "each", "each_with_index":
		return nameErr("`%s.%s` is not supported: it runs a block and returns %s itself, which Ruby counts as true; write %s.any? { |s| … } (in CEL: %s.exists(s, …))", recvText, name, recvText, recvText, recvText)
	case "map", "collect", "flat_map":
		return nameErr("`%s` is not supported in formulas; test the entries with %s.any? { |s| … } or all?; in CEL write %s.map(s, …)", name, recvText, recvText)
	case "select", "filter", "find_all", "reject":
		return nameErr("`%s` is not supported in formulas; to test that an entry matches, write %s.any? { |s| … }; in CEL write %s.filter(s, …)", name, recvText, recvText)
	case "find", "detect":
		return nameErr("`%s` is not supported in formulas; write %s.any? { |s| … } (in CEL: %s.exists(s, …))", name, recvText, recvText)
	case "first", "last":
		idx := "0"
		if name == "last" {
			idx = "size(" + recvText + ") - 1"
		}
		return nameErr("`%s` is not supported in formulas: SAN entries come in certificate order, which rules should not depend on; write %s.any? { |s| … }; in CEL, %s[%s] is the %s entry", name, recvText, recvText, idx, name)
	case "grep":
		return nameErr("`grep` is not supported in formulas; write %s.any? { |s| s.match?(/…/) } (in CEL: %s.exists(s, s.matches(\"…\")))", recvText, recvText)
	case "contains":
		return nameErr("`contains` is not a Ruby method; for an exact entry write %s.include?(\"DNS:api.example.com\"), for part of an entry %s.any? { |s| s.include?(\"example.com\") }", recvText, recvText)
	case "start_with?", "starts_with?", "end_with?", "ends_with?", "match?", "downcase", "upcase", "strip", "casecmp?", "=~":
		ruby := name
		cel := map[string]string{"start_with?": "startsWith", "starts_with?": "startsWith", "end_with?": "endsWith", "ends_with?": "endsWith", "match?": "matches", "downcase": "lowerAscii", "upcase": "upperAscii", "strip": "trim", "casecmp?": "lowerAscii", "=~": "matches"}[name]
		return nameErr("%s is a list of entries, and `%s` works on one entry: write %s.any? { |s| s.%s(…) } (in CEL: %s.exists(s, s.%s(…)))", recvText, ruby, recvText, ruby, recvText, cel)
	case "nil?":
		return nameErr("%s is never nil: it is [] when the certificate has none; write %s.empty?", recvText, recvText)
	case "where", "pluck", "to_a", "uniq", "sort", "sort_by", "compact", "flatten", "reverse", "sum", "min", "max", "take", "drop", "index", "find_index", "group_by", "to_s":
		return nameErr("`%s` is not supported on a list in formulas; use include?, any?, all?, none?, one?, empty?, present?, size or count", name)
	}
	if ruby, ok := celNames[name]; ok {
		return nameErr("`%s` is CEL; in formulas write %s.%s, or switch the dialect to CEL", name, recvText, ruby)
	}
	return nameErr("`%s` is not supported on a list in formulas; use include?, any?, all?, none?, one?, empty?, present?, size or count", name)
}

// fresh returns an iteration variable name for a translation-made loop.
func (tr *translator) fresh() string {
	name := "s"
	for _, b := range tr.scope {
		if b.cel == name {
			name = fmt.Sprintf("s%d", len(tr.scope))
		}
	}
	return name
}

// blockMacro translates any? / all? / none? / one? / count with a block.
func (tr *translator) blockMacro(n *node, recv *ir) (*ir, typ, *Error) {
	b := n.block
	var bind []binding
	paramSpan := span{}
	if len(b.params) == 0 {
		bind = []binding{{name: "it", cel: "it", implicit: true}, {name: "_1", cel: "it", implicit: true}}
	} else {
		cel := b.params[0]
		if celReserved[cel] {
			cel += "_"
		}
		bind = []binding{{name: b.params[0], cel: cel}}
		paramSpan = span{b.paramStart + 1, b.paramEnd - 1}
	}
	tr.scope = append(tr.scope, bind...)
	body, bt, err := tr.expr(b.body)
	tr.scope = tr.scope[:len(tr.scope)-len(bind)]
	if err != nil {
		return nil, 0, err
	}
	if bt != tyBool {
		return nil, 0, errNode(b.body, "the block must be true or false for each entry: "+notACondition(tr.text(b.body), bt))
	}
	v := &ir{kind: irIdent, text: bind[0].cel, from: paramSpan}
	macro := map[string]string{"any?": "exists", "all?": "all", "none?": "exists", "one?": "exists_one", "count": "filter"}[n.text]
	m := &ir{kind: irMember, text: macro, target: recv, args: []*ir{v, body}, name: opOf(n), from: from(n)}
	if n.text == "none?" {
		m.from = span{}
		return not(m, span{}, from(n)), tyBool, nil
	}
	if n.text == "count" {
		m.from = span{}
		return m, tyList, nil
	}
	return m, tyBool, nil
}
