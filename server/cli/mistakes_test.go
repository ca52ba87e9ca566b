package cli

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/internal/pki/opensslpki"
	"github.com/mtlsplay/mtlsplay/server/probe"
	"github.com/mtlsplay/mtlsplay/server/serve"
)

// opensslServer is a Go TLS server on loopback that requires a client certificate
// from the OpenSSL PKI's root, at a time inside the PKI's validity.
func opensslServer(t *testing.T, p *opensslPKIFiles, h http.HandlerFunc) string {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(probePKI("server-localhost-chain.pem"), probePKI("server-localhost.key"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(opensslpki.Read(t, p.Root))
	ts := httptest.NewUnstartedServer(h)
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert, Time: p.At}
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts.Listener.Addr().String()
}

type opensslPKIFiles = opensslpki.PKI

// runAt runs the CLI in-process with its clock at at.
func runAt(t *testing.T, at time.Time, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	c := &cli{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, now: func() time.Time { return at }}
	code = c.run(args)
	return code, out.String(), errb.String()
}

// TestProbeUnrelatedRoot: against a server that names only its own root, a leaf
// issued directly by another root is not told to send that root as "the
// intermediate".
func TestProbeUnrelatedRoot(t *testing.T) {
	p := opensslpki.New(t)
	addr := opensslServer(t, p, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	code, stdout, stderr := runAt(t, p.At(), "probe", addr, "--cert", p.OtherLeaf, "--key", p.OtherKey)
	if code != exitRejected {
		t.Fatalf("probe = %d, want %d\n%s%s", code, exitRejected, stdout, stderr)
	}
	verdict := stdout[strings.LastIndex(stdout, "verdict:"):]
	if strings.Contains(verdict, "send the intermediate") || !strings.Contains(verdict, "it accepts "+opensslpki.RootDN) ||
		!strings.Contains(verdict, "if not, the certificate comes from a CA this server does not accept") {
		t.Errorf("verdict %q calls the unrelated root the intermediate, or does not say the server accepts another CA", verdict)
	}
}

// TestVerifyOpenSSLMistakes: verify on the usual mistakes with an OpenSSL chain: the
// wrong bundle, and the intermediate pasted first (decided on the leaf, and said).
func TestVerifyOpenSSLMistakes(t *testing.T) {
	p := opensslpki.New(t)
	at := p.At().Format(time.RFC3339)
	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		says   []string
		denies []string
	}{
		{"wrong bundle", []string{"--bundle", p.Other, p.Chain}, exitRejected,
			[]string{"error: the chain ends at certificate 2 (" + opensslpki.IntermediateDN + "), issued by " + opensslpki.RootDN, "(it holds " + opensslpki.OtherDN, "check you picked the right bundle"},
			[]string{"missing_intermediate", "send it after certificate 1 "}},
		{"reversed, with a rule", []string{"--bundle", p.Root, "--rule", `"DNS:client.example.com" in SAN`, p.Reversed}, exitOK,
			[]string{"certificate 2 is the leaf, pasted after its issuer", "error: the leaf is certificate 2 (" + opensslpki.LeafDN + ")", "put certificate 2 first"},
			[]string{"remove it from the chain"}},
		{"in order", []string{"--bundle", p.Root, "--rule", `"DNS:client.example.com" in SAN`, p.Chain}, exitOK,
			[]string{"accepted"}, []string{"error:", "warning:"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runAt(t, p.At(), append([]string{"verify", "--at", at}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("verify = %d, want %d\n%s%s", code, tt.code, stdout, stderr)
			}
			for _, s := range tt.says {
				if !strings.Contains(stdout, s) {
					t.Errorf("verify output does not say %q:\n%s", s, stdout)
				}
			}
			for _, s := range tt.denies {
				if strings.Contains(stdout, s) {
					t.Errorf("verify output says %q:\n%s", s, stdout)
				}
			}
		})
	}
}

// TestProbeQuotesEchoDecision: probe reads the whole answer of a real mtlsplay echo
// (serve with a config, a client whose rule fails: about 12 KB of JSON) and quotes
// its decision code and reason.
func TestProbeQuotesEchoDecision(t *testing.T) {
	dir := t.TempDir()
	pkiDir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "pki"))
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "mtlsplay.yaml")
	cfg := fmt.Sprintf(`tls:
  cert: %[1]s/server-localhost-chain.pem
  key: %[1]s/server-localhost.key
  mode: report
clients:
  - name: partner-rule
    bundles: [%[1]s/root.pem]
    rule: CN == "someone-else.example.com"
`, pkiDir)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	s, _ := startServe(t, serve.Options{ConfigPath: cfgPath, Now: func() time.Time { return pki.TestNow }}, io.Discard, &errb, errb.String)
	code, stdout, stderr := runProbe(t, s.MTLSAddr(), "--path", "/c/partner-rule/", "--json",
		"--cert", probePKI("client-good-chain.pem"), "--key", probePKI("client-good.key"))
	if code != exitRejected {
		t.Fatalf("probe = %d, want %d\n%s%s", code, exitRejected, stdout, stderr)
	}
	var rep probe.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Decision == nil || rep.Decision.Code != 4019 || !strings.Contains(rep.Verdict, "answered 403 with decision 4019 (the certificate failed the rule") {
		t.Errorf("probe --json decision %+v, verdict %q; want 4019 quoted", rep.Decision, rep.Verdict)
	}
}

