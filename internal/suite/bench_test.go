package suite_test

import (
	"fmt"
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

// benchCases are n cases over ten chains of the test PKI under one client with
// a rule, each case at its own time.
func benchCases(b *testing.B, n int, rule string) ([]*suite.Case, *engine.Client) {
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
	r, err := engine.CompileRule(rule, "")
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
	cases := make([]*suite.Case, n)
	for i := range cases {
		cases[i] = &suite.Case{Name: "c", Client: client, Chain: chains[i%len(chains)], At: pki.TestNow.AddDate(0, 0, i%28)}
	}
	return cases, client
}

// BenchmarkKeystroke20 is what the page's Cases pane (issue 17, not built yet)
// would do natively on each keystroke of the rule: compile the edited rule,
// then decide 20 cases with it.
func BenchmarkKeystroke20(b *testing.B) {
	cases, client := benchCases(b, 20, `CN == "client.example.com"`)
	verify := trust.NewCache(64).Verify
	i := 0
	for b.Loop() {
		i++
		r, err := engine.CompileRule(fmt.Sprintf(`CN == "client.example.com" && "URI:spiffe://example.com/ns/prod/sa/client" in SAN && %d > 0`, i), "")
		if err != nil {
			b.Fatal(err)
		}
		client.SetRule(r)
		for _, c := range cases {
			suite.RunCase(c, pki.TestNow, verify)
		}
	}
}

// BenchmarkRun1000 is what mtlsplay test waits on for a suite of 1,000 cases:
// ten chains of the test PKI (trusted, expired, untrusted, …) under a client with
// a rule, each case at its own time.
func BenchmarkRun1000(b *testing.B) {
	cases, _ := benchCases(b, 1000, `CN == "client.example.com" && "URI:spiffe://example.com/ns/prod/sa/client" in SAN`)
	for b.Loop() {
		suite.Run(cases, suite.Options{Now: pki.TestNow})
	}
}
