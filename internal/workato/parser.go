package workato

import (
	"fmt"
	"slices"
)

// Limits. They keep hostile input (a 20 MB paste, 5,000 nested parentheses) a
// quick, clean error; real formulas are a line or two.
const (
	// MaxSourceBytes bounds a formula, as rule.MaxSourceBytes bounds a CEL rule.
	MaxSourceBytes = 16 << 10
	// MaxTokens bounds the tokens of one formula, and so the parser's work.
	MaxTokens = 4096
	// MaxNesting bounds parser recursion: parentheses, blocks, operators. The CEL
	// it becomes nests a little deeper, and must stay within rule.MaxNesting.
	MaxNesting = 24
)

type nodeKind int

const (
	nIdent  nodeKind = iota // CN, SAN, DN, a block parameter, it, _1, or an unknown name
	nString                 // text is the value
	nRegex                  // text is the pattern as written, flags the flags
	nInt
	nBool // text is "true" or "false"
	nNil
	nList
	nParen  // x is the expression inside
	nCall   // recv.text(args) { block }
	nBinary // x text y
	nUnary  // text x: "!", "not"
)

// node is one expression of the formula. start and end are code point offsets;
// opStart and opEnd are the operator or method name.
type node struct {
	kind           nodeKind
	start, end     int
	text           string
	flags          string
	num            int64
	opStart, opEnd int
	recv           *node
	args           []*node
	block          *block
	x, y           *node
}

// block is { |s| body } or do |s| body end. An empty params is Ruby's implicit
// parameter (it, _1).
type block struct {
	params     []string
	paramStart int
	paramEnd   int
	body       *node
}

type parser struct {
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) advance() token {
	t := p.toks[p.i]
	if t.kind != tkEOF {
		p.i++
	}
	return t
}

func (p *parser) is(text string) bool {
	t := p.peek()
	return (t.kind == tkPunct || t.kind == tkIdent) && t.text == text
}

func errTok(t token, msg string) *Error {
	end := t.end
	if end <= t.start {
		end = t.start + 1
	}
	return &Error{Start: t.start, End: end, Message: msg}
}

func errNode(n *node, msg string) *Error {
	return &Error{Start: n.start, End: max(n.end, n.start+1), Message: msg}
}

func describe(t token) string {
	switch t.kind {
	case tkEOF:
		return "the end of the formula"
	case tkString:
		return "a string"
	case tkRegex:
		return "a regexp"
	case tkInt:
		return "number " + t.text
	}
	return "`" + t.text + "`"
}

