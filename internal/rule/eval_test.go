package rule

import (
	"errors"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

// TestRuntimeErrors: a rule that compiles but cannot produce a value says why and
// where.
func TestRuntimeErrors(t *testing.T) {
	tests := []struct {
		name, rule   string
		line, column int // of the failing sub-expression; 0 when cel-go does not say
		message      string
	}{
		{"index out of range", `SAN[10] == "x"`, 1, 1, "index out of bounds: 10"},
		{"index on an empty list", "CN != \"\" &&\n  cert.subject.organization[0] == \"Acme\"", 2, 3, "index out of bounds: 0"},
		{"no such key", `{"a": CN}["b"] == "x"`, 1, 1, "no such key: b"},
		{"not an IP", `ip(SAN[0]) == ip("10.0.0.1")`, 1, 1, "parse error"},
		{"divide by zero", `cert.public_key.bits / (cert.version - 3) > 0`, 1, 1, "division by zero"},
		{"dyn that is not bool", `dyn(CN)`, 0, 0, "rule evaluated to \"client.example.com\", not to true or false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustCompile(t, tt.rule)
			got, err := p.Eval(goodVars())
			var ee *EvalError
			if got || !errors.As(err, &ee) {
				t.Fatalf("Eval(%s) = %v, %v; want false and an *EvalError", tt.rule, got, err)
			}
			if !strings.Contains(ee.Message, tt.message) || ee.Line != tt.line || ee.Column != tt.column {
				t.Errorf("Eval(%s) error = %d:%d %q; want %d:%d containing %q", tt.rule, ee.Line, ee.Column, ee.Message, tt.line, tt.column, tt.message)
			}
			// Explain gives the same verdict, and marks the failing node.
			r := p.Explain(goodVars())
			if r.Value || r.Error != err.Error() {
				t.Errorf("Explain(%s) = %v, %q; want false, %q", tt.rule, r.Value, r.Error, err.Error())
			}
		})
	}
}

// TestErrorsAbsorbed: CEL's && and || ignore an error on one side when the other
// side decides; exists() likewise.
func TestErrorsAbsorbed(t *testing.T) {
	for _, rule := range []string{
		`SAN[10] == "x" || CN == "client.example.com"`,
		`SAN.exists(s, ip(s.substring(3)).family() == 4)`, // DNS: entries fail in ip(), IP:192.0.2.10 decides
	} {
		if got, err := mustCompile(t, rule).Eval(goodVars()); err != nil || !got {
			t.Errorf("Eval(%s) = %v, %v; want true, nil", rule, got, err)
		}
	}
}

// TestCostLimit: exponential rules stop at the cost limit with ErrCostLimit, in
// both evaluation programs and in Explain.
func TestCostLimit(t *testing.T) {
	list := "[" + strings.Repeat("1, ", 29) + "1]"
	tests := []struct{ name, rule string }{
		{"nested all over literals", list + ".all(x, " + list + ".all(y, " + list + ".all(z, x + y + z > 0)))"},
		{"nested exists over SAN", "SAN.exists(a, SAN.exists(b, SAN.exists(c, SAN.exists(d, SAN.exists(e, SAN.exists(f, a + b + c + d + e + f == \"\"))))))"},
		{"map chain", "SAN.map(a, SAN.map(b, SAN.map(c, SAN.map(d, SAN.map(e, a + b + c + d + e))))).size() == 0"},
		{"growing strings", "[1, 2, 3, 4, 5, 6, 7, 8].map(i, DN + DN + DN + DN).map(s, s + s + s + s).map(s, s + s + s + s).map(s, s + s + s + s).map(s, s + s + s + s).map(s, s + s + s + s).size() == 0"},
		{"doubling lists", "[[0,0,0,0,0,0,0,0]].map(l, l.map(a, l.map(b, l.map(c, l.map(d, l.map(e, 0)))))).size() == 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustCompile(t, tt.rule)
			if p.bounded != nil {
				t.Errorf("Compile(%s): an untracked program for an exponential rule", tt.name)
			}
			got, err := p.Eval(goodVars())
			if got || !errors.Is(err, ErrCostLimit) {
				t.Errorf("Eval(%s) = %v, %v; want false, ErrCostLimit", tt.name, got, err)
			}
			r := p.Explain(goodVars())
			if r.Value || !strings.Contains(r.Error, "cost limit") {
				t.Errorf("Explain(%s) = %v, %q; want a cost limit error", tt.name, r.Value, r.Error)
			}
		})
	}
}

// TestBoundedFallback: a certificate beyond the bounds of the untracked program
// (here 40 SANs, more than boundListLen) is evaluated by the tracked one, with the
// same result.
func TestBoundedFallback(t *testing.T) {
	p := mustCompile(t, `SAN.exists(s, s.endsWith(".example.org"))`)
	if p.bounded == nil {
		t.Fatal("Compile: no untracked program for a simple rule")
	}
	v := goodVars()
	if !p.within(&v) {
		t.Error("within(client-good) = false, want true")
	}
	big := goodClient()
	for range 40 {
		big.SANEntries = append(big.SANEntries, "DNS:host.example.com")
	}
	big.SANEntries = append(big.SANEntries, "DNS:last.example.org")
	v = Vars{Cert: big, Chain: []*certinfo.Certificate{big}, Now: testNow}
	if p.within(&v) {
		t.Error("within(41 SANs) = true, want false")
	}
	if got, err := p.Eval(v); err != nil || !got {
		t.Errorf("Eval(41 SANs) = %v, %v; want true", got, err)
	}
	long := goodClient()
	long.Subject.CN = strings.Repeat("é", boundStringLen+1)
	v = Vars{Cert: long, Now: testNow}
	q := mustCompile(t, `CN.size() > 256`)
	if q.bounded == nil || q.within(&v) {
		t.Errorf("within(a %d-character CN) = true, want false", boundStringLen+1)
	}
	if got, err := q.Eval(v); err != nil || !got {
		t.Errorf("Eval(long CN) = %v, %v; want true", got, err)
	}
}

// TestSizeChecksOnCertPaths exercises the checks for fields of cert and chain.
func TestSizeChecksOnCertPaths(t *testing.T) {
	p := mustCompile(t, `chain.exists(c, c.subject.attributes.exists(a, a.value == "Acme Issuing CA")) && cert.pem == ""`)
	if p.bounded == nil {
		t.Fatal("Compile: no untracked program")
	}
	v := goodVars()
	if !p.within(&v) {
		t.Error("within(client-good) = false, want true")
	}
	if got, err := p.Eval(v); err != nil || !got {
		t.Errorf("Eval = %v, %v; want true", got, err)
	}
	ca := issuingCA()
	ca.Subject.Attributes = []certinfo.Attribute{{Type: "CN", Value: strings.Repeat("x", boundStringLen+1)}}
	v.Chain = []*certinfo.Certificate{v.Cert, ca}
	if p.within(&v) {
		t.Error("within(a long attribute in the chain) = true, want false")
	}
}
