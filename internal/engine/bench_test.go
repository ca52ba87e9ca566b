package engine

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/internal/rule"
)

// BenchmarkInspect is what the page pays per keystroke for the certificate pane:
// a 2-certificate PEM chain to views and rule variables.
func BenchmarkInspect(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pki", "client-good-chain.pem"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		certs, err := ParseChain("chain.pem", data)
		if err != nil || len(certs) != 2 {
			b.Fatal(err)
		}
		v := rule.Vars{Cert: certs[0], Chain: certs, Now: pki.TestNow}
		if v.Cert.Subject.CN == "" || len(v.Cert.SANEntries) == 0 {
			b.Fatal("empty view")
		}
	}
}
