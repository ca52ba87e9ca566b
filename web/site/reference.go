package site

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/engine"
)

// Decl is one entry of the engine's "declarations" answer (rule.Decl as JSON), as
// the rule reference shows it.
type Decl struct {
	Kind      string   `json:"kind"`
	Name      string   `json:"name"`
	Owner     string   `json:"owner"`
	Paths     []string `json:"paths"`
	Type      string   `json:"type"`
	Signature string   `json:"signature"`
	Member    bool     `json:"member"`
	Doc       string   `json:"doc"`
	Example   string   `json:"example"`

	Anchor string `json:"-"`
	Result string `json:"-"` // the example's value on the sample certificate
	TryIt  string `json:"-"` // the playground's URL fragment holding the example
}

// TryItFragment returns the playground fragment (#s=…) that opens the page with this
// rule and its default certificate and bundle: the share-link format, deflate-raw
// compressed JSON in base64url, holding only the rule.
func TryItFragment(rule string) string {
	js, _ := json.Marshal(struct {
		V int    `json:"v"`
		R string `json:"r"`
	}{1, rule})
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	w.Write(js)
	w.Close()
	return "#s=" + base64.RawURLEncoding.EncodeToString(b.Bytes())
}

type declGroup struct {
	ID, Title string
	Decls     []Decl
}

// ReferenceTime is the clock of the reference's examples: the test PKI's
// (pki.TestNow), at which the sample certificate is valid.
var ReferenceTime = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// Declarations returns the engine's declarations, as the page's completion gets them.
func Declarations() ([]Decl, error) {
	out := engine.Call("declarations", nil, time.Now)
	var ds []Decl
	if err := json.Unmarshal(out, &ds); err != nil {
		var e engine.ErrorResponse
		if json.Unmarshal(out, &e) == nil && e.Error.Message != "" {
			return nil, &e.Error
		}
		return nil, err
	}
	return ds, nil
}

// ExampleResult evaluates a reference example on a certificate chain, as the docs
// show it: the value, or "error: …".
func ExampleResult(example, chainPEM string) string {
	req, _ := json.Marshal(engine.EvalRequest{Rule: example, Certificates: chainPEM, At: ReferenceTime.Format(time.RFC3339)})
	out := engine.Call("eval", req, time.Now)
	var ok struct {
		Value *bool `json:"value"`
		Rule  struct {
			Error string `json:"error"`
		} `json:"rule"`
	}
	var bad engine.ErrorResponse
	if json.Unmarshal(out, &bad) == nil && bad.Error.Message != "" {
		return "error: " + bad.Error.Message
	}
	if json.Unmarshal(out, &ok) != nil || ok.Value == nil {
		return "error: unreadable answer"
	}
	if ok.Rule.Error != "" {
		return "error: " + ok.Rule.Error
	}
	if *ok.Value {
		return "true"
	}
	return "false"
}

// referenceGroups groups the declarations for the rule reference, each example
// evaluated on the first sample certificate (from the assets' samples.json).
func referenceGroups(assets fs.FS) ([]declGroup, string) {
	ds, err := Declarations()
	if err != nil {
		return nil, ""
	}
	var sample struct {
		Certs []struct {
			File string `json:"file"`
			PEM  string `json:"pem"`
		} `json:"certs"`
	}
	sampleName := ""
	if b, err := fs.ReadFile(assets, samples); err == nil && json.Unmarshal(b, &sample) == nil && len(sample.Certs) > 0 {
		sampleName = sample.Certs[0].File
	}
	order := []struct{ kind, id, title string }{
		{"variable", "variables", "Variables"},
		{"field", "fields", "Certificate fields"},
		{"function", "functions", "Functions"},
		{"macro", "macros", "Macros"},
		{"operator", "operators", "Operators"},
	}
	var groups []declGroup
	seen := map[string]bool{}
	for _, o := range order {
		g := declGroup{ID: o.id, Title: o.title}
		for _, d := range ds {
			if d.Kind != o.kind {
				continue
			}
			if d.Kind == "field" && len(d.Paths) > 0 {
				d.Name = strings.Join(d.Paths, ", ")
			}
			d.Anchor = anchor(o.kind, d.Name)
			if seen[d.Anchor] {
				continue
			}
			seen[d.Anchor] = true
			if d.Example != "" {
				d.TryIt = TryItFragment(d.Example)
				if len(sample.Certs) > 0 {
					d.Result = ExampleResult(d.Example, sample.Certs[0].PEM)
				}
			}
			g.Decls = append(g.Decls, d)
		}
		if o.kind != "variable" {
			sort.SliceStable(g.Decls, func(i, j int) bool { return g.Decls[i].Name < g.Decls[j].Name })
		}
		if len(g.Decls) > 0 {
			groups = append(groups, g)
		}
	}
	return groups, sampleName
}

func anchor(kind, name string) string {
	var b strings.Builder
	b.WriteString(kind)
	b.WriteByte('-')
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}

// sampleClock is the time the page evaluates its samples at (samples.json "at",
// the test PKI's clock); ReferenceTime when the build does not say.
func sampleClock(assets fs.FS) string {
	var s struct {
		At string `json:"at"`
	}
	if b, err := fs.ReadFile(assets, samples); err == nil && json.Unmarshal(b, &s) == nil && s.At != "" {
		return s.At
	}
	return ReferenceTime.Format(time.RFC3339)
}
