package explain

import (
	"fmt"
	"strings"

	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/overloads"
	"cel.dev/cel-go/common/types"

	"github.com/mtlsplay/mtlsplay/internal/rule/ruletypes"
)

// NearMiss and Range are declared without cel-go, as Result is.
type (
	NearMiss = ruletypes.NearMiss
	Range    = ruletypes.Range
)

// Field is one value a rule can see in the certificate, for near misses.
type Field struct {
	Of    string // CN, DN, SAN[i], issuer DN, issuer CN
	Value string
}

// Bounds of the near-miss search: it runs only when a rule failed, on values
// that come from a certificate a stranger may have made.
const (
	maxNearMissLiterals = 8
	maxNearMissFields   = 64
	maxNearMissRunes    = 256
	// maxNearMissCells bounds the work of one NearMisses call, in cells of the
	// edit-distance tables: contains() on long values compares many windows.
	maxNearMissCells = 500_000
)

// comparison is a call that compares a string literal with something the rule
// reads: ==, in, startsWith, endsWith, contains.
type comparison struct {
	call, lit int64
	fn        string // "==", "in", "startsWith", "endsWith", "contains"
	literal   string
	other     string // the source of what the literal is compared with
}

// comparisonOf returns the comparison e makes, if it is one.
func (ex *Explainer) comparisonOf(e ast.Expr) (comparison, bool) {
	c := e.AsCall()
	lit := func(x ast.Expr) (string, bool) {
		if x.Kind() != ast.LiteralKind {
			return "", false
		}
		s, ok := x.AsLiteral().(types.String)
		return string(s), ok
	}
	text := func(x ast.Expr) string {
		s, en := ex.sp.Span(x.ID())
		return ex.sp.Text(s, en)
	}
	args := c.Args()
	switch fn := c.FunctionName(); {
	case fn == operators.Equals && len(args) == 2:
		for i, a := range args {
			if s, ok := lit(a); ok && args[1-i].Kind() != ast.LiteralKind {
				return comparison{call: e.ID(), lit: a.ID(), fn: "==", literal: s, other: text(args[1-i])}, true
			}
		}
	case fn == operators.In && len(args) == 2:
		if s, ok := lit(args[0]); ok {
			return comparison{call: e.ID(), lit: args[0].ID(), fn: "in", literal: s, other: text(args[1])}, true
		}
	case c.IsMemberFunction() && len(args) == 1 && (fn == overloads.StartsWith || fn == overloads.EndsWith || fn == overloads.Contains):
		if s, ok := lit(args[0]); ok && c.Target().Kind() != ast.LiteralKind {
			return comparison{call: e.ID(), lit: args[0].ID(), fn: fn, literal: s, other: text(c.Target())}, true
		}
	}
	return comparison{}, false
}

// NearMisses adds to res, the explanation of a rule that did not hold, the near
// misses of its failed comparisons against fields.
func (ex *Explainer) NearMisses(res *Result, fields []Field) {
	if res.Value || len(fields) == 0 {
		return
	}
	fields = fields[:min(len(fields), maxNearMissFields)]
	byID := make(map[int64]*Node, len(res.Nodes))
	for i := range res.Nodes {
		byID[res.Nodes[i].ID] = &res.Nodes[i]
	}
	seen := map[string]bool{}
	budget := maxNearMissCells
	for _, c := range ex.compares {
		if len(res.NearMisses) >= maxNearMissLiterals {
			break
		}
		n, ln := byID[c.call], byID[c.lit]
		if n == nil || ln == nil || !failed(n) || seen[c.literal] {
			continue
		}
		if nm, ok := nearMiss(c, fields, &budget); ok {
			seen[c.literal] = true
			nm.Node, nm.Start, nm.End = ln.ID, ln.Start, ln.End
			res.NearMisses = append(res.NearMisses, nm)
		}
	}
}

// failed says whether a comparison node was false (every time, inside a macro).
func failed(n *Node) bool {
	if n.Value != "" {
		return n.Value == "false"
	}
	if len(n.Iterations) == 0 {
		return false
	}
	for _, it := range n.Iterations {
		if it.Value != "false" {
			return false
		}
	}
	return true
}

