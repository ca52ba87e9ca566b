package cli

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	junit "github.com/joshdk/go-junit"
	"go.yaml.in/yaml/v3"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// suitePKI is a PKI made by the openssl command at test time (openssl ca, so
// that validity dates are fixed around the test clock): a root, an
// intermediate and leaves under it for every way a decision can go.
type suitePKI struct{ dir string }

const suiteCAConfig = `[ ca ]
default_ca = CA_default
[ CA_default ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
[ policy_any ]
commonName = supplied
[ ext_root ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ ext_int ]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ ext_nc_int ]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
nameConstraints = critical,permitted;DNS:example.org
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ ext_client ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:partner-a.example.org,URI:spiffe://example.org/partner-a
[ ext_server ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:partner-a.example.org,URI:spiffe://example.org/partner-a
[ ext_critical ]
basicConstraints = CA:false
extendedKeyUsage = clientAuth
subjectAltName = DNS:partner-a.example.org,URI:spiffe://example.org/partner-a
1.3.6.1.4.1.55555.1 = critical,ASN1:UTF8String:must understand
[ ext_netscape ]
basicConstraints = CA:false
extendedKeyUsage = clientAuth
nsCertType = critical,client
subjectAltName = DNS:partner-a.example.org,URI:spiffe://example.org/partner-a
[ ext_bad_uri ]
extendedKeyUsage = clientAuth
subjectAltName = URI:http://exa mple/
[ ext_outside ]
extendedKeyUsage = clientAuth
subjectAltName = DNS:partner-a.example.com
`

var (
	sharedPKI     *suitePKI
	sharedPKIOnce sync.Once
	sharedPKIDirs []string // removed by TestMain
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range sharedPKIDirs {
		_ = os.RemoveAll(d)
	}
	os.Exit(code)
}