// TestNearMissText: verify and eval print the near miss of a failed rule with the
// differing characters bracketed, for an OpenSSL certificate.
func TestNearMissText(t *testing.T) {
	p := opensslpki.New(t)
	at := p.At().Format(time.RFC3339)
	for _, args := range [][]string{
		{"verify", "--at", at, "--bundle", p.Root, "--rule", `SAN.include?("Email: ops@example.com")`, p.Chain},
		{"eval", "--at", at, "--rule", `SAN.include?("Email: ops@example.com")`, p.Chain},
	} {
		code, stdout, stderr := runAt(t, p.At(), args...)
		if code != exitRejected {
			t.Fatalf("%s = %d, want %d\n%s%s", args[0], code, exitRejected, stdout, stderr)
		}
		for _, want := range []string{
			`near miss: the closest value the rule sees is SAN entry SAN[1] "Email:ops@example.com": 1 character differs (the rule has an extra " " after "Email:")`,
			"    rule has         Email:[ ]ops@example.com\n",
			"    SAN[1] is        Email:[]ops@example.com\n",
		} {
			if !strings.Contains(stdout, want) {
				t.Errorf("%s output lacks %q:\n%s", args[0], want, stdout)
			}
		}
	}
}

// TestEvalOneLineAnswers: a rule over the cost limit prints its error, not a tree
// of "not evaluated"; an empty --rule is one line, not the flag list.
func TestEvalOneLineAnswers(t *testing.T) {
	cert := probePKI("client-good.pem")
	heavy := `SAN.all(a, SAN.all(b, SAN.all(c, SAN.all(d, a + b + c + d != ""))))`
	code, stdout, stderr := runAt(t, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), "eval", "--rule", heavy, cert)
	if code != exitBadInput || strings.Count(stdout, "\n") != 1 || !strings.Contains(stdout, "cost limit") || strings.Contains(stdout, "not evaluated") {
		t.Errorf("eval over the cost limit = %d, stdout %q, stderr %q; want one line naming the cost limit, exit %d", code, stdout, stderr, exitBadInput)
	}
	for _, rule := range []string{"", "  "} {
		code, stdout, stderr := runAt(t, time.Now(), "eval", "--rule", rule, cert)
		if code != exitBadInput || stdout != "" || stderr != "mtlsplay eval: the rule is empty: give the rule to evaluate, e.g. --rule 'CN == \"client.example.com\"'\n" {
			t.Errorf("eval --rule %q = %d, stdout %q, stderr %q; want one line, exit %d", rule, code, stdout, stderr, exitBadInput)
		}
	}
	// An empty --rule-file is named: the example of --rule is not what its author typed.
	empty := filepath.Join(t.TempDir(), "rule.cel")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := runAt(t, time.Now(), "eval", "--rule-file", empty, cert); code != exitBadInput || stdout != "" || stderr != "mtlsplay eval: "+empty+": the rule is empty: write the rule to evaluate in it, e.g. CN == \"client.example.com\"\n" {
		t.Errorf("eval --rule-file EMPTY = %d, stdout %q, stderr %q; want one line naming the file, exit %d", code, stdout, stderr, exitBadInput)
	}
	if code, _, stderr := runAt(t, time.Now(), "eval", cert); code != exitBadInput || !strings.Contains(stderr, "no rule: give --rule EXPR or --rule-file F") {
		t.Errorf("eval without --rule = %d, %q; want the usage", code, stderr)
	}
}

