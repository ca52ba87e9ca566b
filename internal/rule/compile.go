package rule

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/runes"
	"cel.dev/cel-go/common/types"

	"github.com/mtlsplay/mtlsplay/internal/lru"
	"github.com/mtlsplay/mtlsplay/internal/rule/celtext"
	"github.com/mtlsplay/mtlsplay/internal/rule/explain"
	"github.com/mtlsplay/mtlsplay/internal/rule/ruletypes"
	"github.com/mtlsplay/mtlsplay/internal/rule/span"
)

// Issue and Edit are declared without cel-go, so that an error response of the
// page's inspector can carry them.
type (
	Issue = ruletypes.Issue
	Edit  = ruletypes.Edit
)

// CompileError is why a rule did not compile: syntax, an unknown name or field, a
// type mismatch, a rule that is not bool, or one over a limit. Issues are in source
// order and never empty.
type CompileError struct {
	Issues []Issue `json:"issues"`
	more   int     // issues beyond maxIssues, not listed
}

// Error returns the first issue on one line, "rule:1:5: undefined field 'subjct'",
// and how many more there are.
func (e *CompileError) Error() string {
	if len(e.Issues) == 0 {
		return "rule: compile error"
	}
	s := e.Issues[0].String()
	if n := len(e.Issues) - 1 + e.more; n == 1 {
		s += " (and 1 more error)"
	} else if n > 1 {
		s += fmt.Sprintf(" (and %d more errors)", n)
	}
	return s
}

// Report returns every issue with its source line and caret, like cel-go's
// Issues.Err() text, for a terminal.
func (e *CompileError) Report() string {
	var b strings.Builder
	for i, is := range e.Issues {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(is.String())
		if is.Snippet != "" {
			b.WriteByte('\n')
			b.WriteString(is.Snippet)
		}
	}
	return b.String()
}

// Program is a compiled, type-checked rule. It is immutable and safe for
// concurrent use; Env.Compile returns the same *Program for the same source while
// it stays in the cache.
type Program struct {
	src     string
	checked *cel.Ast
	env     *Env
	tracked cel.Program // runtime cost tracking, stops at CostLimit

	// bounded runs without cost tracking when checks pass (see cost.go); nil when
	// the static estimate does not fit CostLimit.
	bounded cel.Program
	checks  []sizeCheck

	explainOnce sync.Once
	explainer   *explain.Explainer
	explainErr  error
}

// Source returns the rule as it was compiled.
func (p *Program) Source() string { return p.src }

// Checked returns the type-checked CEL AST: node types, source offsets and the
// macro calls as written. Explain and lints read it; it must not be modified.
func (p *Program) Checked() *cel.Ast { return p.checked }

// Compile parses and type-checks a rule. Any problem comes back as a
// *CompileError with positions.
func (e *Env) Compile(src string) (*Program, error) {
	if p, cerr, ok := e.cache.get(src); ok {
		if cerr != nil {
			return nil, cerr
		}
		return p, nil
	}
	p, cerr := e.compile(src)
	e.cache.put(src, p, cerr)
	if cerr != nil {
		return nil, cerr
	}
	return p, nil
}

func (e *Env) compile(src string) (*Program, *CompileError) {
	if len(src) > MaxSourceBytes {
		return nil, &CompileError{Issues: []Issue{{
			Severity: "error", Line: 1, Column: 1, End: 1,
			Message: fmt.Sprintf("rule is too long: %d bytes, the limit is %d", len(src), MaxSourceBytes),
		}}}
	}
	if strings.TrimSpace(stripComments(src)) == "" {
		return nil, &CompileError{Issues: []Issue{{
			Severity: "error", Line: 1, Column: 1,
			Message: "rule is empty: write an expression that evaluates to true or false, e.g. SAN.exists(s, s == \"DNS:client.example.com\")",
		}}}
	}
	checked, iss := e.cel.CompileSource(newQuietSource(src))
	if iss != nil && len(iss.Errors()) > 0 {
		return nil, issuesError(src, iss)
	}
	if t := checked.OutputType(); !t.IsExactType(types.BoolType) && t.Kind() != types.DynKind {
		// Point at the start of the whole expression, not at its top operator.
		sp := span.New(src, checked.NativeRep())
		start, end := sp.Span(checked.NativeRep().Expr().ID())
		line, col := sp.LineCol(start)
		return nil, &CompileError{Issues: []Issue{{
			Severity: "error", Line: line, Column: col, Start: start, End: end,
			Message: fmt.Sprintf("rule must evaluate to bool, got %s", celtext.Type(t)),
			Snippet: span.Snippet(src, line, col),
		}}}
	}
	tracked, err := e.cel.Program(checked, fastOptions()...)
	if err != nil {
		// Planning folds constants, so it fails on constant arguments that cannot
		// work: matches("["), timestamp("bad"). Point at the call that fails.
		sp := span.New(src, checked.NativeRep())
		start, end := e.locatePlanError(checked.NativeRep(), sp)
		line, col := sp.LineCol(start)
		return nil, &CompileError{Issues: []Issue{{
			Severity: "error", Line: line, Column: col, Start: start, End: end,
			Message: cleanMessage(err.Error()), Snippet: span.Snippet(src, line, col),
		}}}
	}
	p := &Program{src: src, checked: checked, env: e, tracked: tracked}
	p.bounded, p.checks = e.boundedProgram(checked)
	return p, nil
}

