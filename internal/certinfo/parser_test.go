package certinfo

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/certinput"
)

// TestParserSharesNamesFaithfully parses every certificate of the fixtures, one
// Parser per file and one for all of them, and checks each view against a fresh
// Parse: sharing names must change nothing a user or a rule can see.
func TestParserSharesNamesFaithfully(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "pki", "*.pem"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	// A self-signed certificate whose name has an empty RDN: its warning is
	// reported once as the issuer's and once as the subject's.
	bad := rdnSeq(one(oCN, utf8s("x")), nil)
	hostile := selfSigned(t, leafTemplate(bad))
	ders := [][]byte{hostile}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		blocks, err := certinput.DecodeBundle(f, data)
		if err != nil {
			continue // keys and deliberately broken inputs
		}
		var perFile Parser
		for _, b := range blocks {
			ders = append(ders, b.DER)
			same(t, f, &perFile, b.DER)
		}
	}
	var all Parser
	for i, der := range ders {
		same(t, "certificate "+strings.Repeat("#", i%3), &all, der)
	}
	c := mustParse(t, hostile)
	var warned []string
	for _, p := range c.Problems {
		if strings.Contains(p, "shown as #hex") || strings.Contains(p, "is empty") {
			warned = append(warned, p)
		}
	}
	if !slices.ContainsFunc(warned, func(s string) bool { return strings.HasPrefix(s, "issuer: ") }) ||
		!slices.ContainsFunc(warned, func(s string) bool { return strings.HasPrefix(s, "subject: ") }) {
		t.Fatalf("the shared name's warnings are not reported for both issuer and subject: %q", c.Problems)
	}
}

func same(t *testing.T, where string, ps *Parser, der []byte) {
	t.Helper()
	fresh, err1 := Parse(der)
	shared, err2 := ps.Parse(der)
	if (err1 == nil) != (err2 == nil) {
		t.Fatalf("%s: Parse error %v, Parser error %v", where, err1, err2)
	}
	if err1 != nil {
		return
	}
	a, _ := json.Marshal(fresh)
	b, _ := json.Marshal(shared)
	if string(a) != string(b) {
		t.Fatalf("%s: the Parser's view differs from Parse's:\n%s\n%s", where, a, b)
	}
	if (fresh.X509() == nil) != (shared.X509() == nil) {
		t.Fatalf("%s: crypto/x509 verdicts differ", where)
	}
}
