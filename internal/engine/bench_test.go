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

// BenchmarkDecideGateway is a keystroke's decision on the sample chain without a
// gateway, with the page's default one (the selector closed table: one view per
// certificate) and with every gateway (the side-by-side table open).
func BenchmarkDecideGateway(b *testing.B) {
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pki", name))
		if err != nil {
			b.Fatal(err)
		}
		return string(data)
	}
	for _, gw := range []string{"", "workato", "nginx", "all"} {
		req := mustJSON(b, DecideRequest{Certificates: read("client-good-chain.pem"), Bundles: []BundleInput{{Name: "root.pem", PEM: read("root.pem")}},
			Rule: `CN == "client.example.com"`, At: "2026-06-01T00:00:00Z", Gateway: gw})
		name := gw
		if name == "" {
			name = "none"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if out := Call("decide", req, testNow); len(out) == 0 || out[2] == 'e' {
					b.Fatalf("Call(decide) = %s", out)
				}
			}
		})
	}
}
