package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/internal/suite"
)

// TestSuiteFromThePage: the suite the page's Export writes (suite.WritePage:
// bundles and chains as PEM in the file, the page's rule) is one mtlsplay test
// runs as it is, with the outcomes the page showed; a rule that breaks a case
// fails it here too.
func TestSuiteFromThePage(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(fixture(name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	root := []engine.BundleInput{{Name: "root.pem", PEM: read("root.pem")}}
	at := pki.TestNow.Format(time.RFC3339)
	cases := []suite.PageCase{
		{Name: "good", Chain: read("client-good-chain.pem"), Bundles: root, At: at, Expect: suite.Expect{Code: 0}},
		{Name: "expired", Chain: read("client-expired-chain.pem"), Bundles: root, At: at, Expect: suite.Expect{Code: 4018, Finding: "expired"}},
		{Name: "none", Bundles: root, At: at, Expect: suite.Expect{Code: 4017}},
		{Name: "no bundle", Chain: read("client-good-chain.pem"), Bundles: []engine.BundleInput{}, At: at, Expect: suite.Expect{Code: 4016}},
	}
	dir := t.TempDir()
	for _, tt := range []struct {
		rule   string
		exit   int
		output string
	}{
		{`CN == "client.example.com"`, exitOK, "\n4 passed, 0 failed\n"},
		{`CN == "client.exampel.com"`, exitRejected, "\n3 passed, 1 failed\n"},
	} {
		y, err := suite.WritePage(suite.SuiteWriteRequest{Rule: tt.rule, Dialect: "cel", Cases: cases})
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, "mtlsplay-suite.yaml")
		if err := os.WriteFile(file, []byte(y), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errs := runCLI(t, "", "test", file)
		if code != tt.exit || !strings.HasSuffix(out, tt.output) || errs != "" {
			t.Errorf("test of the page's suite with %s = %d, stderr %q\n%s", tt.rule, code, errs, out)
		}
	}
}
