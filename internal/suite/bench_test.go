package suite_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/suite"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

// BenchmarkRun1000 is what mtlsplay test waits on for a suite of 1,000 cases:
// ten chains of the test PKI (trusted, expired, untrusted, …) under a client with
// a rule, each case at its own time.
func BenchmarkRun1000(b *testing.B) {
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pki", name))
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	root, err := trust.ParseBundle("root.pem", read("root.pem"), pki.TestNow)
	if err != nil {
		b.Fatal(err)
	}
	r, err := engine.CompileRule(`CN == "client.example.com" && "URI:spiffe://example.com/ns/prod/sa/client" in SAN`, "")
	if err != nil {
		b.Fatal(err)
	}
	client := &engine.Client{Client: policy.Client{Name: "partner-a", Bundles: []*trust.Bundle{root}}}
	client.SetRule(r)
	var chains [][]*certinfo.Certificate
	for _, name := range []string{"client-good-chain.pem", "client-expired-chain.pem", "client-rsa-chain.pem", "client-ed25519-chain.pem",
		"client-no-eku-chain.pem", "client-untrusted.pem", "client-good-out-of-order.pem", "client-san-othernames-chain.pem",
		"client-cn-only-chain.pem", "client-not-yet-valid-chain.pem"} {
		c, err := engine.ParseChain(name, read(name))
		if err != nil {
			b.Fatal(err)
		}
		chains = append(chains, c)
	}
	cases := make([]*suite.Case, 1000)
	for i := range cases {
		cases[i] = &suite.Case{Name: "c", Client: client, Chain: chains[i%len(chains)], At: pki.TestNow.AddDate(0, 0, i%28)}
	}
	b.ResetTimer()
	for b.Loop() {
		suite.Run(cases, suite.Options{Now: pki.TestNow})
	}
}