func fastOptions() []cel.ProgramOption {
	return []cel.ProgramOption{cel.CostLimit(CostLimit), cel.EvalOptions(cel.OptOptimize)}
}

// locatePlanError returns the range of the first call, in source order, that
// cannot be planned on its own; the whole rule when none can be singled out.
func (e *Env) locatePlanError(a *ast.AST, sp *span.Spanner) (int, int) {
	best, bestEnd := -1, 0
	var visit func(x ast.Expr)
	visit = func(x ast.Expr) {
		for _, c := range span.Children(x) {
			visit(c)
		}
		if x.Kind() != ast.CallKind || best >= 0 {
			return
		}
		sub := ast.NewCheckedAST(ast.NewAST(x, a.SourceInfo()), a.TypeMap(), a.ReferenceMap())
		if _, err := e.cel.PlanProgram(sub, fastOptions()...); err != nil {
			best, bestEnd = sp.Span(x.ID())
		}
	}
	visit(a.Expr())
	if best < 0 {
		return sp.Span(a.Expr().ID())
	}
	return best, bestEnd
}

// quietSource is the rule's source for cel-go without snippets: cel-go renders a
// snippet for every error, in time quadratic in the column, which a 16 KiB line
// with a thousand errors turns into minutes. Issues carry our own snippets.
type quietSource struct {
	common.Source
	runes.Buffer // the parser reads the runes directly when it can
}

func newQuietSource(src string) quietSource {
	s := common.NewTextSource(src)
	b, _ := s.(runes.Buffer)
	if b == nil {
		b = runes.NewBuffer(src)
	}
	return quietSource{Source: s, Buffer: b}
}

func (quietSource) Snippet(int) (string, bool) { return "", false }

// maxIssues bounds the issues reported for one rule; the rest are counted.
const maxIssues = 20

// issuesError converts cel-go's issues to a CompileError, keeping its messages
// ("undeclared reference to 'CM' (did you mean 'CN'?)").
func issuesError(src string, iss *cel.Issues) *CompileError {
	lines := span.LineStarts(src)
	rs := []rune(src)
	ce := &CompileError{}
	errs := iss.Errors()
	if len(errs) > maxIssues {
		ce.more = len(errs) - maxIssues
		errs = errs[:maxIssues]
	}
	for _, e := range errs {
		line, col := e.Location.Line(), e.Location.Column()+1
		if line < 1 || line > len(lines) || col < 1 {
			line, col = 1, 1
		}
		ce.Issues = append(ce.Issues, Issue{
			Severity: "error",
			Line:     line,
			Column:   col,
			Start:    lines[line-1] + col - 1,
			End:      tokenEnd(rs, lines[line-1]+col-1),
			Message:  cleanMessage(e.Message) + suggestion(e.Message, rs, lines[line-1]+col-1),
			Snippet:  span.Snippet(src, line, col),
		})
	}
	if len(ce.Issues) == 0 {
		ce.Issues = append(ce.Issues, Issue{Severity: "error", Line: 1, Column: 1, Message: "rule does not compile"})
	}
	return ce
}

// The patterns that rewrite cel-go's error messages are compiled on first use, not at
// start-up: only a rule with an error needs them, and in the browser every regexp
// compiled at init delays the engine's start.
var (
	// cel-go names its Go options in some messages; a rule author cannot use them.
	enableWithRE    = lazyRegexp(`,? ?\(?enable with ` + "`[^`]*`" + `\)?`)
	emptyContainer  = " (in container '')"
	undefinedFieldR = lazyRegexp(`^undefined field '([^']*)'$`)
	undeclaredRefR  = lazyRegexp(`^undeclared reference to '([^']*)'$`)
	listStringCallR = lazyRegexp(`^found no matching overload for '(contains|startsWith|endsWith|matches|lowerAscii|upperAscii|trim)' applied to 'list\(string\)\.`)
)

