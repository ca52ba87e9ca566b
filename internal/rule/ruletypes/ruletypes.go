// Package ruletypes declares what a rule's outcome carries (a result and its
// explanation's nodes, compile issues, the dialect's info, the TLS facts) without
// cel-go: package policy composes a decision from them, and the page's inspector
// engine, which does not link cel-go, answers with them (docs/design.md §1, §5.4).
package ruletypes

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/mtlsplay/mtlsplay/internal/workato"
)

// MaxSourceBytes bounds a rule's source. Real rules are a few lines; 16 KiB
// leaves room for long allow-lists while keeping parse and check time
// around a few milliseconds.
const MaxSourceBytes = 16 << 10

// Result is a rule's value and why, for the playground's verdict pane, the CLI's
// --json and the echo endpoint.
//
// Offsets (Node.Start/End, Match.Start/End) count Unicode code points, as cel-go
// does. JavaScript strings index UTF-16 code units, so a page converts with, e.g.,
//
//	const cp = Array.from(rule);                  // one entry per code point
//	const from = cp.slice(0, node.start).join("").length;
//	const to = from + cp.slice(node.start, node.end).join("").length;
//
// (the two differ only when the rule holds characters outside the BMP, such as emoji).
type Result struct {
	// Value is the rule's verdict, from the same evaluation as rule.Program.Eval; false
	// when Error is set.
	Value bool `json:"value"`
	// Error is why the rule produced no value ("rule:1:5: index out of bounds: 3").
	Error string `json:"error,omitempty"`
	// Nodes are the sub-expressions as written, sorted by Start, enclosing ones
	// before the ones inside them (Start ascending, End descending).
	Nodes []Node `json:"nodes"`
	// Matched are the list elements and substrings that decided the result: the
	// SAN entries for which an exists() predicate held, the one that failed an
	// all(), the element `in` found, the part of DN that contains() matched.
	Matched []Match `json:"matched"`
	// NearMisses are, when the rule did not hold, the string literals of failed
	// comparisons beside the closest value the certificate has (Explainer.NearMisses).
	NearMisses []NearMiss `json:"near_misses,omitempty"`
}

// Node is one sub-expression of the rule and its value.
type Node struct {
	ID       int64  `json:"id"`
	Start    int    `json:"start"`  // 0-based code point offset of the first character
	End      int    `json:"end"`    // 0-based code point offset just after the last character
	Line     int    `json:"line"`   // 1-based line of Start
	Column   int    `json:"column"` // 1-based column of Start, in code points
	Text     string `json:"text"`   // the source from Start to End
	Kind     string `json:"kind"`   // ident, select, call, literal, list, map, struct, macro
	Function string `json:"function,omitempty"`
	Type     string `json:"type"` // the checked CEL type: bool, string, list(string), …
	// Value is the value in CEL syntax: true, "DNS:x", ["a", "b"], cut at about
	// 200 characters. Empty when Error is set or when the node is evaluated once
	// per element (see Iterations).
	Value string `json:"value,omitempty"`
	// Error says why there is no Value: the sub-expression failed (the CEL error),
	// or it was not evaluated.
	Error string `json:"error,omitempty"`
	// Iterations holds, for a node inside the predicate of exists/all/exists_one/
	// filter/map, its value for each element of the list, in list order.
	Iterations []Iteration `json:"iterations,omitempty"`
}

// Iteration is a node's value for one element of the list a macro iterates.
type Iteration struct {
	Value string `json:"value,omitempty"`
	Error string `json:"error,omitempty"`
}

// Match points at what decided a rule: an element of a list (Index ≥ 0) or a
// substring of a string (Index -1, Start/End in code points of that string).
type Match struct {
	Node  int64  `json:"node"`  // the sub-expression that decided
	Of    string `json:"of"`    // the list or string as written in the rule: "SAN", "DN", "cert.san.dns"
	Index int    `json:"index"` // element index, or -1 for a substring
	Start int    `json:"start"` // substrings: code point offsets into the string; 0 for elements
	End   int    `json:"end"`
	Value string `json:"value"` // the element or substring, in CEL syntax
}

// String renders a result for a terminal: the value, then each sub-expression.
func (r Result) String() string {
	var b strings.Builder
	if r.Error != "" {
		fmt.Fprintf(&b, "error: %s\n", r.Error)
	} else {
		fmt.Fprintf(&b, "%t\n", r.Value)
	}
	for _, n := range r.Nodes {
		v := n.Value
		if n.Error != "" {
			v = "error: " + n.Error
		}
		if len(n.Iterations) > 0 {
			parts := make([]string, len(n.Iterations))
			for i, it := range n.Iterations {
				parts[i] = it.Value
				if it.Error != "" {
					parts[i] = "error: " + it.Error
				}
			}
			v = "per element: " + strings.Join(parts, " | ")
		}
		fmt.Fprintf(&b, "  %d:%d %s → %s\n", n.Line, n.Column, n.Text, v)
	}
	return b.String()
}

