package rule

import (
	"strconv"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

const benchRule = `CN == "x" && SAN.exists(s, s.endsWith(".example.com"))`

// BenchmarkEval is the server's per-connection cost: the compiled rule on a parsed
// certificate with four SANs. "full" makes CN match so that exists() runs over every
// SAN (the match is the last one); "short-circuit" is client-good, whose CN fails
// the first term.
func BenchmarkEval(b *testing.B) {
	p := mustCompile(b, benchRule)
	full := goodClient()
	full.Subject.CN = "x"
	full.SANEntries = []string{"IP:10.0.0.1", "Email:x@example.org", "URI:spiffe://example.org/x", "DNS:x.example.com"}
	for _, bc := range []struct {
		name string
		v    Vars
	}{
		// The variables of a parsed certificate, prepared once (NewVars), as a server
		// connection or BenchmarkInspect makes them.
		{"full", NewVars(full, []*certinfo.Certificate{full}, testNow, TLS{})},
		{"short-circuit", NewVars(goodVars().Cert, goodVars().Chain, testNow, TLS{})},
		// A Vars literal converts CN, DN and SAN on every evaluation.
		{"full-unprepared", Vars{Cert: full, Chain: []*certinfo.Certificate{full}, Now: testNow}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if ok, err := p.Eval(bc.v); err != nil || ok != strings.HasPrefix(bc.name, "full") {
				b.Fatalf("Eval = %v, %v", ok, err)
			}
			b.ReportAllocs()
			for b.Loop() {
				p.Eval(bc.v)
			}
		})
	}
	// The same evaluation with runtime cost tracking, as a certificate beyond the
	// untracked program's size bounds gets it.
	b.Run("full-tracked", func(b *testing.B) {
		act := &activation{vars: Vars{Cert: full, Now: testNow}}
		b.ReportAllocs()
		for b.Loop() {
			p.tracked.Eval(act)
		}
	})
}

// BenchmarkCompile is a keystroke in the playground: cached when the rule did not
// change, uncached when it did.
func BenchmarkCompile(b *testing.B) {
	env := testEnv(b)
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := env.Compile(benchRule); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("uncached", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			if _, err := env.compile(benchRule + " || CN == \"" + strconv.Itoa(i) + "\""); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkExplain is what the playground shows after each keystroke.
func BenchmarkExplain(b *testing.B) {
	p := mustCompile(b, benchRule)
	v := goodVars()
	p.Explain(v)
	b.ReportAllocs()
	for b.Loop() {
		p.Explain(v)
	}
}

// BenchmarkCostLimit is how long a runaway rule runs before CostLimit stops it
// (nested comprehensions over the six SANs).
func BenchmarkCostLimit(b *testing.B) {
	p := mustCompile(b, "SAN.exists(a, SAN.exists(b, SAN.exists(c, SAN.exists(d, SAN.exists(e, SAN.exists(f, a + b + c + d + e + f == \"\"))))))")
	v := goodVars()
	b.Run("eval", func(b *testing.B) {
		for b.Loop() {
			if _, err := p.Eval(v); err == nil {
				b.Fatal("no cost limit error")
			}
		}
	})
	b.Run("explain", func(b *testing.B) {
		for b.Loop() {
			p.Explain(v)
		}
	})
}