// receiverBefore returns the receiver of the method call whose "(" is at open, when
// it is a plain path (SAN, cert.subject.organization, chain[0].san.dns), else "".
func receiverBefore(src []rune, open int) string {
	isName := func(r rune) bool {
		return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
	}
	if open > len(src) {
		return ""
	}
	i := open - 1
	for i >= 0 && isName(src[i]) { // the method's name
		i--
	}
	if i < 0 || src[i] != '.' {
		return ""
	}
	end := i
scan:
	for i--; i >= 0; i-- {
		switch r := src[i]; {
		case isName(r) || r == '.':
		case r == ']': // an index, chain[0], maybe nested: chain[l[0]]
			for depth := 0; ; i-- {
				if i < 0 {
					return ""
				}
				if src[i] == ']' {
					depth++
				} else if src[i] == '[' {
					if depth--; depth == 0 {
						break
					}
				}
			}
		default:
			break scan
		}
	}
	path := src[i+1 : end]
	if len(path) == 0 || !isName(path[0]) || path[0] >= '0' && path[0] <= '9' || slices.ContainsFunc(path, unicode.IsControl) {
		return ""
	}
	return string(path)
}

func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

func cleanMessage(m string) string {
	m = plainSyntax(strings.ReplaceAll(m, emptyContainer, ""))
	if enableWithRE().MatchString(m) {
		m = enableWithRE().ReplaceAllString(m, "")
		if strings.HasSuffix(m, "?") && !strings.HasSuffix(m, "?)") {
			m += ")"
		}
		if !strings.Contains(m, "did you mean") {
			m += " (not available in mtlsplay rules)"
		}
	}
	return m
}

// suggestion adds a "did you mean" where cel-go gives none: for fields
// (cert.subjct → subject) and for short names its catalog skips (CM → CN); and for a
// string function called on a list, the way to test its elements, in the words of the
// list the rule wrote (at is the code-point offset cel-go reports: the call's "(").
func suggestion(msg string, src []rune, at int) string {
	if strings.Contains(msg, "did you mean") {
		return ""
	}
	if m := listStringCallR().FindStringSubmatch(msg); m != nil {
		list := receiverBefore(src, at)
		switch {
		case list == "SAN" && m[1] == "contains":
			return ` (a list has no contains(): for an exact entry write "DNS:api.example.com" in SAN, for part of an entry SAN.exists(s, s.contains("example.com")))`
		case list == "SAN":
			return fmt.Sprintf(" (%s works on one string, not on a list: test the entries with SAN.exists(s, s.%s(…)))", m[1], m[1])
		case list == "" && m[1] == "contains":
			return ` (a list has no contains(): for an exact element write "…" in the list, for part of an element its .exists(x, x.contains("…")))`
		case list == "":
			return fmt.Sprintf(" (%s works on one string, not on a list: test the elements with .exists(x, x.%s(…)))", m[1], m[1])
		}
		v := "x" // the element's name in the suggestion, not the list's
		if list == "x" || strings.HasPrefix(list, "x.") || strings.HasPrefix(list, "x[") {
			v = "e"
		}
		if m[1] == "contains" {
			return fmt.Sprintf(` (a list has no contains(): for an exact element write "…" in %s, for part of an element %s.exists(%s, %s.contains("…")))`, list, list, v, v)
		}
		return fmt.Sprintf(" (%s works on one string, not on a list: test the elements with %s.exists(%s, %s.%s(…)))", m[1], list, v, v, m[1])
	}
	var s string
	if m := undefinedFieldR().FindStringSubmatch(msg); m != nil {
		s = closestName(m[1], allFieldNames())
	} else if m := undeclaredRefR().FindStringSubmatch(msg); m != nil {
		s = closestName(m[1], globalNames())
	}
	if s == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean '%s'?)", s)
}

// globalNames are the variables, functions and macros, for suggestions.
var globalNames = sync.OnceValue(func() []string {
	names := []string{"CN", "SAN", "DN", "cert", "chain", "now", "tls"}
	for name := range fnDocs {
		names = append(names, name)
	}
	for _, m := range macroDocs {
		names = append(names, m.name)
	}
	return names
})

