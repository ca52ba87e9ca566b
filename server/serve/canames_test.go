package serve

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/server/config"
)

// namedCAs handshakes with the echo at addr as a Go client that trusts rootsPEM
// and presents chain (a key pair, or none), and returns the acceptable CAs of the
// server's CertificateRequest, as DNs.
func namedCAs(t *testing.T, addr string, rootsPEM []byte, chain *tls.Certificate, now func() time.Time) []string {
	t.Helper()
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(rootsPEM)
	var got [][]byte
	requested := false
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, ServerName: "localhost", Time: now,
		GetClientCertificate: func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			requested, got = true, cri.AcceptableCAs
			if chain == nil {
				return &tls.Certificate{}, nil
			}
			return chain, nil
		}})
	if err != nil {
		t.Fatalf("handshake with %s: %v", addr, err)
	}
	conn.Close()
	if !requested {
		t.Fatalf("%s did not ask for a client certificate", addr)
	}
	dns := []string{}
	for _, raw := range got {
		var rdn pkix.RDNSequence
		if rest, err := asn1.Unmarshal(raw, &rdn); err != nil || len(rest) != 0 {
			t.Fatalf("acceptable CA %x is not a DER name: %v", raw, err)
		}
		var n pkix.Name
		n.FillFromRDNSequence(&rdn)
		dns = append(dns, n.String())
	}
	return dns
}

func loadPair(t *testing.T, chain, key string) *tls.Certificate {
	t.Helper()
	c, err := tls.LoadX509KeyPair(chain, key)
	if err != nil {
		t.Fatal(err)
	}
	return &c
}

// caNamesConfig has three clients whose bundles hold Acme Root CA three times,
// Partner Root CA and a leaf (client.example.com), and a case whose own bundle
// (untrusted-root.pem) is not the server's.
func caNamesConfig(mode string, caNames bool) string {
	return fmt.Sprintf(`tls:
  cert: %[1]s/server-localhost-chain.pem
  key: %[1]s/server-localhost.key
  mode: %[2]s
  ca_names: %[3]t
clients:
  - name: a
    bundles: [%[1]s/root.pem]
  - name: b
    bundles: [%[1]s/bundle-duplicate.pem]
  - name: c
    bundles: [%[1]s/bundle-with-leaf.pem, %[1]s/root.pem]
  - name: none
cases:
  - name: the case's own bundle
    bundles: [%[1]s/untrusted-root.pem]
    chain: %[1]s/client-untrusted.pem
    expect: 0
`, testPKIDir, mode, caNames)
}