// NearMiss is a string literal of a comparison that failed, beside the closest
// value the rule could see in the certificate, with the characters that differ
// marked: "Email: ops@example.com" against the SAN entry "Email:ops@example.com".
// A literal equal to another field than the one compared (the issuer's DN where the
// rule reads DN) is a near miss at distance 0.
type NearMiss struct {
	Node     int64  `json:"node"`    // the literal's node
	Start    int    `json:"start"`   // the literal in the rule (code points), as its node
	End      int    `json:"end"`     //
	Literal  string `json:"literal"` // the literal's value
	Of       string `json:"of"`      // where Value is: CN, DN, SAN[i], issuer DN, issuer CN
	Value    string `json:"value"`   // the closest value
	Distance int    `json:"distance"`
	// LiteralDiff and ValueDiff are the code point ranges of Literal and of Value
	// that differ. An empty range (Start == End) marks where characters the
	// other one has are missing.
	LiteralDiff []Range `json:"literal_diff"`
	ValueDiff   []Range `json:"value_diff"`
	Message     string  `json:"message"` // one sentence saying it
}

// Range is a half-open range of code points.
type Range struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Issue is one problem in a rule's source, at a 1-based line and a 1-based column
// counted in characters (Unicode code points), as an editor shows them.
type Issue struct {
	Severity string `json:"severity"` // "error" (the rule cannot run) or "warning"
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	// Start and End are the 0-based code point offsets of what to underline: the
	// token at Line:Column, or the whole expression for a rule that is not bool.
	Start   int    `json:"start"`
	End     int    `json:"end"`
	Message string `json:"message"`
	// Snippet is the source line and a caret under the column, as cel-go prints
	// them: " | SAN.exists(s, s.endswith('x'))\n | .................^".
	Snippet string `json:"snippet"`
	// ID names a warning's lint (LintSANNoPrefix, …), for the page and tests.
	ID string `json:"id,omitempty"`
	// Fix says what to write instead; Edits is the same as text edits an editor
	// can apply as a quick fix.
	Fix   string `json:"fix,omitempty"`
	Edits []Edit `json:"edits,omitempty"`
}

// String formats the issue as "rule:LINE:COLUMN: message".
func (i Issue) String() string {
	return fmt.Sprintf("rule:%d:%d: %s", i.Line, i.Column, i.Message)
}

// Moved returns the issue placed at [start, end) of src, with its line, column and
// snippet recomputed: for a rule written in another dialect and translated to
// CEL, whose issues are found on the CEL and shown on the original.
func (i Issue) Moved(src string, start, end int) Issue {
	ls := LineStarts(src)
	line := sort.Search(len(ls), func(k int) bool { return ls[k] > start })
	if line < 1 {
		line = 1
	}
	i.Start, i.End = start, end
	i.Line, i.Column = line, start-ls[line-1]+1
	i.Snippet = Snippet(src, i.Line, i.Column)
	return i
}

// Edit is a replacement an editor can apply as a quick fix: the rule's text from
// Start to End (0-based code point offsets) becomes Replacement. Package lint
// makes them; the type is here because Issue carries them.
type Edit struct {
	Start       int    `json:"start"`
	End         int    `json:"end"`
	Replacement string `json:"replacement"`
	// Value is the new string value when the edit replaces a whole string
	// literal, so that another dialect can write the literal in its own syntax.
	Value *string `json:"-"`
}

// TLS is the connection as the server saw it: the rule variable `tls` (rule.TLS);
// the playground has no connection, so there every field is "".
type TLS struct {
	Version     string `json:"version"`      // e.g. "TLS 1.3"
	CipherSuite string `json:"cipher_suite"` // e.g. "TLS_AES_128_GCM_SHA256"
	ServerName  string `json:"server_name"`  // SNI the client sent
	ALPN        string `json:"alpn"`         // negotiated application protocol, e.g. "h2"
}

// Info is what a response says about a rule beside its value: the dialect it was
// read in, its CEL translation (formulas only), and its warnings at positions in
// the rule as written.
type Info struct {
	Dialect  string            `json:"dialect"`
	CEL      string            `json:"cel,omitempty"`
	Map      workato.SourceMap `json:"cel_map,omitempty"`
	Warnings []Issue           `json:"warnings"`
}

// LineStarts returns the code point offset at which each line starts.
func LineStarts(src string) []int {
	starts := []int{0}
	n := 0
	for _, r := range src {
		n++
		if r == '\n' {
			starts = append(starts, n)
		}
	}
	return starts
}

// Snippet renders a source line and a caret under a 1-based column, in cel-go's
// style: dots before the caret, full-width ones under wide characters, so the caret
// lines up in a terminal.
func Snippet(src string, line, col int) string {
	start := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(src[start:], '\n')
		if i < 0 {
			return ""
		}
		start += i + 1
	}
	text := src[start:]
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	}
	rs := []rune(strings.ReplaceAll(strings.TrimSuffix(text, "\r"), "\t", " "))
	// A window around the column keeps a 5,000-character line readable.
	const window = 60
	prefix, suffix := "", ""
	if from := col - 1 - window; from > 0 {
		rs, col, prefix = rs[from:], col-from, "…"
	}
	if len(rs) > 2*window {
		rs, suffix = rs[:2*window], "…"
	}
	var b strings.Builder
	b.WriteString(" | ")
	b.WriteString(prefix + string(rs) + suffix)
	b.WriteString("\n | ")
	if prefix != "" {
		b.WriteString(".")
	}
	for i := 0; i < col-1 && i < len(rs); i++ {
		if utf8.RuneLen(rs[i]) > 1 {
			b.WriteString("\uff0e")
		} else {
			b.WriteByte('.')
		}
	}
	if col-1 < len(rs) && utf8.RuneLen(rs[col-1]) > 1 {
		b.WriteString("\uff3e")
	} else {
		b.WriteByte('^')
	}
	return b.String()
}