// closestName returns the one candidate within a small edit distance of name, or
// "" when there is none or it is ambiguous.
func closestName(name string, candidates []string) string {
	if len(name) > 64 {
		return "" // no name is that long; and edit distance is quadratic
	}
	best, bestD, ties := "", 3, 0
	if utf8.RuneCountInString(name) <= 3 {
		bestD = 2
	}
	for _, c := range candidates {
		d := editDistance(strings.ToLower(name), strings.ToLower(c))
		switch {
		case d < bestD:
			best, bestD, ties = c, d, 0
		case d == bestD && c != best:
			ties++
		}
	}
	if best == "" || ties > 0 {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// tokenEnd returns the end of the identifier at offset i, or i+1 for any other
// character (i at the end of the source stays there).
func tokenEnd(rs []rune, i int) int {
	if i >= len(rs) {
		return len(rs)
	}
	if i > 0 && rs[i] == '.' && i+1 < len(rs) && span.IsIdentStart(rs[i+1]) {
		i++ // cel-go points at the dot of a bad field selection
	}
	j := i
	for j < len(rs) && span.IsIdentPart(rs[j]) {
		j++
	}
	return max(j, i+1)
}

// stripComments removes // comments outside string literals, to tell an empty rule
// from one that is only a comment.
func stripComments(src string) string {
	rs := []rune(src)
	cls := span.Classify(rs)
	var b strings.Builder
	for i, r := range rs {
		if cls[i] != span.Comment {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// programCache keeps compiled programs (and compile errors) by source, least
// recently used first out, bounded in entries and in source bytes. The playground
// recompiles on every keystroke, and a server evaluates the same few rules all day.
// A source over an eighth of the bytes is not kept: one huge rule must not flush
// everything else.
type programCache struct {
	entries *lru.Cache[string, cacheEntry]
}

// cacheEntry is what compiling a source gave: a program or why there is none.
type cacheEntry struct {
	prog *Program
	err  *CompileError
}

const (
	cacheEntries = 256
	cacheBytes   = 1 << 20
)

func newProgramCache(max, maxBytes int) *programCache {
	cost := func(src string, _ cacheEntry) int64 { return int64(len(src)) }
	return &programCache{entries: lru.New(max, int64(maxBytes), cost)}
}

func (c *programCache) get(src string) (*Program, *CompileError, bool) {
	e, ok := c.entries.Get(src)
	return e.prog, e.err, ok
}

func (c *programCache) put(src string, p *Program, err *CompileError) {
	c.entries.Add(src, cacheEntry{prog: p, err: err})
}

var (
	mismatchedRE = lazyRegexp(`^Syntax error: (?:mismatched|extraneous) input '(.*)' expecting (.*)$`)
	missingEndRE = lazyRegexp(`^Syntax error: missing '(.*)' at '<EOF>'$`)
)

// plainSyntax says the parser's syntax errors in a person's words: ANTLR names
// what it expected as a token set ("expecting {'[', '{', '(', '.', '-', '!',
// 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES,
// IDENTIFIER}") and the end of the text as '<EOF>'. Other messages are kept.
func plainSyntax(m string) string {
	if g := mismatchedRE().FindStringSubmatch(m); g != nil {
		input, want := g[1], expected(g[2])
		switch {
		case input == "<EOF>":
			return "Syntax error: the rule ends where " + want + " was expected"
		case g[2] == "<EOF>":
			return "Syntax error: unexpected '" + input + "' after the end of an expression"
		}
		return "Syntax error: unexpected '" + input + "' where " + want + " was expected"
	}
	if g := missingEndRE().FindStringSubmatch(m); g != nil {
		return "Syntax error: missing '" + g[1] + "' at the end of the rule"
	}
	return m
}

// expected says an ANTLR token or token set: "')'", "']' or ','", "a value …".
func expected(set string) string {
	tokens := []string{set}
	if strings.HasPrefix(set, "{") && strings.HasSuffix(set, "}") {
		tokens = strings.Split(set[1:len(set)-1], ", ")
	}
	if slices.Contains(tokens, "IDENTIFIER") && slices.Contains(tokens, "STRING") {
		return "a value (a name, a string, a number, a list or an expression in parentheses)"
	}
	var names []string
	for _, t := range tokens {
		switch t {
		case "NUM_FLOAT", "NUM_INT", "NUM_UINT":
			t = "a number"
		case "STRING":
			t = "a string"
		case "BYTES":
			t = "bytes"
		case "IDENTIFIER":
			t = "a name"
		case "<EOF>":
			t = "the end of the rule"
		}
		if !slices.Contains(names, t) {
			names = append(names, t)
		}
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
