package site

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

// The default page arrives decided (docs/design.md §6): the playground's HTML holds
// the default sample's verdict, explanation, findings and fields, decided at export
// (or handler) time by the native engine on exactly the request the page sends for
// it, and rendered by a port of web/ts/render.ts, so the first paint is the verdict
// the WebAssembly engine then renders again, identically. A share link hides it
// before the first paint (web/ts/boot.ts).

// defaultGateway is gateway.ts's DEFAULT_GATEWAY, the selector's first choice.
const defaultGateway = "workato"

// The decide response as web/ts/types.ts reads it (the parts the first paint shows).
type fpResponse struct {
	Code         int               `json:"code"`
	Reason       string            `json:"reason"`
	Steps        []fpStep          `json:"steps"`
	Verification *fpVerification   `json:"verification"`
	Rule         *fpRule           `json:"rule"`
	At           string            `json:"at"`
	Certificates []fpCert          `json:"certificates"`
	Leaf         int               `json:"leaf"`
	Findings     []fpFinding       `json:"findings"`
	Gateways     [][]fpGatewayView `json:"gateways"`
	GatewayTrust []fpGatewayTrust  `json:"gateway_trust"`
	Error        *struct {
		Message string `json:"message"`
	} `json:"error"`
}

type fpStep struct {
	Check  string `json:"check"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

type fpVerification struct {
	OK      bool              `json:"ok"`
	Bundle  string            `json:"bundle"`
	Chain   []json.RawMessage `json:"chain"`
	Failure *struct {
		Message string `json:"message"`
	} `json:"failure"`
	Tried []struct {
		Bundle string `json:"bundle"`
		OK     bool   `json:"ok"`
		Kind   string `json:"kind"`
		Reason string `json:"reason"`
	} `json:"tried"`
}

type fpRule struct {
	Value      any          `json:"value"`
	Error      string       `json:"error"`
	Nodes      []fpNode     `json:"nodes"`
	Matched    []fpMatch    `json:"matched"`
	NearMisses []fpNearMiss `json:"near_misses"`
}

type fpNode struct {
	ID         int    `json:"id"`
	Start      int    `json:"start"`
	End        int    `json:"end"`
	Text       string `json:"text"`
	Kind       string `json:"kind"`
	Type       string `json:"type"`
	Value      any    `json:"value"`
	Error      string `json:"error"`
	Iterations []struct {
		Value any    `json:"value"`
		Error string `json:"error"`
	} `json:"iterations"`
}

type fpMatch struct {
	Of    string `json:"of"`
	Index int    `json:"index"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Value string `json:"value"`
}

type fpRange struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

type fpNearMiss struct {
	Literal     string    `json:"literal"`
	Of          string    `json:"of"`
	Value       string    `json:"value"`
	LiteralDiff []fpRange `json:"literal_diff"`
	ValueDiff   []fpRange `json:"value_diff"`
	Message     string    `json:"message"`
}

type fpName struct {
	DN    string `json:"dn"`
	Slash string `json:"slash"`
	CN    string `json:"cn"`
}

type fpCert struct {
	Serial             string `json:"serial"`
	SignatureAlgorithm string `json:"signature_algorithm"`
	Issuer             fpName `json:"issuer"`
	Subject            fpName `json:"subject"`
	NotBefore          string `json:"not_before"`
	NotAfter           string `json:"not_after"`
	PublicKey          struct {
		Algorithm string `json:"algorithm"`
		Bits      int    `json:"bits"`
		Curve     string `json:"curve"`
	} `json:"public_key"`
	SANEntries  []string `json:"san_entries"`
	SPIFFEID    string   `json:"spiffe_id"`
	KeyUsage    []string `json:"key_usage"`
	ExtKeyUsage []string `json:"ext_key_usage"`
	IsCA        bool     `json:"is_ca"`
	SHA256      string   `json:"sha256"`
	Problems    []string `json:"problems"`
}

