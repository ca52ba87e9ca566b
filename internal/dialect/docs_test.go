package dialect

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/rule/lint"
)

// TestDocsExamples keeps docs/workato.md true: every ruby block translates, every
// cel block compiles, and under each "### `lint_id`" heading every example
// raises that warning.
func TestDocsExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/workato.md")
	if err != nil {
		t.Fatal(err)
	}
	good := goodVars(t).Cert
	mapped := readCert(t, "client-san-ipv4-mapped-chain.pem")
	multivalued := readCert(t, "dn-multivalued.pem")
	heading := regexp.MustCompile("^### `([a-z_0-9]+)`")
	section, lang := "", ""
	var block []string
	seen := map[string]int{}
	for _, line := range strings.Split(string(doc), "\n") {
		switch {
		case lang == "" && strings.HasPrefix(line, "```"):
			lang, block = strings.TrimPrefix(line, "```"), nil
		case lang != "" && line == "```":
			src := strings.Join(block, "\n")
			if lang == "ruby" || lang == "cel" {
				d := map[string]string{"ruby": Workato, "cel": CEL}[lang]
				r, err := Compile(testEnv(t), src, d)
				if err != nil {
					t.Errorf("docs/workato.md: %s block %q: %v", lang, src, err)
				} else if section != "" {
					cert := good
					switch section {
					case lint.IPv4MappedIPv6:
						cert = mapped
					case lint.DNGatewayForm:
						cert = multivalued // the certificate the section names
					}
					found := false
					for _, w := range r.Warnings(cert) {
						found = found || w.ID == section
					}
					if !found {
						t.Errorf("docs/workato.md: under %s, %q raises %v, not %s", section, src, r.Warnings(cert), section)
					}
					seen[section]++
				}
			}
			lang = ""
		case lang != "":
			block = append(block, line)
		case heading.MatchString(line):
			section = heading.FindStringSubmatch(line)[1]
		}
	}
	for _, id := range []string{lint.SANNoPrefix, lint.SANPrefix, lint.DNSlashForm, lint.DNOrder, lint.DNFormat, lint.DNGatewayEscapes, lint.DNGatewayForm, lint.IPv6Form, lint.DNSCase, lint.RegexpUnanchored, lint.CNOnly, lint.IPv4MappedIPv6} {
		if seen[id] == 0 {
			t.Errorf("docs/workato.md: no example for the lint %s", id)
		}
	}
}

func readCert(t *testing.T, name string) *certinfo.Certificate {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pki", name))
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := certinput.Decode(name, data)
	if err != nil {
		t.Fatal(err)
	}
	c, err := certinfo.Parse(blocks[0].DER)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
