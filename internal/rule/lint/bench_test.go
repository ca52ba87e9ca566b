package lint

import "testing"

// Lints run with every compile in the page and every eval in the CLI.
func BenchmarkLint(b *testing.B) {
	p := mustCompile(b, `"test" in SAN || SAN.exists(s, s.endsWith(".Example.com")) || DN == "/C=US/CN=x" || CN == "client.example.com"`)
	cert := goodClient()
	for b.Loop() {
		CheckWith(p, cert)
	}
}
