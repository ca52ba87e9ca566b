package explain_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/rule/celtext"
	"github.com/mtlsplay/mtlsplay/internal/rule/explain"
)

// nodeByText finds the explained node with the given source text.
func nodeByText(t *testing.T, r explain.Result, text string) explain.Node {
	t.Helper()
	for _, n := range r.Nodes {
		if n.Text == text {
			return n
		}
	}
	var texts []string
	for _, n := range r.Nodes {
		texts = append(texts, n.Text)
	}
	t.Fatalf("no node %q among %q", text, texts)
	return explain.Node{}
}

func TestExplainValues(t *testing.T) {
	p := mustCompile(t, `CN == "x" && SAN.exists(s, s.endsWith(".example.com"))`)
	r := p.Explain(goodVars())
	if r.Value || r.Error != "" {
		t.Fatalf("Explain = %v, %q; want false", r.Value, r.Error)
	}
	want := []struct{ text, typ, value string }{
		{`CN == "x" && SAN.exists(s, s.endsWith(".example.com"))`, "bool", "false"},
		{`CN == "x"`, "bool", "false"},
		{`CN`, "string", `"client.example.com"`},
		{`"x"`, "string", `"x"`},
		{`SAN.exists(s, s.endsWith(".example.com"))`, "bool", "true"}, // evaluated although && had decided
		{`SAN`, "list(string)", `["DNS:client.example.com", "DNS:api.example.com", "IP:192.0.2.10", "IP:2001:db8::10", "Email:ops@example.com", "URI:spiffe://example.com/ns/prod/sa/client"]`},
		{`".example.com"`, "string", `".example.com"`},
	}
	for _, w := range want {
		n := nodeByText(t, r, w.text)
		if n.Type != w.typ || n.Value != w.value || n.Error != "" {
			t.Errorf("node %s = %s %q (error %q); want %s %q", w.text, n.Type, n.Value, n.Error, w.typ, w.value)
		}
	}
	pred := nodeByText(t, r, `s.endsWith(".example.com")`)
	var got []string
	for _, it := range pred.Iterations {
		got = append(got, it.Value)
	}
	if want := []string{"true", "true", "false", "false", "false", "false"}; !slices.Equal(got, want) || pred.Value != "" {
		t.Errorf("predicate per element = %q (value %q), want %q", got, pred.Value, want)
	}
	if n := nodeByText(t, r, `SAN.exists(s, s.endsWith(".example.com"))`); n.Kind != "macro" || n.Function != "exists" {
		t.Errorf("exists node kind %q function %q, want macro exists", n.Kind, n.Function)
	}
	if n := nodeByText(t, r, `CN == "x"`); n.Kind != "call" || n.Function != "==" {
		t.Errorf("== node kind %q function %q, want call ==", n.Kind, n.Function)
	}
	// The exists held, but CN == "x" decided the false rule: nothing it matched
	// decided anything.
	if len(r.Matched) != 0 {
		t.Errorf("Matched = %+v, want none", r.Matched)
	}
	// The same exists deciding a true rule names the entries it matched.
	r = mustCompile(t, `CN == "x" || SAN.exists(s, s.endsWith(".example.com"))`).Explain(goodVars())
	wantMatched := []explain.Match{
		{Node: nodeByText(t, r, `SAN.exists(s, s.endsWith(".example.com"))`).ID, Of: "SAN", Index: 0, Value: `"DNS:client.example.com"`},
		{Node: nodeByText(t, r, `SAN.exists(s, s.endsWith(".example.com"))`).ID, Of: "SAN", Index: 1, Value: `"DNS:api.example.com"`},
	}
	if !slices.Equal(r.Matched, wantMatched) {
		t.Errorf("Matched = %+v, want %+v", r.Matched, wantMatched)
	}
	// Enclosing nodes come first.
	if !slices.IsSortedFunc(r.Nodes, func(a, b explain.Node) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return b.End - a.End
	}) {
		t.Error("Nodes are not sorted by start, then longest first")
	}
}