type fpFinding struct {
	ID       string `json:"id"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Cert     int    `json:"cert"`
	Fix      string `json:"fix"`
}

type fpGatewayView struct {
	Name   string `json:"name"`
	Values []struct {
		Name        string  `json:"name"`
		Value       *string `json:"value"`
		ValueBase64 string  `json:"value_base64"`
		Source      string  `json:"source"`
		Version     string  `json:"version"`
	} `json:"values"`
	CannotSee []string `json:"cannot_see"`
	Notes     []string `json:"notes"`
}

type fpGatewayTrust struct {
	Name      string `json:"name"`
	OK        bool   `json:"ok"`
	Differs   bool   `json:"differs"`
	Behaviour string `json:"behaviour"`
	Error     string `json:"error"`
	Reason    string `json:"reason"`
	Option    string `json:"option"`
	Source    string `json:"source"`
	Version   string `json:"version"`
}

// firstPaint is the default sample's decision as the playground's HTML carries it:
// the content of each element render.ts fills (by id) and the attributes it sets.
// A nil *firstPaint is the page without it ("Loading the engine…").
type firstPaint struct {
	value, badge, code, codeName string
	slots                        map[string]markup
	attrs                        map[string]map[string]string // by element id: attribute → value
	hidden                       map[string]bool
	certPEM, at                  string
}

// fpSamples is the part of samples.json the default request is made of.
type fpSamples struct {
	DefaultRule string `json:"defaultRule"`
	At          string `json:"at"`
	Certs       []struct {
		PEM string `json:"pem"`
	} `json:"certs"`
	Bundles []struct {
		Name string `json:"name"`
		PEM  string `json:"pem"`
	} `json:"bundles"`
}

// errNoSample: the build's samples.json has no certificate (a test's assets), so
// the page has no default decision to carry.
var errNoSample = errors.New("site: samples.json has no sample certificate")

// fpBundle and fpRequest are main.ts's request() for the default sample, field for
// field in its order: certificates, bundles, rule, at, gateway.
type fpBundle struct {
	Name string `json:"name"`
	PEM  string `json:"pem"`
}

type fpRequest struct {
	Certificates string     `json:"certificates"`
	Bundles      []fpBundle `json:"bundles"`
	Rule         string     `json:"rule"`
	At           string     `json:"at,omitempty"`
	Gateway      string     `json:"gateway"`
}

// defaultRequest is the request the page sends when it opens without a share link:
// the first sample certificate, the first sample bundle (or one empty bundle), the
// default rule, at the samples' clock, for the default gateway.
func defaultRequest(assets fs.FS) (fpRequest, string, error) {
	b, err := fs.ReadFile(assets, samples)
	if err != nil {
		return fpRequest{}, "", err
	}
	var s fpSamples
	if err := json.Unmarshal(b, &s); err != nil {
		return fpRequest{}, "", fmt.Errorf("site: %s: %w", samples, err)
	}
	if len(s.Certs) == 0 {
		return fpRequest{}, "", errNoSample
	}
	bundles := []fpBundle{{Name: "bundle 1", PEM: ""}}
	if len(s.Bundles) > 0 {
		bundles = []fpBundle{{Name: s.Bundles[0].Name, PEM: s.Bundles[0].PEM}}
	}
	return fpRequest{Certificates: s.Certs[0].PEM, Bundles: bundles, Rule: s.DefaultRule, At: s.At, Gateway: defaultGateway}, s.Certs[0].PEM, nil
}

// decideFirstPaint decides the default request with the native engine and renders
// it. The samples carry their clock, so "now" is never read; an export without
// samples (or an engine error) has no first paint, and the page loads as before.
func decideFirstPaint(assets fs.FS) (*firstPaint, error) {
	req, pem, err := defaultRequest(assets)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	var res fpResponse
	if err := json.Unmarshal(engine.Call("decide", body, func() time.Time { return ReferenceTime }), &res); err != nil {
		return nil, fmt.Errorf("site: the default decision: %w", err)
	}
	if res.Error != nil {
		return nil, fmt.Errorf("site: the default decision: %s", res.Error.Message)
	}
	return renderFirstPaint(&res, pem, req.At), nil
}

func renderFirstPaint(res *fpResponse, pem, at string) *firstPaint {
	fp := &firstPaint{slots: map[string]markup{}, attrs: map[string]map[string]string{}, hidden: map[string]bool{}, certPEM: pem, at: at}
	fp.verdict(res)
	fp.explain(res.Rule)
	leaf := res.Leaf
	var leafCert *fpCert
	if leaf < len(res.Certificates) {
		leafCert = &res.Certificates[leaf]
	}
	when, err := time.Parse(time.RFC3339Nano, res.At)
	if err != nil {
		when = ReferenceTime
	}
	fp.fields(res.Certificates, when, matchesFrom(res.Rule, leafCert), leaf)
	var views []fpGatewayView
	if leaf < len(res.Gateways) {
		views = res.Gateways[leaf]
	}
	fp.gateway(views, res.GatewayTrust)
	fp.chains(res, leaf)
	unchecked := ""
	if len(res.Certificates) == 0 {
		unchecked = "No certificate to check."
	}
	fp.findings(res.Findings, "docs/", unchecked, res.Reason, len(res.Certificates))
	return fp
}

// --- what the templates read -------------------------------------------------------

// Slot is the content of the element with this id: empty without a first paint.
func (fp *firstPaint) Slot(id string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		if fp == nil {
			return nil
		}
		_, err := io.WriteString(w, string(fp.slots[id]))
		return err
	})
}

// Fallback is Slot, or the text def without a first paint.
func (fp *firstPaint) Fallback(id, def string) templ.Component {
	if fp == nil {
		return templ.Raw(html.EscapeString(def))
	}
	return fp.Slot(id)
}

// Has says whether the page carries the first paint (the data-first-paint marks).
func (fp *firstPaint) Has() bool { return fp != nil }

// Attrs are the attributes render.ts sets on the element id (data-count, …), and
// data-first-paint on each element the first paint filled, which a share link hides
// (web/css/app.css).
func (fp *firstPaint) Attrs(id string) templ.Attributes {
	out := templ.Attributes{}
	if fp == nil {
		return out
	}
	out["data-first-paint"] = ""
	for k, v := range fp.attrs[id] {
		out[k] = v
	}
	return out
}

// Hidden is whether render.ts hides the element id; def without a first paint.
func (fp *firstPaint) Hidden(id string, def bool) bool {
	if fp == nil {
		return def
	}
	if v, ok := fp.hidden[id]; ok {
		return v
	}
	return def
}

// Badge, Code, CodeName and Value are the verdict's; the loading state without it.
func (fp *firstPaint) Badge() string {
	if fp == nil {
		return "Loading the engine…"
	}
	return fp.badge
}

func (fp *firstPaint) Code() string {
	if fp == nil {
		return "…"
	}
	return fp.code
}

func (fp *firstPaint) CodeAttr() string {
	if fp == nil {
		return ""
	}
	return fp.code
}

func (fp *firstPaint) CodeName() string {
	if fp == nil {
		return ""
	}
	return fp.codeName
}

func (fp *firstPaint) Value() string {
	if fp == nil {
		return ""
	}
	return fp.value
}

// CertPEM and At are the default inputs, shown in their boxes from the first paint.
func (fp *firstPaint) CertPEM() string {
	if fp == nil {
		return ""
	}
	return fp.certPEM
}

func (fp *firstPaint) At() string {
	if fp == nil {
		return ""
	}
	return fp.at
}

// --- the verdict (render.ts renderVerdict) -------------------------------------------

var codeNames = map[int]string{0: "accepted", 4016: "no truststore bundle", 4017: "no client certificate", 4018: "invalid client certificate", 4019: "failed the rule", 4020: "client not configured"}

func valueClass(v any, err string) string {
	switch {
	case err != "":
		return "val val-error"
	case v == true || v == "true":
		return "val val-true"
	case v == false || v == "false":
		return "val val-false"
	}
	return "val"
}

// jsString is String(v) for a JSON value.
func jsString(v any) string {
	switch v := v.(type) {
	case nil:
		return "undefined"
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (fp *firstPaint) verdict(res *fpResponse) {
	v := "false"
	if res.Code == 0 {
		v = "true"
	} else if res.Code == 4019 && res.Rule != nil && res.Rule.Error != "" {
		v = "error"
	}
	fp.value = v
	fp.badge = map[string]string{"true": "Accepted", "error": "Error", "false": "Rejected"}[v]
	fp.code = strconv.Itoa(res.Code)
	fp.codeName = codeNames[res.Code]
	fp.slots["reason"] = textNode(res.Reason)
	if r := res.Rule; r != nil {
		text := jsString(r.Value)
		if r.Error != "" {
			text = "error: " + r.Error
		}
		fp.slots["rule-value"] = cat("The rule evaluated to ", h("span", a("class", valueClass(r.Value, r.Error)), text), ".")
	} else {
		ran := slices.ContainsFunc(res.Steps, func(s fpStep) bool { return s.Check == "rule" })
		if ran {
			fp.slots["rule-value"] = textNode("No rule: every trusted certificate is accepted.")
		} else {
			fp.slots["rule-value"] = textNode("The rule was not evaluated: the decision was reached before it.")
		}
	}
	var misses []fpNearMiss
	if res.Rule != nil {
		misses = res.Rule.NearMisses
	}
	fp.hidden["near-misses"] = len(misses) == 0
	var ms []markup
	for _, m := range misses {
		ms = append(ms, h("li", a("class", "near-miss", "data-of", m.Of),
			h("p", nil, m.Message),
			h("p", a("class", "near-miss-diff"), h("span", a("class", "muted"), "rule: "), h("code", nil, markRanges(m.Literal, spans(m.LiteralDiff)))),
			h("p", a("class", "near-miss-diff"), h("span", a("class", "muted"), m.Of+": "), h("code", nil, markRanges(m.Value, spans(m.ValueDiff)))),
		))
	}
	fp.slots["near-misses"] = cat(ms)
	var steps []markup
	for _, s := range res.Steps {
		said := !s.OK && s.Detail != "" && strings.HasSuffix(res.Reason, s.Detail)
		class, label, mark := "ok", "passed", "✓"
		if !s.OK {
			class, label, mark = "bad", "failed", "✗"
		}
		var detail any = s.Detail
		if said {
			detail = h("span", a("class", "muted"), "failed: the reason above")
		}
		steps = append(steps, h("li", a("class", class, "data-check", s.Check), h("span", a("class", "mark", "aria-label", label), mark), " ", h("strong", nil, s.Check), ": ", detail))
	}
	fp.slots["steps"] = cat(steps)
}

func spans(rs []fpRange) []span {
	out := make([]span, len(rs))
	for i, r := range rs {
		out[i] = span{r.Start, r.End}
	}
	return out
}

// --- the explanation (render.ts explainRows, renderExplain) -----------------------------

var literalRE = regexp.MustCompile(`^(?:-?\d[\d.eEuUxX+-]*|true|false|null|[rRbB]{0,2}("""[\s\S]*"""|'''[\s\S]*'''|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'))$`)

type explainRow struct {
	node  fpNode
	depth int
}

func explainRows(nodes []fpNode) []explainRow {
	sorted := slices.Clone(nodes)
	slices.SortStableFunc(sorted, func(x, y fpNode) int {
		if x.Start != y.Start {
			return x.Start - y.Start
		}
		if x.End != y.End {
			return y.End - x.End
		}
		return x.ID - y.ID
	})
	var kept []fpNode
	seen := map[[2]int]bool{}
	for _, n := range sorted {
		literal := literalRE.MatchString(strings.TrimSpace(n.Text))
		if n.Kind != "" {
			literal = n.Kind == "literal"
		}
		if !literal && !seen[[2]int{n.Start, n.End}] {
			seen[[2]int{n.Start, n.End}] = true
			kept = append(kept, n)
		}
	}
	var shown []explainRow
	var open []fpNode
	for _, n := range kept {
		for len(open) > 0 && !(n.Start >= open[len(open)-1].Start && n.End <= open[len(open)-1].End) {
			open = open[:len(open)-1]
		}
		shown = append(shown, explainRow{n, len(open)})
		open = append(open, n)
	}
	return shown
}

// formatValue is render.ts's formatValue.
func formatValue(v any) string {
	if v == nil || v == "" {
		return "—"
	}
	s, ok := v.(string)
	if !ok {
		b, _ := json.Marshal(v)
		s = string(b)
	}
	if utf16Len(s) > 240 {
		return utf16Prefix(s, 239) + "…"
	}
	return s
}

// maxDepth is render.ts's MAX_DEPTH: the deepest indentation app.css draws.
const maxDepth = 12

func (fp *firstPaint) explain(r *fpRule) {
	var nodes []fpNode
	if r != nil {
		nodes = r.Nodes
	}
	rows := explainRows(nodes)
	if len(rows) == 0 {
		msg := "The rule was not evaluated."
		if r != nil && r.Nodes != nil {
			msg = "Nothing to explain."
		}
		fp.slots["explain"] = h("li", a("class", "muted"), msg)
		return
	}
	var out []markup
	for _, row := range rows {
		n := row.node
		notEvaluated := n.Error == "not evaluated"
		class := noAttr
		if notEvaluated {
			class = "skipped"
		}
		var value markup
		if len(n.Iterations) > 0 {
			var its []markup
			for i, it := range n.Iterations {
				title := fmt.Sprintf("element %d", i)
				text := formatValue(it.Value)
				if it.Error != "" {
					title += ": " + it.Error
					text = "error"
				}
				its = append(its, h("span", a("class", valueClass(it.Value, it.Error), "title", title), text))
			}
			value = h("span", a("class", "iters", "aria-label", "value for each element"), its)
		} else {
			switch {
			case notEvaluated:
				value = h("span", a("class", "val muted"), "not evaluated")
			case n.Error != "":
				value = h("span", a("class", valueClass(n.Value, n.Error)), "error: "+n.Error)
			default:
				value = h("span", a("class", valueClass(n.Value, n.Error)), formatValue(n.Value))
			}
		}
		var typ any
		if n.Type != "" {
			typ = h("span", a("class", "type"), n.Type)
		}
		out = append(out, h("li", a("tabindex", "0", "data-start", strconv.Itoa(n.Start), "data-end", strconv.Itoa(n.End), "class", class, "data-depth", strconv.Itoa(min(row.depth, maxDepth))),
			h("code", a("class", "expr"), n.Text),
			h("span", a("class", "arrow", "aria-hidden", "true"), " → "),
			value,
			typ,
		))
	}
	fp.slots["explain"] = cat(out)
}

// --- what decided it (render.ts matchesFrom) ------------------------------------------------

type matches struct {
	san map[int]bool
	dn  []span
	cn  []span
}

var sanListPrefixes = map[string]string{"dns": "DNS:", "ip": "IP:", "uri": "URI:", "email": "Email:", "upn": "UPN:", "rid": "RID:", "dir_name": "DirName:", "other_name": "OtherName:"}

var (
	spaceRE     = regexp.MustCompile(`\s+`)
	sanAllRE    = regexp.MustCompile(`^(?:SAN|cert\.san_entries)$`)
	sanIndexRE  = regexp.MustCompile(`^(?:SAN|cert\.san_entries)\[(\d+)\]$`)
	typedRE     = regexp.MustCompile(`^cert\.san\.([a-z_]+)$`)
	typedIdxRE  = regexp.MustCompile(`^cert\.san\.([a-z_]+)\[(\d+)\]$`)
	dnRE        = regexp.MustCompile(`^(?:DN|cert\.subject\.dn)$`)
	cnRE        = regexp.MustCompile(`^(?:CN|cert\.subject\.cn)$`)
	celStringRE = regexp.MustCompile(`^"(?:[^"\\]|\\.)*"$`)
)

func celString(v string) (string, bool) {
	if !celStringRE.MatchString(v) {
		return "", false
	}
	var s string
	if json.Unmarshal([]byte(v), &s) != nil {
		return "", false
	}
	return s, true
}

func matchesFrom(r *fpRule, leaf *fpCert) matches {
	m := matches{san: map[int]bool{}}
	if r == nil || leaf == nil {
		return m
	}
	entries := leaf.SANEntries
	typed := func(kind string, k int, value string, known bool) {
		prefix := sanListPrefixes[kind]
		if prefix == "" {
			return
		}
		var idx []int
		for i, e := range entries {
			if strings.HasPrefix(e, prefix) {
				idx = append(idx, i)
			}
		}
		if k < len(idx) && (!known || entries[idx[k]] == prefix+value) {
			m.san[idx[k]] = true
		} else if known {
			for j, e := range entries {
				if e == prefix+value {
					m.san[j] = true
				}
			}
		}
	}
	for _, x := range r.Matched {
		of := spaceRE.ReplaceAllString(x.Of, "")
		if rest, ok := strings.CutPrefix(of, "chain[0]."); ok {
			of = "cert." + rest
		}
		whole := span{x.Start, x.End}
		switch {
		case sanAllRE.MatchString(of):
			if x.Index >= 0 {
				m.san[x.Index] = true
			}
		case sanIndexRE.MatchString(of):
			n, _ := strconv.Atoi(sanIndexRE.FindStringSubmatch(of)[1])
			m.san[n] = true
		case typedRE.MatchString(of):
			if x.Index >= 0 {
				s, ok := celString(x.Value)
				typed(typedRE.FindStringSubmatch(of)[1], x.Index, s, ok)
			}
		case typedIdxRE.MatchString(of):
			g := typedIdxRE.FindStringSubmatch(of)
			n, _ := strconv.Atoi(g[2])
			typed(g[1], n, "", false)
		case dnRE.MatchString(of):
			if x.Index < 0 && whole[1] > whole[0] {
				m.dn = append(m.dn, whole)
			}
		case cnRE.MatchString(of):
			if x.Index < 0 && whole[1] > whole[0] {
				m.cn = append(m.cn, whole)
			}
		}
	}
	return m
}

// --- parsed fields (render.ts renderFields) ---------------------------------------------------

func row(label string, value ...any) []any {
	return []any{h("dt", nil, label), h("dd", nil, value...)}
}

func validity(c *fpCert, at time.Time) (text, state string) {
	nb, _ := time.Parse(time.RFC3339Nano, c.NotBefore)
	na, _ := time.Parse(time.RFC3339Nano, c.NotAfter)
	switch {
	case at.Before(nb):
		return "not yet valid: starts in " + trust.FormatSpan(nb.Sub(at)), "future"
	case at.After(na):
		return "expired " + trust.FormatSpan(at.Sub(na)) + " ago", "expired"
	}
	left := na.Sub(at)
	if left < 30*24*time.Hour {
		return trust.FormatSpan(left) + " left", "warn"
	}
	return trust.FormatSpan(left) + " left", "ok"
}

var fractionRE = regexp.MustCompile(`\.\d+`)

func dateText(s string) string {
	s = strings.Replace(s, "T", " ", 1)
	if loc := fractionRE.FindStringIndex(s); loc != nil {
		s = s[:loc[0]] + s[loc[1]:]
	}
	return strings.Replace(s, "Z", " UTC", 1)
}

func ekuCheck(c *fpCert) markup {
	switch {
	case len(c.ExtKeyUsage) == 0:
		return h("span", a("class", "check ok"), "✓ no extended key usage: any use allowed, client auth included")
	case slices.Contains(c.ExtKeyUsage, "clientAuth") || slices.Contains(c.ExtKeyUsage, "any"):
		return h("span", a("class", "check ok"), "✓ clientAuth")
	}
	return h("span", a("class", "check bad"), "✗ no clientAuth: not valid for client authentication")
}

func keyText(c *fpCert) string {
	k := c.PublicKey
	var parts []string
	for _, p := range []string{k.Algorithm, map[bool]string{true: strconv.Itoa(k.Bits) + " bits"}[k.Bits != 0], k.Curve} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " · ")
}

func (fp *firstPaint) fields(certs []fpCert, at time.Time, m matches, leafIndex int) {
	if leafIndex >= len(certs) {
		leafIndex = 0
	}
	if len(certs) == 0 {
		fp.slots["san"] = h("li", a("class", "muted"), "—")
		fp.slots["dn"] = textNode("—")
		fp.slots["cn"] = textNode("—")
		fp.slots["slash"] = textNode("—")
		fp.attrs["fields"] = map[string]string{"data-empty": "true"}
		return
	}
	// The note of a leaf pasted after its issuer is made by the page (render.ts
	// fieldsNote); the default sample's leaf comes first.
	leaf := &certs[leafIndex]
	if leaf.Subject.CN != "" {
		fp.slots["cn"] = h("span", nil, markRanges(leaf.Subject.CN, m.cn)...)
	} else {
		fp.slots["cn"] = h("span", a("class", "muted"), `"" (no CN)`)
	}
	if len(leaf.SANEntries) == 0 {
		fp.slots["san"] = h("li", a("class", "muted"), "no subjectAltName entries: SAN is []")
	} else {
		var lis []markup
		for i, e := range leaf.SANEntries {
			var attrs []string
			if m.san[i] {
				attrs = a("class", "match", "title", "this entry decided the rule")
			}
			lis = append(lis, h("li", attrs, h("code", nil, e), copyButton("SAN entry "+e)))
		}
		fp.slots["san"] = cat(lis)
	}
	fp.slots["dn"] = cat(markRanges(leaf.Subject.DN, m.dn)...)
	fp.slots["slash"] = textNode(leaf.Subject.Slash)

	vText, vState := validity(leaf, at)
	var eku any = h("span", a("class", "muted"), "none")
	if len(leaf.ExtKeyUsage) > 0 {
		eku = h("code", nil, strings.Join(leaf.ExtKeyUsage, ", "))
	}
	ku := strings.Join(leaf.KeyUsage, ", ")
	if ku == "" {
		ku = "—"
	}
	extra := []any{
		row("Issuer", h("code", nil, leaf.Issuer.DN), copyButton("issuer DN")),
		row("Validity", dateText(leaf.NotBefore)+" → "+dateText(leaf.NotAfter)+" ", h("span", a("class", "validity "+vState, "data-testid", "validity", "data-state", vState), vText)),
		row("Extended key usage", eku, " ", ekuCheck(leaf)),
		row("Key usage", ku),
		row("Public key", keyText(leaf)),
		row("Signature", leaf.SignatureAlgorithm),
		row("SHA-256", h("code", a("class", "fp"), leaf.SHA256), copyButton("SHA-256 fingerprint")),
		row("Serial", h("code", nil, leaf.Serial)),
	}
	if leaf.SPIFFEID != "" {
		extra = append(extra, row("SPIFFE ID", h("code", nil, leaf.SPIFFEID)))
	}
	if leaf.IsCA {
		extra = append(extra, row("CA", "this is a CA certificate (basicConstraints CA:TRUE)"))
	}
	if len(leaf.Problems) > 0 {
		var ps []markup
		for _, p := range leaf.Problems {
			ps = append(ps, h("li", a("class", "bad"), p))
		}
		extra = append(extra, row("Problems", h("ul", nil, ps)))
	}
	fp.slots["fields-extra"] = cat(extra...)
}

// --- chains (render.ts certLine, renderChains) --------------------------------------------------

type severityShown struct{ icon, label string }

var severities = map[string]severityShown{"error": {"✗", "Error"}, "warning": {"⚠", "Warning"}, "info": {"ℹ", "Info"}}

type certLineOf struct{ subject, dn, sha256, issuer string }

func certLine(c certLineOf, i int, id string, findings []fpFinding, leaf int) markup {
	var worst *fpFinding
	for _, sev := range []string{"error", "warning"} {
		if j := slices.IndexFunc(findings, func(f fpFinding) bool { return f.Severity == sev }); j >= 0 && worst == nil {
			worst = &findings[j]
		}
	}
	if worst == nil && len(findings) > 0 {
		worst = &findings[0]
	}
	var attrs []string
	if id != "" {
		class := noAttr
		if worst != nil {
			class = "has-findings sev-" + worst.Severity
		}
		attrs = a("id", id, "tabindex", "-1", "class", class, "data-cert", strconv.Itoa(i))
	}
	subject := c.subject
	if subject == "" {
		subject = c.dn
	}
	if subject == "" {
		subject = "(empty subject)"
	}
	var issuer, fpShort, leafTag any
	if c.issuer != "" {
		issuer = h("span", a("class", "muted"), " issued by "+c.issuer)
	}
	if c.sha256 != "" {
		fpShort = h("span", a("class", "fp-short", "title", c.sha256), " "+utf16Prefix(c.sha256, 16)+"…")
	}
	if i == leaf {
		if leaf != 0 {
			leafTag = h("span", a("class", "tag leaf-tag", "title", "pasted after its issuer: the decision and the rule are about this certificate"), "the leaf decided on")
		} else {
			leafTag = h("span", a("class", "tag leaf-tag"), "leaf")
		}
	}
	var tags []markup
	for _, f := range findings {
		tags = append(tags, h("span", a("class", "tag finding-tag sev-"+f.Severity, "title", f.Message), severities[f.Severity].icon+" "+f.ID))
	}
	return h("li", attrs, h("code", nil, subject), issuer, fpShort, leafTag, tags)
}

var kindNames = map[string]string{
	"unknown_issuer":     "no certificate of this bundle issued the chain",
	"expired":            "a certificate of the chain is expired",
	"not_yet_valid":      "a certificate of the chain is not yet valid",
	"ext_key_usage":      "the chain does not allow client authentication",
	"critical_extension": "an unhandled critical extension",
	"unparsable":         "a certificate could not be parsed",
	"signature":          "a signature does not verify",
	"name_constraints":   "a name constraint forbids the leaf's names",
	"other":              "the chain does not verify",
}

func (fp *firstPaint) chains(res *fpResponse, leaf int) {
	fp.attrs["chain-presented"] = map[string]string{"data-leaf": strconv.Itoa(leaf)}
	if len(res.Certificates) == 0 {
		fp.slots["chain-presented"] = h("li", a("class", "muted"), "no certificate")
	} else {
		var lis []markup
		for i, c := range res.Certificates {
			var about []fpFinding
			for _, f := range res.Findings {
				if f.Cert == i {
					about = append(about, f)
				}
			}
			lis = append(lis, certLine(certLineOf{subject: c.Subject.DN, issuer: c.Issuer.DN, sha256: c.SHA256}, i, fmt.Sprintf("chain-cert-%d", i), about, leaf))
		}
		fp.slots["chain-presented"] = cat(lis)
	}
	v := res.Verification
	if v == nil {
		fp.slots["chain-verified"] = h("li", a("class", "muted unnumbered"), "not verified: the decision was reached before chain verification")
		return
	}
	if !v.OK {
		msg := "not verified: see the verdict's reason"
		if v.Failure != nil && v.Failure.Message != "" && !strings.Contains(res.Reason, v.Failure.Message) {
			msg = v.Failure.Message
		}
		out := []any{h("li", a("class", "bad unnumbered"), msg)}
		for _, t := range v.Tried {
			if t.OK {
				continue
			}
			why := t.Reason
			if why == "" || strings.Contains(res.Reason, why) {
				why = kindNames[t.Kind]
				if why == "" {
					why = t.Kind
				}
				if why == "" {
					why = "no chain"
				}
			}
			out = append(out, h("li", a("class", "muted unnumbered", "data-bundle", t.Bundle), `bundle "`+t.Bundle+`": `, why))
		}
		fp.slots["chain-verified"] = cat(out...)
		return
	}
	var out []any
	for i, raw := range v.Chain {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			out = append(out, certLine(certLineOf{subject: s}, i, "", nil, 0))
			continue
		}
		var o struct {
			Subject json.RawMessage `json:"subject"`
			DN      string          `json:"dn"`
			SHA256  string          `json:"sha256"`
		}
		_ = json.Unmarshal(raw, &o)
		subject := o.DN
		var sub string
		var subObj struct {
			DN string `json:"dn"`
		}
		if json.Unmarshal(o.Subject, &sub) == nil {
			subject = sub
		} else if json.Unmarshal(o.Subject, &subObj) == nil {
			subject = subObj.DN
		}
		out = append(out, certLine(certLineOf{subject: subject, sha256: o.SHA256}, i, "", nil, 0))
	}
	if v.Bundle != "" {
		out = append(out, h("li", a("class", "muted unnumbered"), `anchored in bundle "`+v.Bundle+`"`))
	}
	fp.slots["chain-verified"] = cat(out...)
}

// --- findings (render.ts renderFindings) ------------------------------------------------------

func (fp *firstPaint) findings(fs []fpFinding, docs, unchecked, reason string, certs int) {
	fp.slots["findings-count"] = ""
	if len(fs) > 0 {
		fp.slots["findings-count"] = textNode(strconv.Itoa(len(fs)))
	}
	fp.attrs["findings"] = map[string]string{"data-count": strconv.Itoa(len(fs))}
	if len(fs) == 0 {
		if unchecked == "" {
			unchecked = "No findings: nothing to fix in the certificate or its chain."
		}
		fp.slots["findings"] = h("li", a("class", "muted none"), unchecked)
		return
	}
	var lis []markup
	for _, f := range fs {
		sev, ok := severities[f.Severity]
		if !ok {
			sev = severities["info"]
		}
		var links []any
		switch {
		case f.Cert >= 0 && f.Cert < certs: // the chain's line exists: render.ts's target
			links = []any{"Concerns ", h("a", a("href", fmt.Sprintf("#chain-cert-%d", f.Cert), "class", "cert-link"), fmt.Sprintf("certificate %d", f.Cert+1)), " · "}
		case f.Cert < 0:
			links = []any{"Concerns the chain as a whole or a bundle certificate · "}
		}
		var msg any = f.Message
		if f.Message != "" && strings.Contains(reason, f.Message) {
			msg = h("span", a("class", "muted", "data-said", "reason"), "the verdict's reason above")
		}
		var fix any
		if f.Fix != "" {
			fix = h("p", a("class", "finding-fix"), h("strong", nil, "Fix: "), f.Fix)
		}
		lis = append(lis, h("li", a("class", "finding sev-"+f.Severity, "data-finding-id", f.ID, "data-severity", f.Severity, "data-cert", strconv.Itoa(f.Cert)),
			h("span", a("class", "sev-icon", "aria-hidden", "true"), sev.icon),
			h("div", a("class", "finding-body"),
				h("p", a("class", "finding-msg"), h("strong", a("class", "sev-label"), sev.label), " ", h("code", a("class", "finding-id"), f.ID), " ", msg),
				fix,
				h("p", a("class", "finding-links"), links, h("a", a("href", docs+"troubleshooting.html#"+encodeURIComponent(f.ID)), "what it means")),
			),
		))
	}
	fp.slots["findings"] = cat(lis)
}

// --- the gateway's view (gateway.ts render) ----------------------------------------------------

// escapedBytes is gateway.ts's escaped.
func escapedBytes(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f && c != 0x5c {
			s.WriteByte(c)
		} else {
			fmt.Fprintf(&s, "\\x%02X", c)
		}
	}
	return s.String()
}