// nearMiss finds the field closest to c's literal, if one is close enough: within
// a quarter of the literal's length (at least 1), or equal to a field the rule did
// not compare it with.
func nearMiss(c comparison, fields []Field, budget *int) (NearMiss, bool) {
	lit := []rune(c.literal)
	if len(lit) < 3 || len(lit) > maxNearMissRunes {
		return NearMiss{}, false
	}
	limit := max(1, len(lit)/4)
	best, bestD, bestOff, bestLen := -1, limit+1, 0, 0
	for i, f := range fields {
		val := []rune(f.Value)
		if len(val) == 0 || len(val) > maxNearMissRunes || *budget <= 0 {
			continue
		}
		eachWindow(c.fn, len(lit), len(val), limit, func(w Range) bool {
			seg := val[w.Start:w.End]
			if abs(len(seg)-len(lit)) >= bestD {
				return true
			}
			if *budget -= len(lit) * len(seg); *budget < 0 {
				return false
			}
			if d := distance(lit, seg, bestD); d < bestD {
				best, bestD, bestOff, bestLen = i, d, w.Start, w.End-w.Start
			}
			return true
		})
	}
	if best < 0 || bestD >= len(lit) {
		return NearMiss{}, false
	}
	f := fields[best]
	val := []rune(f.Value)
	nm := NearMiss{Literal: c.literal, Of: f.Of, Value: f.Value, Distance: bestD, LiteralDiff: []Range{}, ValueDiff: []Range{}}
	if bestD == 0 {
		if c.fn != "==" && c.fn != "in" {
			return NearMiss{}, false // a prefix of a field that the rule read elsewhere: nothing to say
		}
		nm.Message = fmt.Sprintf("%q is the certificate's %s, but the rule compares it with %s", c.literal, describe(f.Of), c.other)
		switch {
		case f.Of == "issuer DN" || f.Of == "issuer CN":
			own := strings.TrimPrefix(f.Of, "issuer ")
			nm.Message = fmt.Sprintf("%q is the %s of the certificate's issuer (the CA that issued it), not the certificate's own %s, %q", c.literal, own, own, fieldValue(fields, own))
		case strings.HasPrefix(f.Of, "chain["):
			nm.Message = fmt.Sprintf("%q is the DN of a CA above the certificate (%s), not the certificate's own DN, %q", c.literal, f.Of, fieldValue(fields, "DN"))
		}
		return nm, true
	}
	ops := diff(lit, val[bestOff:bestOff+bestLen])
	var words []string
	for _, o := range ops {
		nm.LiteralDiff = append(nm.LiteralDiff, o.lit)
		nm.ValueDiff = append(nm.ValueDiff, Range{Start: o.val.Start + bestOff, End: o.val.End + bestOff})
		if len(words) < 3 {
			words = append(words, o.describe(lit, val[bestOff:bestOff+bestLen]))
		}
	}
	plural := "s differ"
	if bestD == 1 {
		plural = " differs"
	}
	nm.Message = fmt.Sprintf("the closest value the rule sees is %s %q: %d character%s (%s)", describe(f.Of), f.Value, bestD, plural, strings.Join(words, "; "))
	return nm, true
}

func describe(of string) string {
	if strings.HasPrefix(of, "SAN[") {
		return "SAN entry " + of
	}
	return of
}

func fieldValue(fields []Field, of string) string {
	for _, f := range fields {
		if f.Of == of {
			return f.Value
		}
	}
	return ""
}

// eachWindow calls f with the parts of a value of length n that a literal of
// length l is compared with, until f returns false: all of it for == and in; its
// start or end for startsWith and endsWith, and any part for contains, each within
// slack characters of l long (a character too many or too few is the usual miss).
func eachWindow(fn string, l, n, slack int, f func(Range) bool) {
	if fn != "startsWith" && fn != "endsWith" && fn != "contains" {
		f(Range{Start: 0, End: n})
		return
	}
	for k := max(1, l-slack); k <= min(n, l+slack); k++ {
		switch fn {
		case "startsWith":
			if !f(Range{Start: 0, End: k}) {
				return
			}
		case "endsWith":
			if !f(Range{Start: n - k, End: n}) {
				return
			}
		case "contains":
			for s := 0; s+k <= n; s++ {
				if !f(Range{Start: s, End: s + k}) {
					return
				}
			}
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// distance is the Levenshtein distance of a and b, or at least bound when it is
// bound or more (it stops as soon as a whole row is at bound or more).
func distance(a, b []rune, bound int) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= bound {
			return bound
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// edit is one run of differences: lit and val are the ranges it covers in each.
type edit struct{ lit, val Range }

func (e edit) describe(lit, val []rune) string {
	l, v := string(lit[e.lit.Start:e.lit.End]), string(val[e.val.Start:e.val.End])
	after := ""
	if e.lit.Start > 0 {
		after = fmt.Sprintf(" after %q", string(lit[max(0, e.lit.Start-8):e.lit.Start]))
	}
	switch {
	case v == "":
		return fmt.Sprintf("the rule has an extra %q%s", l, after)
	case l == "":
		return fmt.Sprintf("the rule lacks %q%s", v, after)
	}
	return fmt.Sprintf("the rule has %q where the certificate has %q", l, v)
}

// diff aligns a and b by edit distance and returns the runs that differ, in order.
func diff(a, b []rune) []edit {
	n, m := len(a), len(b)
	d := make([][]int, n+1)
	for i := range d {
		d[i] = make([]int, m+1)
		d[i][0] = i
	}
	for j := 0; j <= m; j++ {
		d[0][j] = j
	}
	for i := 1; i <= n; i++ {
		for j := 1; j <= m; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
		}
	}
	// Walk back, marking each position of a and b as same or different.
	diffA, diffB := make([]bool, n), make([]bool, m)
	i, j := n, m
	for i > 0 || j > 0 {
		switch {
		case i > 0 && j > 0 && a[i-1] == b[j-1] && d[i][j] == d[i-1][j-1]:
			i, j = i-1, j-1
		case i > 0 && j > 0 && d[i][j] == d[i-1][j-1]+1:
			diffA[i-1], diffB[j-1] = true, true
			i, j = i-1, j-1
		case i > 0 && d[i][j] == d[i-1][j]+1:
			diffA[i-1] = true
			i--
		default:
			diffB[j-1] = true
			j--
		}
	}
	// Runs: walk both strings together along the same-character pairs.
	var out []edit
	i, j = 0, 0
	for i < n || j < m {
		if i < n && j < m && !diffA[i] && !diffB[j] {
			i, j = i+1, j+1
			continue
		}
		e := edit{lit: Range{Start: i, End: i}, val: Range{Start: j, End: j}}
		for i < n && diffA[i] {
			i++
		}
		for j < m && diffB[j] {
			j++
		}
		e.lit.End, e.val.End = i, j
		if e.lit.Start == e.lit.End && e.val.Start == e.val.End {
			break // cannot happen: same characters are skipped above
		}
		out = append(out, e)
	}
	return out
}