// TestExplainOffsets: offsets and columns count code points, also after accented
// letters and characters outside the BMP, over several lines.
func TestExplainOffsets(t *testing.T) {
	src := "// Zoë's 😀 rule\nDN.contains(\"Zoë\") ||\n  (\"😀\" != CN && cert.subject.cn.size() > 1)"
	p := mustCompile(t, src)
	r := p.Explain(goodVars())
	rs := []rune(src)
	for _, n := range r.Nodes {
		if got := string(rs[n.Start:n.End]); got != n.Text {
			t.Errorf("node %d: source[%d:%d] = %q, Text = %q", n.ID, n.Start, n.End, got, n.Text)
		}
	}
	tests := []struct {
		text                     string
		start, end, line, column int
	}{
		{`DN.contains("Zoë")`, 16, 34, 2, 1},
		{`"Zoë"`, 28, 33, 2, 13},
		{`"😀" != CN && cert.subject.cn.size() > 1`, 41, 80, 3, 4},
		{`"😀"`, 41, 44, 3, 4},
		{`cert.subject.cn.size() > 1`, 54, 80, 3, 17},
		{`cert.subject.cn`, 54, 69, 3, 17},
	}
	for _, tt := range tests {
		n := nodeByText(t, r, tt.text)
		if n.Start != tt.start || n.End != tt.end || n.Line != tt.line || n.Column != tt.column {
			t.Errorf("node %s at [%d,%d) %d:%d, want [%d,%d) %d:%d", tt.text, n.Start, n.End, n.Line, n.Column, tt.start, tt.end, tt.line, tt.column)
		}
	}
	// The whole rule, with the parentheses the person wrote.
	root := r.Nodes[0]
	if want := "DN.contains(\"Zoë\") ||\n  (\"😀\" != CN && cert.subject.cn.size() > 1)"; root.Text != want {
		t.Errorf("root text = %q, want %q", root.Text, want)
	}
}

// TestExplainSpans: each kind of expression gets the range a person would select.
func TestExplainSpans(t *testing.T) {
	tests := []struct {
		rule  string
		texts []string
	}{
		{`(CN == "a" || CN == 'client.example.com') && !cert.is_ca`, []string{
			`(CN == "a" || CN == 'client.example.com') && !cert.is_ca`, `CN == "a" || CN == 'client.example.com'`,
			`CN == "a"`, `'client.example.com'`, `!cert.is_ca`, `cert.is_ca`, `cert`}},
		{`has(cert.subject.cn) && size(SAN) > 1 && SAN[0] != "x"`, []string{
			`has(cert.subject.cn)`, `cert.subject`, `size(SAN)`, `SAN[0]`, `SAN[0] != "x"`, `0`}},
		{`ip.isCanonical( cert.san.ip[ 0 ] ) && cidr("10.0.0.0/8").containsIP("10.1.2.3")`, []string{
			`ip.isCanonical( cert.san.ip[ 0 ] )`, `cert.san.ip[ 0 ]`, `cert.san.ip`, `cidr("10.0.0.0/8")`, `cidr("10.0.0.0/8").containsIP("10.1.2.3")`}},
		{`"a(" + r'\d)' + """x)""" + string(b"(") != "" || [1, 2,].size() == 2 || {"k": CN}["k"] == CN`, []string{
			`"a("`, `r'\d)'`, `"""x)"""`, `string(b"(")`, `b"("`, `[1, 2,]`, `[1, 2,].size()`, `{"k": CN}`, `{"k": CN}["k"]`}},
		{"SAN.exists(s, // a comment (with a paren\n  s == \"DNS:x\")", []string{
			"SAN.exists(s, // a comment (with a paren\n  s == \"DNS:x\")", `s == "DNS:x"`}},
		{`SAN.map(s, s.size()).filter(n, n > 20).size() == 3 && cert.not_after - now > duration("1h") && -1 < 0`, []string{
			`SAN.map(s, s.size())`, `SAN.map(s, s.size()).filter(n, n > 20)`, `cert.not_after - now`, `duration("1h")`, `-1`}},
	}
	for _, tt := range tests {
		r := mustCompile(t, tt.rule).Explain(goodVars())
		if r.Error != "" {
			t.Errorf("Explain(%s): %s", tt.rule, r.Error)
		}
		for _, text := range tt.texts {
			nodeByText(t, r, text)
		}
	}
}