// TestEchoCANames: with tls.ca_names, the echo's CertificateRequest names exactly
// the subjects of the clients' bundles, each once, in config order (a case's bundle
// is not the server's); without it, none. A client that sends its certificate
// anyway (curl, GetClientCertificate) still gets 4018 for an unknown CA in report
// mode, and fails the handshake as untrusted in strict mode; a client that filters
// by the list (Go's tls.Config.Certificates) sends nothing, hence 4017, or
// no_certificate in strict mode: why the option is off by default (design 7.3).
func TestEchoCANames(t *testing.T) {
	rootPEM, err := os.ReadFile(pkiPath("root.pem"))
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return pki.TestNow }
	good := loadPair(t, pkiPath("client-good-chain.pem"), pkiPath("client-good.key"))
	untrusted := loadPair(t, pkiPath("client-untrusted.pem"), pkiPath("client-untrusted.key"))
	want := []string{"CN=Acme Root CA", "CN=Partner Root CA", "CN=client.example.com"}

	off := startServe(t, Options{ConfigPath: writeConfig(t, caNamesConfig(config.ModeReport, false))})
	if got := namedCAs(t, off.s.MTLSAddr(), rootPEM, good, now); len(got) != 0 {
		t.Errorf("without tls.ca_names the echo names %q; want none", got)
	}

	for _, mode := range []string{config.ModeReport, config.ModeStrict} {
		t.Run(mode, func(t *testing.T) {
			ts := startServe(t, Options{ConfigPath: writeConfig(t, caNamesConfig(mode, true))})
			if got := namedCAs(t, ts.s.MTLSAddr(), rootPEM, good, now); !slices.Equal(got, want) {
				t.Errorf("tls.ca_names: the echo names %q; want %q", got, want)
			}
			base := "https://" + ts.s.MTLSAddr()
			// filtering is a client that picks by the names, as Go's does.
			filtering := func(c *tls.Certificate) *http.Client {
				cfg := clientTLS(t, "", "")
				cfg.Certificates = []tls.Certificate{*c}
				return httpClient(cfg)
			}
			tests := []struct {
				name      string
				client    *http.Client
				code      int    // report mode's decision
				handshake string // strict mode's failure, "" for a decision
			}{
				{"good, filtering client", filtering(good), 0, ""},
				{"unknown CA, sent anyway", httpClient(clientTLS(t, "client-untrusted.pem", "client-untrusted.key")), 4018, "untrusted_certificate"},
				{"unknown CA, filtering client", filtering(untrusted), 4017, "no_certificate"},
			}
			failures := map[string]int{}
			for _, tc := range tests {
				defer tc.client.CloseIdleConnections()
				if mode == config.ModeStrict && tc.handshake != "" {
					resp, err := tc.client.Get(base + "/c/a/")
					if err == nil {
						resp.Body.Close()
						t.Errorf("%s in strict mode: status %d, want a failed handshake (%s)", tc.name, resp.StatusCode, tc.handshake)
					}
					failures[tc.handshake]++
					continue
				}
				if _, er, body := getEcho(t, tc.client, base+"/c/a/", nil); er.Decision.Code != tc.code {
					t.Errorf("%s: code %d (%s); want %d\n%.400s", tc.name, er.Decision.Code, er.Decision.Reason, tc.code, body)
				}
			}
			for reason, n := range failures {
				m := fmt.Sprintf("mtlsplay_handshake_failures_total{reason=%q} %d\n", reason, n)
				waitFor(t, func() bool { return strings.Contains(get(t, "http://"+ts.s.HTTPAddr()+"/metrics"), m) }, m)
			}
		})
	}
}

// TestDemoNamesCAs: the zero-config demo's echo names its root, so a browser sends
// good's issuing CA with it (TestEchoHTMLInBrowser); a demo folder whose config
// predates tls.ca_names names it too.
func TestDemoNamesCAs(t *testing.T) {
	state := t.TempDir()
	dir := filepath.Join(state, "demo")
	want := []string{"CN=mtlsplay Demo Root CA,O=mtlsplay demo"}
	check := func(what string) {
		t.Helper()
		ts := startServe(t, Options{StateDir: state, Now: time.Now})
		defer ts.stop()
		root, err := os.ReadFile(filepath.Join(dir, "ca", "root.pem"))
		if err != nil {
			t.Fatal(err)
		}
		good := loadPair(t, filepath.Join(dir, "clients", "good.pem"), filepath.Join(dir, "clients", "good.key"))
		if got := namedCAs(t, ts.s.MTLSAddr(), root, good, time.Now); !slices.Equal(got, want) {
			t.Errorf("%s: the demo's echo names %q; want %q", what, got, want)
		}
	}
	check("a new demo")
	p := filepath.Join(dir, "config.yaml")
	yaml, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, l := range strings.Split(string(yaml), "\n") {
		if !strings.Contains(l, "ca_names:") {
			kept = append(kept, l)
		}
	}
	if len(kept) == strings.Count(string(yaml), "\n")+1 {
		t.Fatalf("the demo's config.yaml has no ca_names line:\n%s", yaml)
	}
	if err := os.WriteFile(p, []byte(strings.Join(kept, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	check("a demo made before tls.ca_names")

	// A ca_names: false the person wrote into the demo's config is kept.
	off := strings.Replace(string(yaml), "ca_names: true", "ca_names: false", 1)
	if off == string(yaml) {
		t.Fatalf("the demo's config.yaml has no ca_names: true line:\n%s", yaml)
	}
	if err := os.WriteFile(p, []byte(off), 0o600); err != nil {
		t.Fatal(err)
	}
	want = nil
	check("a demo whose config says ca_names: false")
}