func (p *parser) enter(t token) *Error {
	p.depth++
	if p.depth > MaxNesting {
		return errTok(t, fmt.Sprintf("formula nests too deeply: more than %d levels", MaxNesting))
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// parse reads the whole formula as one expression.
func parse(toks []token) (*node, *Error) {
	p := &parser{toks: toks}
	if p.peek().kind == tkEOF {
		return nil, errTok(p.peek(), `formula is empty: write a condition, e.g. SAN.include?("DNS:client.example.com")`)
	}
	n, err := p.expr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tkEOF {
		return nil, p.trailing(t)
	}
	return n, nil
}

// trailing explains a token after a complete expression.
func (p *parser) trailing(t token) *Error {
	switch {
	case t.text == ";":
		return errTok(t, "a formula is one expression: join conditions with && or ||, not ;")
	case t.kind == tkIdent && (t.text == "if" || t.text == "unless" || t.text == "while" || t.text == "until" || t.text == "rescue"):
		return errTok(t, fmt.Sprintf("`%s` is not supported in formulas: a formula is one condition; join conditions with && or ||", t.text))
	case t.text == "?":
		return errTok(t, "the ternary operator (c ? a : b) is not supported in formulas; write (c && a) || (!c && b), or switch to CEL, which has c ? a : b")
	case t.text == "{" || t.kind == tkIdent && t.text == "do":
		return errTok(t, "a block ({ |s| … }) must follow a method that takes one: SAN.any? { |s| … }")
	case t.kind == tkString || t.kind == tkConst || t.kind == tkIdent || t.kind == tkRegex || t.kind == tkInt:
		return errTok(t, fmt.Sprintf("unexpected %s: join conditions with && or ||", describe(t)))
	}
	return errTok(t, fmt.Sprintf("unexpected %s", describe(t)))
}

// expr: not-level operands joined by and / or (same precedence, left to right, as
// in Ruby).
func (p *parser) expr() (*node, *Error) {
	if err := p.enter(p.peek()); err != nil {
		return nil, err
	}
	defer p.leave()
	left, err := p.notExpr()
	if err != nil {
		return nil, err
	}
	for p.is("and") || p.is("or") {
		op := p.advance()
		right, err := p.notExpr()
		if err != nil {
			return nil, err
		}
		left = binary(left, op, right)
	}
	return left, nil
}

func binary(x *node, op token, y *node) *node {
	return &node{kind: nBinary, start: x.start, end: y.end, text: op.text, opStart: op.start, opEnd: op.end, x: x, y: y}
}

func (p *parser) notExpr() (*node, *Error) {
	if p.is("not") {
		op := p.advance()
		if err := p.enter(op); err != nil {
			return nil, err
		}
		defer p.leave()
		x, err := p.notExpr()
		if err != nil {
			return nil, err
		}
		return &node{kind: nUnary, start: op.start, end: x.end, text: "not", opStart: op.start, opEnd: op.end, x: x}, nil
	}
	return p.orExpr()
}

func (p *parser) orExpr() (*node, *Error) {
	left, err := p.andExpr()
	if err != nil {
		return nil, err
	}
	for p.is("||") {
		op := p.advance()
		right, err := p.andExpr()
		if err != nil {
			return nil, err
		}
		left = binary(left, op, right)
	}
	return left, nil
}

func (p *parser) andExpr() (*node, *Error) {
	left, err := p.eqExpr()
	if err != nil {
		return nil, err
	}
	for p.is("&&") {
		op := p.advance()
		right, err := p.eqExpr()
		if err != nil {
			return nil, err
		}
		left = binary(left, op, right)
	}
	return left, nil
}

var equalityOps = []string{"==", "!=", "=~", "!~"}
var relationOps = []string{"<", ">", "<=", ">="}

// eqExpr: Ruby's equality operators do not chain.
func (p *parser) eqExpr() (*node, *Error) {
	left, err := p.relExpr()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	switch {
	case t.kind == tkPunct && slices.Contains(equalityOps, t.text):
		op := p.advance()
		right, err := p.relExpr()
		if err != nil {
			return nil, err
		}
		if t := p.peek(); t.kind == tkPunct && slices.Contains(equalityOps, t.text) {
			return nil, errTok(t, fmt.Sprintf("comparisons do not chain: add parentheses or join them with &&"))
		}
		return binary(left, op, right), nil
	case t.text == "===" && t.kind == tkPunct:
		return nil, errTok(t, "=== (case equality) is not supported in formulas; compare with == or match a regexp with match?")
	case t.text == "<=>" && t.kind == tkPunct:
		return nil, errTok(t, "<=> is not supported in formulas; compare with <, <=, == …")
	case t.text == "=" && t.kind == tkPunct:
		return nil, errTok(t, "= assigns in Ruby and is not supported in formulas; compare with ==")
	}
	return left, nil
}

func (p *parser) relExpr() (*node, *Error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	if err := p.arithmetic(); err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind == tkPunct && slices.Contains(relationOps, t.text) {
		op := p.advance()
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		if err := p.arithmetic(); err != nil {
			return nil, err
		}
		if t := p.peek(); t.kind == tkPunct && slices.Contains(relationOps, t.text) {
			return nil, errTok(t, "comparisons do not chain: join them with &&, as in a < b && b < c")
		}
		return binary(left, op, right), nil
	}
	return left, nil
}

// arithmetic refuses the operators that formulas about certificates do not need.
func (p *parser) arithmetic() *Error {
	t := p.peek()
	if t.kind != tkPunct {
		return nil
	}
	switch t.text {
	case "+":
		return errTok(t, `+ is not supported in formulas; compare the parts separately, or switch to CEL, where "DNS:" + CN joins strings`)
	case "-", "*", "/", "%", "**", "<<", ">>", "^", "~":
		return errTok(t, fmt.Sprintf("arithmetic (%s) is not supported in formulas; compare sizes directly, as in SAN.size > 1", t.text))
	case "&", "|":
		return errTok(t, fmt.Sprintf("%s is not supported in formulas; join conditions with %s%s", t.text, t.text, t.text))
	case "..":
		return errTok(t, "ranges (a..b) are not supported in formulas; write a <= x && x <= b")
	}
	return nil
}

func (p *parser) unary() (*node, *Error) {
	t := p.peek()
	switch {
	case t.kind == tkPunct && t.text == "!":
		op := p.advance()
		if err := p.enter(op); err != nil {
			return nil, err
		}
		defer p.leave()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &node{kind: nUnary, start: op.start, end: x.end, text: "!", opStart: op.start, opEnd: op.end, x: x}, nil
	case t.kind == tkPunct && t.text == "-":
		op := p.advance()
		if n := p.peek(); n.kind == tkInt && !n.space {
			p.advance()
			return p.postfix(&node{kind: nInt, start: op.start, end: n.end, num: -n.num, text: "-" + n.text})
		}
		return nil, errTok(op, "unary minus is only supported before a number, as in -1")
	case t.kind == tkIdent && t.text == "not":
		return nil, errTok(t, "`not` binds loosely in Ruby: put it first, or write ! here, as in a && !b")
	}
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	return p.postfix(x)
}

// keywords that cannot start a value.
var keywords = map[string]string{
	"if":       "`if` is not supported in formulas: a formula is one condition; combine conditions with &&, || and !",
	"unless":   "`unless` is not supported in formulas: a formula is one condition; negate with !",
	"case":     "`case` is not supported in formulas; combine conditions with || instead",
	"def":      "methods cannot be defined in formulas",
	"begin":    "`begin` is not supported in formulas: a formula is one expression",
	"while":    "loops are not supported in formulas; use SAN.any? { |s| … }",
	"until":    "loops are not supported in formulas; use SAN.any? { |s| … }",
	"for":      "loops are not supported in formulas; use SAN.any? { |s| … }",
	"return":   "`return` is not supported in formulas: the formula's value is its result",
	"then":     "unexpected `then`",
	"else":     "unexpected `else`",
	"elsif":    "unexpected `elsif`",
	"end":      "unexpected `end`",
	"do":       "unexpected `do`: a block must follow a method that takes one, as in SAN.any? do |s| … end",
	"and":      "expected a value before `and`",
	"or":       "expected a value before `or`",
	"self":     "`self` is not available in formulas; they read CN, SAN and DN",
	"lambda":   "lambdas are not supported in formulas",
	"proc":     "procs are not supported in formulas",
	"yield":    "`yield` is not supported in formulas",
	"super":    "`super` is not supported in formulas",
	"defined?": "`defined?` is not supported in formulas: CN, SAN and DN are always defined",
}

func (p *parser) primary() (*node, *Error) {
	t := p.peek()
	switch t.kind {
	case tkEOF:
		return nil, errTok(t, "formula ends early: expected a value such as CN, SAN, DN or a string")
	case tkString:
		p.advance()
		return &node{kind: nString, start: t.start, end: t.end, text: t.text}, nil
	case tkRegex:
		p.advance()
		return &node{kind: nRegex, start: t.start, end: t.end, text: t.text, flags: t.flags}, nil
	case tkInt:
		p.advance()
		return &node{kind: nInt, start: t.start, end: t.end, num: t.num, text: t.text}, nil
	case tkIdent, tkConst:
		if msg, ok := keywords[t.text]; ok && t.kind == tkIdent {
			return nil, errTok(t, msg)
		}
		p.advance()
		switch t.text {
		case "true", "false":
			return &node{kind: nBool, start: t.start, end: t.end, text: t.text}, nil
		case "nil":
			return &node{kind: nNil, start: t.start, end: t.end, text: t.text}, nil
		}
		if n := p.peek(); n.kind == tkPunct && n.text == "(" && !n.space {
			return nil, functionCall(t)
		}
		return &node{kind: nIdent, start: t.start, end: t.end, text: t.text}, nil
	case tkPunct:
		switch t.text {
		case "(":
			open := p.advance()
			if p.is(")") {
				return nil, errTok(p.peek(), "empty parentheses: expected an expression inside")
			}
			x, err := p.expr() // expr counts the nesting
			if err != nil {
				return nil, err
			}
			if !p.is(")") {
				return nil, p.expected(")", open)
			}
			closing := p.advance()
			return &node{kind: nParen, start: open.start, end: closing.end, x: x}, nil
		case "[":
			return p.list()
		case "@", "$":
			return nil, errTok(t, "variables (@x, $x) are not available in formulas; they read CN, SAN and DN")
		case "`":
			return nil, errTok(t, "shell commands are not supported in formulas")
		case "{":
			return nil, errTok(t, "hashes ({…}) are not supported in formulas")
		}
	}
	return nil, errTok(t, fmt.Sprintf("expected a value such as CN, SAN, DN, a string or (…), found %s", describe(t)))
}

// functionCall explains size(SAN), exists(…) and other function-call syntax.
func functionCall(t token) *Error {
	switch t.text {
	case "size", "length":
		return errTok(t, fmt.Sprintf("%s(…) is CEL; in formulas call the method: SAN.%s", t.text, t.text))
	case "matches", "contains", "startsWith", "endsWith", "exists", "all", "has", "ip", "cidr", "timestamp", "duration", "int", "string":
		return errTok(t, fmt.Sprintf("%s(…) is CEL, not a formula: switch the dialect to CEL, or write it as a formula method (SAN.include?(…), CN.match?(/…/), SAN.any? { |s| … })", t.text))
	}
	return errTok(t, fmt.Sprintf("function calls such as %s(…) are not supported in formulas; formulas call methods on CN, SAN and DN, as in CN.include?(\"x\")", t.text))
}

func (p *parser) expected(what string, open token) *Error {
	t := p.peek()
	if t.kind == tkEOF {
		closer := map[string]string{"(": ")", "[": "]", "{": "}", "do": "end"}[open.text]
		return errTok(open, fmt.Sprintf("%s is not closed: add %s", describe(open), closer))
	}
	return errTok(t, fmt.Sprintf("expected %s, found %s", what, describe(t)))
}

// list reads ["a", "b"].
func (p *parser) list() (*node, *Error) {
	open := p.advance()
	n := &node{kind: nList, start: open.start}
	for !p.is("]") {
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		n.args = append(n.args, x)
		if p.is(",") {
			p.advance()
			continue
		}
		if !p.is("]") {
			return nil, p.expected(", or ]", open)
		}
	}
	n.end = p.advance().end
	return p.postfix(n)
}

// commandArg reports whether t starts the argument of a method called without
// parentheses (SAN.include? "DNS:x"), as Ruby reads it: on the same line, after a
// space.
func commandArg(t token) bool {
	if !t.space || t.newline {
		return false
	}
	switch t.kind {
	case tkString, tkRegex, tkInt, tkConst:
		return true
	case tkIdent:
		_, kw := keywords[t.text]
		return !kw && t.text != "not"
	case tkPunct:
		return t.text == "["
	}
	return false
}

// postfix reads method calls, each with optional arguments and a block.
func (p *parser) postfix(x *node) (*node, *Error) {
	for {
		t := p.peek()
		if t.kind != tkPunct {
			return x, nil
		}
		switch t.text {
		case "&.":
			return nil, errTok(t, "safe navigation (&.) is not needed in formulas: CN and DN are \"\" and SAN is [] when the certificate has none; write .")
		case "::":
			return nil, errTok(t, ":: is not supported in formulas; call methods with .")
		case "[":
			if t.space {
				return x, nil
			}
			return nil, errTok(t, "indexing (x[…]) is not supported in formulas; use SAN.include?, SAN.any? { |s| … } or CN.start_with?; in CEL, SAN[0] is the first entry")
		case ".":
		default:
			return x, nil
		}
		p.advance()
		name := p.peek()
		if name.kind != tkIdent && name.kind != tkConst {
			return nil, errTok(name, fmt.Sprintf("expected a method name after ., found %s", describe(name)))
		}
		p.advance()
		call := &node{kind: nCall, start: x.start, end: name.end, text: name.text, opStart: name.start, opEnd: name.end, recv: x}
		switch n := p.peek(); {
		case n.kind == tkPunct && n.text == "(" && !n.newline:
			open := p.advance()
			if err := p.enter(open); err != nil {
				return nil, err
			}
			for !p.is(")") {
				arg, err := p.expr()
				if err != nil {
					return nil, err
				}
				call.args = append(call.args, arg)
				if p.is(",") {
					p.advance()
					continue
				}
				if !p.is(")") {
					return nil, p.expected(", or )", open)
				}
			}
			p.leave()
			call.end = p.advance().end
		case commandArg(n):
			if err := p.enter(n); err != nil {
				return nil, err
			}
			for {
				arg, err := p.orExpr()
				if err != nil {
					return nil, err
				}
				call.args = append(call.args, arg)
				call.end = arg.end
				if !p.is(",") {
					break
				}
				p.advance()
			}
			p.leave()
			// Ruby gives the rest of the line to the argument; a block or a
			// method after it would belong to the argument, not to this call.
			return call, nil
		}
		if p.is("{") || p.is("do") {
			b, end, err := p.block()
			if err != nil {
				return nil, err
			}
			call.block, call.end = b, end
		}
		x = call
	}
}

// block reads { |s| body } or do |s| body end.
func (p *parser) block() (*block, int, *Error) {
	open := p.advance()
	closer := "}"
	if open.text == "do" {
		closer = "end"
	}
	b := &block{}
	if p.is("||") {
		t := p.advance()
		b.paramStart, b.paramEnd = t.start, t.end
	} else if p.is("|") {
		bar := p.advance()
		b.paramStart = bar.start
		for !p.is("|") {
			t := p.peek()
			if t.kind != tkIdent {
				if t.kind == tkConst {
					return nil, 0, errTok(t, fmt.Sprintf("a block parameter must start with a lower-case letter, as in |s|; %s is a constant", t.text))
				}
				return nil, 0, errTok(t, fmt.Sprintf("expected a block parameter name, as in |s|, found %s", describe(t)))
			}
			if _, kw := keywords[t.text]; kw || t.text == "true" || t.text == "false" || t.text == "nil" || t.text == "not" {
				return nil, 0, errTok(t, fmt.Sprintf("%s is a keyword and cannot name a block parameter; write |s|", t.text))
			}
			p.advance()
			b.params = append(b.params, t.text)
			if len(b.params) > 1 {
				return nil, 0, errTok(t, "blocks over SAN take one parameter, the entry: |s|")
			}
			if p.is(",") {
				p.advance()
			}
		}
		b.paramEnd = p.advance().end
	}
	if p.is(closer) {
		return nil, 0, errTok(p.peek(), "empty block: write the condition for each entry, as in { |s| s.start_with?(\"DNS:\") }")
	}
	body, err := p.expr()
	if err != nil {
		return nil, 0, err
	}
	b.body = body
	if !p.is(closer) {
		return nil, 0, p.expected(closer, open)
	}
	return b, p.advance().end, nil
}