// TestExplainMatched: what decided the rule, for the page to highlight.
func TestExplainMatched(t *testing.T) {
	tests := []struct {
		rule string
		want []explain.Match // Node is not compared
	}{
		{`"DNS:api.example.com" in SAN`, []explain.Match{{Of: "SAN", Index: 1, Value: `"DNS:api.example.com"`}}},
		{`SAN.all(s, s.startsWith("DNS:"))`, []explain.Match{
			{Of: "SAN", Index: 2, Value: `"IP:192.0.2.10"`}, {Of: "SAN", Index: 3, Value: `"IP:2001:db8::10"`},
			{Of: "SAN", Index: 4, Value: `"Email:ops@example.com"`}, {Of: "SAN", Index: 5, Value: `"URI:spiffe://example.com/ns/prod/sa/client"`}}},
		{`SAN.exists_one(s, s.startsWith("URI:"))`, []explain.Match{{Of: "SAN", Index: 5, Value: `"URI:spiffe://example.com/ns/prod/sa/client"`}}},
		{`cert.san.dns.filter(d, d.startsWith("api.")).size() == 1`, []explain.Match{{Of: "cert.san.dns", Index: 1, Value: `"api.example.com"`}}},
		{`SAN[4] == "Email:ops@example.com"`, []explain.Match{{Of: "SAN", Index: 4, Value: `"Email:ops@example.com"`}}},
		{`DN.contains("example")`, []explain.Match{{Of: "DN", Index: -1, Start: 10, End: 17, Value: `"example"`}}},
		{`cert.issuer.dn.endsWith("CA") && DN.matches("client\\.[a-z]+")`, []explain.Match{
			{Of: "cert.issuer.dn", Index: -1, Start: 16, End: 18, Value: `"CA"`}, {Of: "DN", Index: -1, Start: 3, End: 17, Value: `"client.example"`}}},
		{`DN == "CN=client.example.com"`, []explain.Match{{Of: "DN", Index: -1, Start: 0, End: 21, Value: `"CN=client.example.com"`}}},
		{`SAN.exists(s, s == "DNS:nope")`, []explain.Match{}},
		// Only what decided the rule: a true operand of a false && did not.
		{`CN == "client.example.com" && CN == "x"`, []explain.Match{}},
		{`SAN.exists(s, s.startsWith("DNS:")) && DN.contains("nope")`, []explain.Match{}},
		{`"DNS:api.example.com" in SAN || CN == "x"`, []explain.Match{{Of: "SAN", Index: 1, Value: `"DNS:api.example.com"`}}},
		{`CN == "x" || DN.contains("example")`, []explain.Match{{Of: "DN", Index: -1, Start: 10, End: 17, Value: `"example"`}}},
		{`!("DNS:api.example.com" in SAN)`, []explain.Match{{Of: "SAN", Index: 1, Value: `"DNS:api.example.com"`}}},
		{`CN == "x" ? "DNS:api.example.com" in SAN : DN.contains("example")`, []explain.Match{{Of: "DN", Index: -1, Start: 10, End: 17, Value: `"example"`}}},
	}
	for _, tt := range tests {
		r := mustCompile(t, tt.rule).Explain(goodVars())
		got := slices.Clone(r.Matched)
		for i := range got {
			got[i].Node = 0
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Explain(%s).Matched = %+v, want %+v", tt.rule, got, tt.want)
		}
	}
}

// TestExplainNested: a macro inside a predicate is evaluated per element; its own
// predicate's values are not shown rather than shown wrong.
func TestExplainNested(t *testing.T) {
	r := mustCompile(t, `chain.exists(c, c.subject.attributes.exists(a, a.value == "Acme Issuing CA"))`).Explain(goodVars())
	inner := nodeByText(t, r, `c.subject.attributes.exists(a, a.value == "Acme Issuing CA")`)
	var got []string
	for _, it := range inner.Iterations {
		got = append(got, it.Value)
	}
	if !slices.Equal(got, []string{"false", "true"}) {
		t.Errorf("inner exists per element = %q, want [false true]", got)
	}
	if n := nodeByText(t, r, `a.value == "Acme Issuing CA"`); n.Error == "" || n.Value != "" {
		t.Errorf("innermost predicate = %q / %q, want no value and a reason", n.Value, n.Error)
	}
	if n := nodeByText(t, r, `c`); len(n.Iterations) != 2 || !strings.HasPrefix(n.Iterations[1].Value, "certinfo.Certificate{") {
		t.Errorf("iteration variable c = %+v, want the two certificates", n.Iterations)
	}
}

