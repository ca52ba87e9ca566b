package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNotASuiteOrConfig: a certificate, a key, DER, a list or a bare word given
// where a suite or a config goes is said to be what it is, with the shape the
// file should have, not as YAML's "cannot unmarshal !!str `-----BE...` into
// the config".
func TestNotASuiteOrConfig(t *testing.T) {
	pki := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pki", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"certificate", pki("client-good.pem"), "this is a PEM file (CERTIFICATE), not a %s: "},
		{"key", pki("client-good.key"), "this is a PEM file (PRIVATE KEY), not a %s: "},
		{"certificate after a BOM", append([]byte("\xef\xbb\xbf"), pki("client-good.pem")...), "this is a PEM file (CERTIFICATE), not a %s: "},
		{"DER", []byte("\x30\x82\x01\xc6\x30\x82\x01\x6b\xa0\x03\x02\x01\x02\xff"), "this is binary (DER?), not a %s: "},
		{"list", []byte("- a\n- b\n"), "line 1: the file is a list, not a %s: "},
		{"word", []byte("\nhello\n"), "line 2: the file is one value, not a %s: "},
	} {
		for _, what := range []string{"suite", "config"} {
			var err error
			if what == "suite" {
				_, err = ParseSuite("f.yaml", tt.data, now)
			} else {
				_, err = Parse("f.yaml", tt.data, now)
			}
			want := "f.yaml: " + strings.Replace(tt.want, "%s", what, 1)
			if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "docs/") {
				t.Errorf("%s as a %s: %v; want it to start %q and name the document", tt.name, what, err, want)
			}
		}
	}
	// A mapping keeps YAML's message and its line.
	if _, err := ParseSuite("f.yaml", []byte("cases: [\n"), now); err == nil || !strings.Contains(err.Error(), "line ") || strings.Contains(err.Error(), "not a suite") {
		t.Errorf("broken YAML: %v", err)
	}
}