func (fp *firstPaint) gateway(views []fpGatewayView, trust []fpGatewayTrust) {
	name := defaultGateway
	i := slices.IndexFunc(views, func(v fpGatewayView) bool { return v.Name == name })
	if i < 0 {
		return // the page empties the gateway's lists: they are empty here already
	}
	v := views[i]
	var srcs []string
	for _, x := range v.Values {
		if s := x.Source + ": " + x.Version; !slices.Contains(srcs, s) {
			srcs = append(srcs, s)
		}
	}
	fp.slots["gateway-source"] = textNode(strings.Join(srcs, "; "))
	label := gatewayLabel(name)
	var dl []markup
	for _, x := range v.Values {
		text, enc := "", noAttr
		var binary any
		if x.Value != nil {
			text = *x.Value
		} else {
			raw, _ := base64.StdEncoding.DecodeString(x.ValueBase64)
			text, enc = escapedBytes(raw), "base64"
			binary = []any{" ", h("span", a("class", "muted binary"), fmt.Sprintf(`(%d bytes, not UTF-8: shown with \xHH escapes)`, len(raw)))}
		}
		var documented any
		if x.Source == "documented" {
			documented = []any{" ", h("span", a("class", "muted", "title", x.Version), "(documented)")}
		}
		dl = append(dl, h("dt", nil, h("code", nil, x.Name)), h("dd", a("data-name", x.Name, "data-source", x.Source, "data-encoding", enc), h("code", nil, text), copyButton(x.Name), binary, documented))
	}
	fp.slots["gateway-fields"] = cat(dl)
	if len(v.CannotSee) == 0 {
		fp.slots["gateway-cannot-see"] = h("li", a("class", "muted", "data-none", "true"), "nothing that mtlsplay knows of for "+label)
	} else {
		var lis []markup
		for _, s := range v.CannotSee {
			lis = append(lis, h("li", nil, s))
		}
		fp.slots["gateway-cannot-see"] = cat(lis)
	}
	var notes []markup
	for _, s := range v.Notes {
		notes = append(notes, h("li", nil, s))
	}
	fp.slots["gateway-notes"] = cat(notes)
	if j := slices.IndexFunc(trust, func(t fpGatewayTrust) bool { return t.Name == name }); j >= 0 && trust[j].Differs {
		t := trust[j]
		sentence := label + " would refuse this chain, which the playground (Go's crypto/x509) trusts"
		if t.OK {
			sentence = label + " would accept this chain, which the playground (Go's crypto/x509) refuses"
		}
		fp.attrs["gateway-trust"] = map[string]string{"data-gateway": t.Name, "data-behaviour": t.Behaviour, "data-ok": strconv.FormatBool(t.OK)}
		var behaviour, reason, gwErr, option any = nil, ".", nil, nil
		if t.Behaviour != "" {
			behaviour = []any{" (", h("code", nil, t.Behaviour), ")"}
		}
		if t.Reason != "" {
			reason = []any{": ", t.Reason, "."}
		}
		if t.Error != "" {
			gwErr = []any{" ", label, "'s error: ", h("code", nil, t.Error), "."}
		}
		if t.Option != "" {
			option = []any{" What changes it: ", t.Option, "."}
		}
		fp.slots["gateway-trust"] = cat(h("strong", nil, sentence), behaviour, reason, gwErr, option, h("span", a("class", "muted"), " ("+t.Source+": "+t.Version+")"))
		fp.hidden["gateway-trust"] = false
	}
}

// gatewayLabel is gateway.ts's label: the gateway as the selector spells it.
func gatewayLabel(name string) string {
	for _, o := range gatewayOptions() {
		if o.Name == name {
			return o.Label
		}
	}
	return name
}