// TestExplainErrors: a failing sub-expression carries its error; the verdict is
// the fast evaluation's.
func TestExplainErrors(t *testing.T) {
	r := mustCompile(t, `SAN[10] == "x" || CN == "client.example.com"`).Explain(goodVars())
	if !r.Value || r.Error != "" {
		t.Errorf("Explain = %v, %q; want true", r.Value, r.Error)
	}
	if n := nodeByText(t, r, `SAN[10]`); n.Error != "index out of bounds: 10" || n.Value != "" {
		t.Errorf("SAN[10] = %q, error %q; want index out of bounds", n.Value, n.Error)
	}
}

// TestResultJSON pins the JSON shape the page and the CLI read.
func TestResultJSON(t *testing.T) {
	r := mustCompile(t, `SAN.exists(s, s == "DNS:api.example.com")`).Explain(goodVars())
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"value", "nodes", "matched"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON %s has no %q", b, k)
		}
	}
	node := m["nodes"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "start", "end", "line", "column", "text", "kind", "type", "value"} {
		if _, ok := node[k]; !ok {
			t.Errorf("node JSON %v has no %q", node, k)
		}
	}
	if !strings.Contains(string(b), `"iterations":[{"value":"false"},{"value":"true"}`) {
		t.Errorf("JSON %s lacks the per-element values", b)
	}
}

func TestRender(t *testing.T) {
	r := mustCompile(t, `[1u, 2.0, -3, b"\x00a", null, duration("90m"), {"k": [true]}, "tab\t\"q\"\u0007"] != [] && cert.not_after > now`).Explain(goodVars())
	want := `[1u, 2.0, -3, b"\x00a", null, duration("5400s"), {"k": [true]}, "tab\t\"q\"\x07"]`
	if n := nodeByText(t, r, `[1u, 2.0, -3, b"\x00a", null, duration("90m"), {"k": [true]}, "tab\t\"q\"\u0007"]`); n.Value != want {
		t.Errorf("list value = %s, want %s", n.Value, want)
	}
	if n := nodeByText(t, r, `cert.not_after`); n.Value != `timestamp("2028-01-01T00:00:00Z")` || n.Type != "timestamp" {
		t.Errorf("not_after = %s %s", n.Type, n.Value)
	}
	if n := nodeByText(t, r, `cert`); !strings.HasSuffix(n.Value, "…") || len([]rune(n.Value)) != celtext.MaxValue+1 {
		t.Errorf("cert value = %q, want it cut at %d characters", n.Value, celtext.MaxValue)
	}
}

// TestExplainMapFilter: the transform of map(x, filter, transform) has values only
// for the elements the filter keeps.
func TestExplainMapFilter(t *testing.T) {
	r := mustCompile(t, `SAN.map(s, s.startsWith("IP:"), s.substring(3)).all(a, isIP(a))`).Explain(goodVars())
	n := nodeByText(t, r, `s.substring(3)`)
	var got []string
	for _, it := range n.Iterations {
		if it.Error != "" {
			got = append(got, "-")
		} else {
			got = append(got, it.Value)
		}
	}
	if want := []string{"-", "-", `"192.0.2.10"`, `"2001:db8::10"`, "-", "-"}; !slices.Equal(got, want) {
		t.Errorf("transform per element = %q, want %q", got, want)
	}
	if len(r.Matched) < 2 || r.Matched[0].Of != "SAN" || r.Matched[0].Index != 2 || r.Matched[1].Index != 3 {
		t.Errorf("Matched = %+v, want SAN 2 and 3 first", r.Matched)
	}
}

// TestExplainTrivialPredicates: predicates that are a literal, a variable or the
// iteration variable itself still decide the matches.
func TestExplainTrivialPredicates(t *testing.T) {
	for _, tt := range []struct {
		rule string
		n    int
	}{
		{`SAN.exists(s, true)`, 6},
		{`[true, false, true].exists(b, b)`, 2},
		{`cert.san.upn.exists(u, u != "")`, 0},
	} {
		r := mustCompile(t, tt.rule).Explain(goodVars())
		if len(r.Matched) != tt.n {
			t.Errorf("Explain(%s).Matched = %+v, want %d", tt.rule, r.Matched, tt.n)
		}
	}
	r := mustCompile(t, `cert.san.upn.exists(u, u != "")`).Explain(goodVars())
	if n := nodeByText(t, r, `u != ""`); !strings.Contains(n.Error, "no elements") {
		t.Errorf("predicate over an empty list: %+v", n)
	}
}