// TestDaysLeftAgree: inspect's "N days left" and the expires_soon finding of verify
// say the same number for the same certificate at the same time, also a second
// off a whole day.
func TestDaysLeftAgree(t *testing.T) {
	p := opensslpki.New(t)
	data := opensslpki.Read(t, p.Leaf)
	certs, err := engine.ParseChain("leaf.pem", data)
	if err != nil {
		t.Fatal(err)
	}
	notAfter := certs[0].NotAfter
	for _, at := range []time.Time{notAfter.Add(-10 * 24 * time.Hour), notAfter.Add(-10*24*time.Hour + time.Second), notAfter.Add(-10*24*time.Hour - time.Second)} {
		stamp := at.Format(time.RFC3339)
		_, inspect, _ := runAt(t, at, "inspect", "--at", stamp, p.Leaf)
		_, verify, _ := runAt(t, at, "verify", "--at", stamp, "--bundle", p.Root, p.Chain)
		var n1, n2 int
		if i := strings.Index(inspect, "days left)"); i < 0 {
			t.Fatalf("inspect at %s says no days left:\n%s", stamp, inspect)
		} else {
			fmt.Sscanf(inspect[strings.LastIndex(inspect[:i], "(")+1:], "%d", &n1)
		}
		if i := strings.Index(verify, "expires at "); i < 0 {
			t.Fatalf("verify at %s has no expires_soon:\n%s", stamp, verify)
		} else {
			fmt.Sscanf(verify[strings.Index(verify[i:], ", in ")+i+len(", in "):], "%d", &n2)
		}
		if n1 != n2 || n1 == 0 {
			t.Errorf("at %s: inspect says %d days left, verify's finding %d", stamp, n1, n2)
		}
	}
}

// TestProbeReversedChain: probe given a chain with the intermediate first says the
// leaf is certificate 2 and to put it first, not "private key does not match".
func TestProbeReversedChain(t *testing.T) {
	p := opensslpki.New(t)
	code, stdout, stderr := runAt(t, p.At(), "probe", "127.0.0.1:1", "--cert", p.Reversed, "--key", p.LeafKey)
	if code != exitBadInput || !strings.Contains(stderr, "the leaf is certificate 2 ("+opensslpki.LeafDN+"), but certificate 1 ("+opensslpki.IntermediateDN+"), a CA, comes first: put the leaf first") {
		t.Errorf("probe with a reversed chain = %d, stdout %q, stderr %q; want exit %d naming the leaf to put first", code, stdout, stderr, exitBadInput)
	}
	if code, _, stderr := runAt(t, p.At(), "probe", "127.0.0.1:1", "--cert", p.Chain, "--key", p.OtherKey); code != exitBadInput || !strings.Contains(stderr, p.OtherKey+": this private key does not match certificate 1 of "+p.Chain+" ("+opensslpki.LeafDN+"): give --key the key") {
		t.Errorf("probe with the wrong key = %d, %q; want the key mismatch", code, stderr)
	}
}