// newSuitePKI returns the PKI, made once for the package's tests (about 40
// openssl runs), with the suites each test writes beside it.
func newSuitePKI(t *testing.T) *suitePKI {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed: the suite tests need it (apt-get install openssl)")
	}
	sharedPKIOnce.Do(func() {
		dir, err := os.MkdirTemp("", "mtlsplay-suite-pki-")
		if err != nil {
			t.Fatal(err)
		}
		sharedPKIDirs = append(sharedPKIDirs, dir)
		sharedPKI = makeSuitePKI(t, dir)
	})
	if sharedPKI == nil {
		t.Fatal("the OpenSSL PKI could not be made (see the first test that failed)")
	}
	// Each test writes its suites in its own folder, naming the PKI's files.
	p := &suitePKI{dir: t.TempDir()}
	entries, err := os.ReadDir(sharedPKI.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := os.Symlink(sharedPKI.path(e.Name()), p.path(e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// makeSuitePKI makes the PKI in dir. Every certificate is valid from
// 2026-01-01 to 2028-01-01 (around pki.TestNow) unless said.
func makeSuitePKI(t *testing.T, dir string) *suitePKI {
	t.Helper()
	p := &suitePKI{dir: dir}
	p.write(t, "ca.cnf", suiteCAConfig)
	p.write(t, "index.txt", "")
	p.write(t, "serial", "1000\n")
	ossl := func(args ...string) {
		t.Helper()
		cmd := exec.Command("openssl", args...)
		cmd.Dir = p.dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	const from, until = "20260101000000Z", "20280101000000Z"
	// issue makes name.key and name.pem: subject CN=cn, signed by issuer ("" for
	// self-signed), with the config's section ext.
	issue := func(name, cn, issuer, ext, start, end string) {
		ossl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name+".key")
		ossl("req", "-new", "-key", name+".key", "-subj", "/CN="+cn, "-out", name+".csr")
		args := []string{"ca", "-batch", "-config", "ca.cnf", "-notext", "-in", name + ".csr", "-out", name + ".pem",
			"-extensions", ext, "-startdate", start, "-enddate", end}
		if issuer == "" {
			args = append(args, "-selfsign", "-keyfile", name+".key")
		} else {
			args = append(args, "-cert", issuer+".pem", "-keyfile", issuer+".key")
		}
		ossl(args...)
	}
	issue("root", "Suite Root CA", "", "ext_root", from, "20360101000000Z")
	issue("other-root", "Other Root CA", "", "ext_root", from, "20360101000000Z")
	issue("int", "Suite Issuing CA", "root", "ext_int", from, "20300101000000Z")
	issue("nc-int", "Suite Constrained CA", "root", "ext_nc_int", from, "20300101000000Z")
	issue("good", "partner-a", "int", "ext_client", from, until)
	issue("expired", "partner-a", "int", "ext_client", "20250101000000Z", "20260301000000Z")
	issue("not-yet-valid", "partner-a", "int", "ext_client", "20270101000000Z", "20290101000000Z")
	issue("server-only", "partner-a", "int", "ext_server", from, until)
	issue("other-ca", "partner-a", "other-root", "ext_client", from, until)
	issue("critical", "partner-a", "int", "ext_critical", from, until)
	issue("bad-uri", "partner-a", "int", "ext_bad_uri", from, until)
	issue("outside", "partner-a", "nc-int", "ext_outside", from, until)
	issue("by-leaf", "partner-a", "good", "ext_client", from, until) // its issuer is no CA
	issue("stranger", "someone-else", "int", "ext_client", from, until)
	issue("netscape", "partner-a", "int", "ext_netscape", from, until) // a critical extension OpenSSL handles and Go does not

	chain := func(name string, files ...string) {
		var b []byte
		for _, f := range files {
			b = append(b, p.read(t, f)...)
		}
		p.write(t, name, string(b))
	}
	for _, leaf := range []string{"good", "expired", "not-yet-valid", "server-only", "critical", "bad-uri", "stranger", "netscape"} {
		chain(leaf+"-chain.pem", leaf+".pem", "int.pem")
	}
	chain("other-ca-chain.pem", "other-ca.pem")
	chain("outside-chain.pem", "outside.pem", "nc-int.pem")
	chain("by-leaf-chain.pem", "by-leaf.pem", "good.pem", "int.pem")

	// bad-signature: the good leaf with one byte of its signature changed.
	block, _ := pem.Decode(p.read(t, "good.pem"))
	der := bytes.Clone(block.Bytes)
	der[len(der)-1] ^= 0x01
	p.write(t, "bad-signature-chain.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))+string(p.read(t, "int.pem")))
	return p
}

func (p *suitePKI) path(name string) string { return filepath.Join(p.dir, name) }

func (p *suitePKI) read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(p.path(name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (p *suitePKI) write(t *testing.T, name, content string) string {
	t.Helper()
	if err := os.WriteFile(p.path(name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p.path(name)
}

// suiteClients are the clients of the suites below.
const suiteClients = `clients:
  - name: partner-a
    bundles: [root.pem]
    rule: CN == "partner-a" && "URI:spiffe://example.org/partner-a" in SAN
  - name: broken-rule
    bundles: [root.pem]
    rule: SAN[99] == "DNS:x"
  - name: no-bundle
    rule: "true"
  - name: intermediate-only
    bundles: [int.pem]
`

// everyCode is a suite that reaches every decision code, and 4018 for every
// kind of verification failure, each with the kind it must have.
var everyCode = []struct {
	name, yaml, kind string
}{
	{"accepted", "client: partner-a\n    chain: good-chain.pem\n    expect: {code: 0, reason: rule is true}", ""},
	{"no rule accepts", "bundles: [root.pem]\n    chain: stranger-chain.pem\n    expect: {code: 0, reason: no rule}", ""},
	{"no client", "chain: good-chain.pem\n    expect: 4020", ""},
	{"no bundle", "client: no-bundle\n    chain: good-chain.pem\n    expect: {code: 4016, reason: no truststore bundle}", ""},
	{"no certificate", "client: partner-a\n    expect: 4017", ""},
	{"other CA", "client: partner-a\n    chain: other-ca-chain.pem\n    expect: {code: 4018, reason: Other Root CA}", "unknown_issuer"},
	{"expired", "client: partner-a\n    chain: expired-chain.pem\n    expect: {code: 4018, reason: expired at 2026-03-01, finding: expired}", "expired"},
	{"expired later", "client: partner-a\n    chain: good-chain.pem\n    at: 2029-01-01T00:00:00Z\n    expect: {code: 4018, finding: expired}", "expired"},
	{"not yet valid", "client: partner-a\n    chain: not-yet-valid-chain.pem\n    expect: {code: 4018, reason: not yet valid, finding: not_yet_valid}", "not_yet_valid"},
	{"serverAuth only", "client: partner-a\n    chain: server-only-chain.pem\n    expect: {code: 4018, reason: clientAuth, finding: no_client_auth_eku}", "ext_key_usage"},
	{"critical extension", "client: partner-a\n    chain: critical-chain.pem\n    expect: {code: 4018, reason: 1.3.6.1.4.1.55555.1, finding: unhandled_critical_extension}", "critical_extension"},
	{"unparsable", "client: partner-a\n    chain: bad-uri-chain.pem\n    expect: {code: 4018, reason: cannot be verified, finding: malformed_san}", "unparsable"},
	{"bad signature", "client: partner-a\n    chain: bad-signature-chain.pem\n    expect: {code: 4018, reason: signature}", "signature"},
	{"outside name constraints", "client: partner-a\n    chain: outside-chain.pem\n    expect: {code: 4018}", "name_constraints"},
	{"issued by a leaf", "client: partner-a\n    chain: by-leaf-chain.pem\n    expect: {code: 4018, reason: not a CA certificate}", "other"},
	{"rule false", "client: partner-a\n    chain: stranger-chain.pem\n    expect: {code: 4019, reason: evaluated to false}", ""},
	{"rule error", "client: broken-rule\n    chain: good-chain.pem\n    expect: {code: 4019, reason: could not be evaluated}", ""},
	{"inline PEM", "client: partner-a\n    chain: |\n%s    expect: 0", ""},
}

// writeEveryCode writes the everyCode suite into the PKI's folder.
func writeEveryCode(t *testing.T, p *suitePKI) string {
	var b strings.Builder
	b.WriteString(suiteClients + "cases:\n")
	for _, c := range everyCode {
		y := c.yaml
		if strings.Contains(y, "%s") {
			var pemText strings.Builder
			for _, line := range strings.SplitAfter(string(p.read(t, "good-chain.pem")), "\n") {
				if line != "" {
					pemText.WriteString("      " + line)
				}
			}
			y = fmt.Sprintf(y, pemText.String())
		}
		fmt.Fprintf(&b, "  - name: %s\n    %s\n", c.name, y)
	}
	return p.write(t, "suite.yaml", b.String())
}

// TestSuiteEveryCode: a suite over OpenSSL-made certificates reaches every
// code, and 4018 for every kind of failure; every case passes (exit 0), the
// text report says so case by case and ends with the summary.
func TestSuiteEveryCode(t *testing.T) {
	p := newSuitePKI(t)
	file := writeEveryCode(t, p)
	code, out, errs := runCLI(t, "", "test", "--at", pki.TestNowRFC3339, "--format", "json", file)
	if code != exitOK {
		t.Fatalf("test --format json = %d\n%s\n%s", code, out, errs)
	}
	var rep testReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("test --format json: %v\n%s", err, out)
	}
	if len(rep.Suites) != 1 || rep.Passed != len(everyCode) || rep.Failed != 0 || errs != fmt.Sprintf("%d passed, 0 failed\n", len(everyCode)) {
		t.Fatalf("test --format json: %d suites, %d passed, %d failed; stderr %q", len(rep.Suites), rep.Passed, rep.Failed, errs)
	}
	codes := map[int]bool{}
	kinds := map[string]bool{}
	for i, c := range rep.Suites[0].Cases {
		want := everyCode[i]
		if c.Name != want.name || !c.Passed || string(c.Kind) != want.kind {
			t.Errorf("case %q: passed %v, code %d, kind %q (want %q): %s", c.Name, c.Passed, c.Code, c.Kind, want.kind, c.Reason)
		}
		codes[c.Code] = true
		kinds[string(c.Kind)] = true
	}
	for _, code := range []int{0, 4016, 4017, 4018, 4019, 4020} {
		if !codes[code] {
			t.Errorf("no case reached %d", code)
		}
	}
	for _, k := range []string{"unknown_issuer", "expired", "not_yet_valid", "ext_key_usage", "critical_extension", "unparsable", "signature", "name_constraints", "other"} {
		if !kinds[k] {
			t.Errorf("no case reached 4018 with kind %s", k)
		}
	}

	code, out, _ = runCLI(t, "", "test", "--at", pki.TestNowRFC3339, file)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != exitOK || len(lines) != len(everyCode)+1 || lines[len(lines)-1] != fmt.Sprintf("%d passed, 0 failed", len(everyCode)) ||
		lines[0] != `PASS accepted: expected 0 with reason containing "rule is true", got 0 (accepted: the chain is trusted and the rule is true)` {
		t.Errorf("test (text) = %d\n%s", code, out)
	}
}

// wrongSuite has one case whose expectation is wrong, and one that passes.
func wrongSuite(t *testing.T, p *suitePKI) string {
	return p.write(t, "wrong.yaml", suiteClients+`cases:
  - name: partner-a today
    client: partner-a
    chain: good-chain.pem
    expect: 0
  - name: "expired <partner> & co"
    client: partner-a
    chain: expired-chain.pem
    expect: 0
`)
}

// TestSuiteWrongExpectation: a case whose expectation is wrong fails the run
// (exit 1), named, with the decision's explanation under it.
func TestSuiteWrongExpectation(t *testing.T) {
	p := newSuitePKI(t)
	file := wrongSuite(t, p)
	code, out, errs := runCLI(t, "", "test", "--at", pki.TestNowRFC3339, file)
	for _, want := range []string{
		"PASS partner-a today: expected 0, got 0 (accepted: the chain is trusted and the rule is true)\n",
		"FAIL expired <partner> & co: expected 0, got 4018 (invalid client certificate: certificate ",
		" (CN=partner-a) expired at 2026-03-01T00:00:00Z",
		"     expected code 0, got 4018\n",
		`     client "partner-a", chain expired-chain.pem, at 2026-06-01T00:00:00Z` + "\n",
		"       FAIL chain       certificate ",
		"     findings:\n       error: certificate ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("test lacks %q:\n%s", want, out)
		}
	}
	if code != exitRejected || !strings.HasSuffix(out, "\n1 passed, 1 failed\n") || errs != "" {
		t.Errorf("test = %d, stderr %q\n%s", code, errs, out)
	}
}

// TestSuiteJUnit: the JUnit XML is read by a JUnit parser (go-junit, as CI
// reporters read it): one suite, both cases, the failure with its message and
// the explanation.
func TestSuiteJUnit(t *testing.T) {
	p := newSuitePKI(t)
	file := wrongSuite(t, p)
	code, out, errs := runCLI(t, "", "test", "--at", pki.TestNowRFC3339, "--format", "junit", file, writeEveryCode(t, p))
	if code != exitRejected || errs != fmt.Sprintf("%d passed, 1 failed\n", len(everyCode)+1) {
		t.Fatalf("test --format junit = %d, stderr %q", code, errs)
	}
	suites, err := junit.Ingest([]byte(out))
	if err != nil {
		t.Fatalf("junit.Ingest: %v\n%s", err, out)
	}
	if len(suites) != 2 || len(suites[0].Tests) != 2 || len(suites[1].Tests) != len(everyCode) {
		t.Fatalf("junit: %d suites\n%s", len(suites), out)
	}
	if suites[0].Name != file || suites[0].Totals.Failed != 1 || suites[0].Totals.Passed != 1 || suites[1].Totals.Passed != len(everyCode) {
		t.Errorf("junit suite 1: %q, totals %+v; suite 2 totals %+v", suites[0].Name, suites[0].Totals, suites[1].Totals)
	}
	ok, bad := suites[0].Tests[0], suites[0].Tests[1]
	if ok.Name != "partner-a today" || ok.Status != junit.StatusPassed || ok.Classname != file {
		t.Errorf("junit test 1 = %q %s %q", ok.Name, ok.Status, ok.Classname)
	}
	if bad.Name != "expired <partner> & co" || bad.Status != junit.StatusFailed || bad.Error == nil {
		t.Fatalf("junit test 2 = %q %s %v", bad.Name, bad.Status, bad.Error)
	}
	var failure junit.Error
	failure, _ = bad.Error.(junit.Error)
	if failure.Message != "expected code 0, got 4018" || !strings.Contains(failure.Body, "(CN=partner-a) expired at 2026-03-01T00:00:00Z") || !strings.Contains(failure.Body, "  FAIL chain       certificate ") ||
		!strings.Contains(bad.SystemOut, "got 4018: invalid client certificate") {
		t.Errorf("junit failure = %+v\nsystem-out %q", failure, bad.SystemOut)
	}
}

// TestSuiteJUnitHostileNames: a case name with control characters and XML's
// own characters still makes a document the parser reads.
func TestSuiteJUnitHostileNames(t *testing.T) {
	p := newSuitePKI(t)
	file := p.write(t, "hostile.yaml", "cases:\n  - name: \"\\e[31mred\\x00 ]]> <x/> \\\"q\\\" \\u202e\"\n    expect: 0\n")
	code, out, errs := runCLI(t, "", "test", "--format", "junit", file)
	if code != exitRejected {
		t.Fatalf("test --format junit = %d\n%s%s", code, out, errs)
	}
	suites, err := junit.Ingest([]byte(out))
	if err != nil || len(suites) != 1 || len(suites[0].Tests) != 1 || suites[0].Tests[0].Status != junit.StatusFailed {
		t.Fatalf("junit.Ingest = %v, %v\n%s", suites, err, out)
	}
	if name := suites[0].Tests[0].Name; !strings.Contains(name, "red") || !strings.Contains(name, "]]> <x/>") || strings.ContainsAny(name, "\x1b\x00") {
		t.Errorf("the case's name in JUnit = %q", name)
	}
	code, out, _ = runCLI(t, "", "test", file)
	if code != exitRejected || !strings.HasPrefix(out, `FAIL \1B[31mred\00 ]]> <x/> "q" <U+202E>: expected 0, got 4020`) {
		t.Errorf("test (text) = %d\n%s", code, out)
	}
}

// TestSuiteTAP: TAP version 13: the plan, a test point per case, a YAML
// block under the failure that a YAML parser reads, the summary comment last.
func TestSuiteTAP(t *testing.T) {
	p := newSuitePKI(t)
	code, out, _ := runCLI(t, "", "test", "--at", pki.TestNowRFC3339, "--format", "tap", wrongSuite(t, p))
	lines := strings.Split(out, "\n")
	if code != exitRejected || lines[0] != "TAP version 13" || lines[1] != "1..2" || lines[2] != "ok 1 - partner-a today" ||
		lines[3] != "not ok 2 - expired <partner> & co" || lines[4] != "  ---" || lines[len(lines)-2] != "# 1 passed, 1 failed" {
		t.Fatalf("test --format tap = %d\n%s", code, out)
	}
	end := strings.Index(out, "\n  ...\n")
	start := strings.Index(out, "  ---\n") + len("  ---\n")
	var block struct {
		Message  string   `yaml:"message"`
		Got      int      `yaml:"got"`
		Expected string   `yaml:"expected"`
		Findings []string `yaml:"findings"`
		Decision string   `yaml:"decision"`
	}
	if end < 0 {
		t.Fatalf("no YAML block end:\n%s", out)
	}
	var text strings.Builder
	for _, line := range strings.SplitAfter(out[start:end+1], "\n") {
		text.WriteString(strings.TrimPrefix(line, "  "))
	}
	if err := yaml.Unmarshal([]byte(text.String()), &block); err != nil {
		t.Fatalf("the YAML block: %v\n%s", err, text.String())
	}
	if block.Message != "expected code 0, got 4018" || block.Got != 4018 || block.Expected != "0" || !strings.Contains(block.Decision, "FAIL chain") || len(block.Findings) == 0 {
		t.Errorf("the YAML block = %+v", block)
	}
}

// TestSuiteGateway: --gateway nginx decides trust as nginx does, both ways: a
// bundle that holds the intermediate but not the root is Go's trust anchor and
// not OpenSSL's (partial_chain: 0 without, 4018 with), and a critical
// nsCertType is one OpenSSL handles and Go does not (4018 without; with nginx
// the chain is trusted and the rule decides: 0).
func TestSuiteGateway(t *testing.T) {
	p := newSuitePKI(t)
	file := p.write(t, "gw.yaml", suiteClients+`cases:
  - name: anchored at the intermediate
    client: intermediate-only
    chain: good-chain.pem
    expect: 0
  - name: good with the root
    client: partner-a
    chain: good-chain.pem
    expect: 0
  - name: critical nsCertType
    client: partner-a
    chain: netscape-chain.pem
    expect: 0
`)
	code, out, _ := runCLI(t, "", "test", "--at", pki.TestNowRFC3339, file)
	if code != exitRejected || !strings.Contains(out, "PASS anchored at the intermediate") ||
		!strings.Contains(out, "FAIL critical nsCertType: expected 0, got 4018 (invalid client certificate: certificate ") ||
		!strings.Contains(out, " (CN=partner-a) has a critical extension that crypto/x509 does not handle: nsCertType") {
		t.Errorf("test without --gateway = %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "", "test", "--at", pki.TestNowRFC3339, "--gateway", "nginx", file)
	if code != exitRejected || !strings.Contains(out, "FAIL anchored at the intermediate: expected 0, got 4018 (invalid client certificate: gateway nginx refuses the chain that crypto/x509 trusts (partial_chain") ||
		!strings.Contains(out, "PASS good with the root") ||
		!strings.Contains(out, "PASS critical nsCertType: expected 0, got 0 (accepted: the chain is trusted and the rule is true)") {
		t.Errorf("test --gateway nginx = %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "", "test", "--at", pki.TestNowRFC3339, "--gateway", "caddy", file)
	if code != exitRejected || !strings.Contains(out, "PASS anchored at the intermediate") || !strings.Contains(out, "FAIL critical nsCertType") {
		t.Errorf("test --gateway caddy (crypto/x509's verdicts here) = %d\n%s", code, out)
	}
	code, _, errs := runCLI(t, "", "test", "--gateway", "apache", file)
	if code != exitBadInput || !strings.Contains(errs, `no trust model for gateway "apache"`) {
		t.Errorf("test --gateway apache = %d %q", code, errs)
	}
}

// TestSuiteBadInput: each bad suite is one line naming the file, the case and
// the field, exit 2, before any case runs, within a second.
func TestSuiteBadInput(t *testing.T) {
	p := newSuitePKI(t)
	many := func(n int) string {
		var b strings.Builder
		b.WriteString("cases:\n")
		for i := range n {
			fmt.Fprintf(&b, "  - {name: case %d, expect: 4020}\n", i)
		}
		return b.String()
	}
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown field", suiteClients + "cases:\n  - name: a\n    client: partner-a\n    expcet: 0\n", `: case "a": line 15: unknown field "expcet" (known here: name, client, bundles, rule, dialect, chain, at, expect)`},
		{"unknown field in expect", "cases:\n  - name: a\n    expect: {code: 0, findng: expired}\n", `: case "a": expect: line 3: unknown field "findng" (known here: code, reason, finding)`},
		{"unknown top-level field", "case:\n  - name: a\n", `: line 1: unknown field "case" (known here: listen, tls, authz, clients, cases)`},
		{"missing chain file", "cases:\n  - name: a\n    chain: nosuch.pem\n    expect: 4020\n", `: case "a": chain nosuch.pem: no such file or directory`},
		{"private key as the chain", "cases:\n  - name: a\n    chain: good.key\n    expect: 4020\n", `: case "a": chain good.key: block 1 (line 1): this is a private key, not a certificate`},
		{"private key inline", "cases:\n  - name: a\n    chain: |\n" + indent(string(p.read(t, "good.key")), "      ") + "    expect: 4020\n", `: case "a": chain: block 1 (line 1): this is a private key`},
		{"unknown client", suiteClients + "cases:\n  - name: a\n    client: partner-b\n    expect: 0\n", `: case "a": client "partner-b" is not in clients (known: partner-a, broken-rule, no-bundle, intermediate-only)`},
		{"client and inline", suiteClients + "cases:\n  - name: a\n    client: partner-a\n    rule: \"true\"\n    expect: 0\n", `: case "a": names client "partner-a" and gives bundles, rule or dialect too`},
		{"missing bundle", "cases:\n  - name: a\n    bundles: [nosuch.pem]\n    expect: 0\n", `: case "a": bundle nosuch.pem: no such file or directory`},
		{"bad rule", "cases:\n  - name: a\n    bundles: [root.pem]\n    rule: CN = \"x\"\n    expect: 0\n", `: case "a": rule:1:`},
		{"bad dialect", "cases:\n  - name: a\n    bundles: [root.pem]\n    dialect: ruby\n    expect: 0\n", `: case "a": unknown rule dialect "ruby"`},
		{"no expect", "cases:\n  - name: a\n", `: case "a": expect: missing`},
		{"not a code", "cases:\n  - name: a\n    expect: 403\n", `: case "a": expect: line 3: "403" is not a decision code`},
		{"unknown finding", "cases:\n  - name: a\n    expect: {code: 4018, finding: expird}\n", `: case "a": expect: line 3: "expird" is not a finding id`},
		{"bad time", "cases:\n  - name: a\n    at: tomorrow\n    expect: 4020\n", `: case "a": at: time "tomorrow" is `},
		{"no name", "cases:\n  - expect: 4020\n", `: case 1: has no name`},
		{"same name", "cases:\n  - {name: a, expect: 4020}\n  - {name: a, expect: 4020}\n", `: case "a": is a second case of that name`},
		{"no cases", suiteClients, `: no cases: a suite lists cases`},
		{"empty", "", `: the file is empty`},
		{"10,000 cases", many(10000), `: 10000 cases; a file holds at most 1000 (split the suite into several files)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := p.write(t, "bad.yaml", tt.yaml)
			start := time.Now()
			code, out, errs := runCLI(t, "", "test", file)
			took := time.Since(start)
			if code != exitBadInput || out != "" || errs != "mtlsplay: "+file+tt.want+errs[len("mtlsplay: "+file+tt.want):] || strings.Count(errs, "\n") != 1 {
				t.Errorf("test = %d, stdout %q\nstderr %q\nwant   mtlsplay: %s%s", code, out, errs, file, tt.want)
			}
			if took > 5*time.Second { // a bound on a hang, not a benchmark (it takes milliseconds)
				t.Errorf("test took %v", took)
			}
		})
	}

	// A 20 MB file is refused after reading its first MiB.
	big := p.path("big.yaml")
	if err := os.WriteFile(big, bytes.Repeat([]byte("# "), 10<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI(t, "", "test", big)
	if code != exitBadInput || errs != "mtlsplay: suite "+big+": larger than 1048576 bytes\n" {
		t.Errorf("test on 20 MB = %d %q", code, errs)
	}
	code, _, errs = runCLI(t, "", "test")
	if code != exitBadInput || !strings.Contains(errs, "want at least one suite FILE") {
		t.Errorf("test without a file = %d %q", code, errs)
	}
	code, _, errs = runCLI(t, "", "test", "--format", "xml", big)
	if code != exitBadInput || !strings.Contains(errs, `--format is text, json, junit or tap, not "xml"`) {
		t.Errorf("test --format xml = %d %q", code, errs)
	}
}

func indent(s, prefix string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		if line != "" {
			b.WriteString(prefix + line)
		}
	}
	return b.String()
}

// TestSuiteServeConfig: mtlsplay test on a serve config runs its cases
// offline, with the config checked as serve checks it; serve with the same
// config and a failing case does not start and names the case.
func TestSuiteServeConfig(t *testing.T) {
	dir := t.TempDir()
	abs := func(name string) string {
		p, err := filepath.Abs(fixture(name))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	config := func(expect string) string {
		p := filepath.Join(dir, "mtlsplay.yaml")
		if err := os.WriteFile(p, []byte(fmt.Sprintf(`tls: {cert: %s, key: %s}
clients:
  - name: partner-a
    token: "partner-a-token-0123456789"
    bundles: [%s]
    rule: CN == "client.example.com"
cases:
  - name: good
    client: partner-a
    chain: %s
    expect: %s
`, abs("server-localhost-chain.pem"), abs("server-localhost.key"), abs("root.pem"), abs("client-good-chain.pem"), expect)), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	path := config("0")
	if code, out, errs := runCLI(t, "", "test", "--at", pki.TestNowRFC3339, path); code != exitOK || out != "PASS good: expected 0, got 0 (accepted: the chain is trusted and the rule is true)\n1 passed, 0 failed\n" {
		t.Errorf("test CONFIG = %d\n%s%s", code, out, errs)
	}
	path = config("4019")
	if code, out, _ := runCLI(t, "", "test", "--at", pki.TestNowRFC3339, path); code != exitRejected || !strings.Contains(out, "FAIL good: expected 4019, got 0") {
		t.Errorf("test CONFIG with a wrong case = %d\n%s", code, out)
	}
	code, out, errs := runCLI(t, "", "serve", "--config", path, "--http", "127.0.0.1:0", "--mtls", "127.0.0.1:0")
	if code != exitRejected || out != "" || !strings.Contains(errs, "mtlsplay serve: "+path+`: case "good" failed: expected 4019, got 0 (accepted`) {
		t.Errorf("serve --config with a failing case = %d\n%s%s", code, out, errs)
	}

	// A serve config is checked whole: a missing server key is an error here too.
	if err := os.WriteFile(path, []byte("tls: {cert: nosuch.pem, key: nosuch.key}\ncases:\n  - {name: a, expect: 4020}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, "", "test", path); code != exitBadInput || !strings.Contains(errs, "tls.cert nosuch.pem: no such file or directory") {
		t.Errorf("test on a config without its server key = %d %q", code, errs)
	}
	// A config without cases tests nothing: that is no pass.
	config("0")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data[:strings.Index(string(data), "cases:")], 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCLI(t, "", "test", path); code != exitBadInput || out != "" || errs != "mtlsplay: "+path+": no cases: a suite lists cases (name, client, chain, expect)\n" {
		t.Errorf("test on a config without cases = %d %q %q", code, out, errs)
	}
}

// TestSuiteDocExample: the worked example of docs/suites.md passes as the
// page shows it, and the edit it describes fails the case it says, with the
// lines it shows.
func TestSuiteDocExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "suites.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := fencedBlocks(string(doc))
	if len(blocks["yaml"]) == 0 || len(blocks["console"]) < 2 {
		t.Fatalf("docs/suites.md: %d yaml and %d console blocks", len(blocks["yaml"]), len(blocks["console"]))
	}
	dir := t.TempDir()
	testdata, err := filepath.Abs(filepath.Join("..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(testdata, filepath.Join(dir, "testdata")); err != nil {
		t.Fatal(err)
	}
	example := blocks["yaml"][0]
	// check runs the suite text and finds every line of a console block that
	// the document does not shorten with "…".
	check := func(suite, console string, wantCode int) {
		t.Helper()
		path := filepath.Join(dir, "suite.yaml")
		if err := os.WriteFile(path, []byte(suite), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Chdir(dir)
		code, out, errs := runCLI(t, "", "test", "--at", pki.TestNowRFC3339, "suite.yaml")
		if code != wantCode {
			t.Errorf("the example = %d, want %d\n%s%s", code, wantCode, out, errs)
		}
		for _, line := range strings.Split(console, "\n")[1:] { // [0] is the command
			if strings.Trim(line, "… ") != "" && !slices.ContainsFunc(strings.Split(out, "\n"), func(o string) bool { return matchesElided(o, line) }) {
				t.Errorf("the output lacks the document's line %q:\n%s", line, out)
			}
		}
	}
	check(example, blocks["console"][0], exitOK)
	edited := strings.Replace(example, `sa/client" in SAN`, `sa/client/" in SAN`, 1)
	if edited == example {
		t.Fatal("the edit the document describes is no longer possible on its example")
	}
	check(edited, blocks["console"][1], exitRejected)
}

// matchesElided reports whether line is doc, where each "…" of doc stands for
// any text: the document shortens long lines, and the number a message gives
// a certificate, so that they stay true.
func matchesElided(line, doc string) bool {
	parts := strings.Split(doc, "…")
	if !strings.HasPrefix(line, parts[0]) || !strings.HasSuffix(line, parts[len(parts)-1]) {
		return false
	}
	rest := line[len(parts[0]):]
	for _, p := range parts[1:] {
		i := strings.Index(rest, p)
		if i < 0 {
			return false
		}
		rest = rest[i+len(p):]
	}
	return true
}

// fencedBlocks are a Markdown document's fenced blocks by language.
func fencedBlocks(doc string) map[string][]string {
	out := map[string][]string{}
	lines := strings.Split(doc, "\n")
	for i := 0; i < len(lines); i++ {
		lang, ok := strings.CutPrefix(lines[i], "```")
		if !ok || lang == "" {
			continue
		}
		var b strings.Builder
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			b.WriteString(strings.TrimPrefix(lines[i], "$ ") + "\n")
		}
		out[lang] = append(out[lang], b.String())
	}
	return out
}

// TestSuiteStdinAndFiles: "-" reads a suite from standard input (its paths
// relative to the current folder); with several files the text report heads
// each file's cases with its name, and the summary counts them all.
func TestSuiteStdinAndFiles(t *testing.T) {
	p := newSuitePKI(t)
	t.Chdir(p.dir)
	stdin := suiteClients + "cases:\n  - name: from stdin\n    client: partner-a\n    chain: good-chain.pem\n    expect: 0\n"
	code, out, errs := runCLI(t, stdin, "test", "--at", pki.TestNowRFC3339, "-", wrongSuite(t, p))
	want := "standard input: 1 case\nPASS from stdin: expected 0, got 0 (accepted: the chain is trusted and the rule is true)\n" +
		wrongSuite(t, p) + ": 2 cases\nPASS partner-a today: "
	if code != exitRejected || !strings.HasPrefix(out, want) || !strings.HasSuffix(out, "\n2 passed, 1 failed\n") {
		t.Errorf("test - FILE = %d\n%s%s\nwant it to start %q", code, out, errs, want)
	}
	code, _, errs = runCLI(t, "cases: [", "test", "-")
	if code != exitBadInput || !strings.HasPrefix(errs, "mtlsplay: standard input: ") || strings.Count(errs, "\n") != 1 {
		t.Errorf("test - with bad YAML = %d %q", code, errs)
	}
}
