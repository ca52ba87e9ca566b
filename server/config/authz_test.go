package config

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// TestAuthzConfig: the authz section's defaults, its pins per source (most specific
// first), and one clear line for each mistake.
func TestAuthzConfig(t *testing.T) {
	dir := configDir(t)
	load := func(t *testing.T, body string) (*Config, error) {
		t.Helper()
		p := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(p, []byte(configTLS+body), 0o600); err != nil {
			t.Fatal(err)
		}
		return Load(p, pki.TestNow)
	}
	addr := netip.MustParseAddr

	cfg, err := load(t, "")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AuthzAddr != "" || cfg.Authz.Header != "" || !cfg.Authz.Trusted(addr("127.0.0.9")) || !cfg.Authz.Trusted(addr("::1")) ||
		!cfg.Authz.Trusted(addr("::ffff:127.0.0.1")) || cfg.Authz.Trusted(addr("192.0.2.1")) {
		t.Errorf("defaults: addr %q, header %q, trusted %v", cfg.AuthzAddr, cfg.Authz.Header, cfg.Authz.TrustedProxies)
	}

	cfg, err = load(t, `listen: {authz: 127.0.0.1:9000}
authz:
  trusted_proxies: [127.0.0.2/32, 10.0.0.0/8, 192.0.2.7]
  header: X-SSL-Client-Cert
  proxies:
    - {from: 10.0.0.0/8, header: client-cert}
    - {from: 10.1.2.3, header: x-forwarded-client-cert}
`)
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Authz
	if cfg.AuthzAddr != "127.0.0.1:9000" || a.Trusted(addr("127.0.0.1")) || !a.Trusted(addr("127.0.0.2")) || !a.Trusted(addr("192.0.2.7")) || !a.Trusted(addr("10.9.9.9")) {
		t.Errorf("trusted: %v", a.TrustedProxies)
	}
	for ip, want := range map[string]string{"127.0.0.2": "x-ssl-client-cert", "10.9.9.9": "client-cert", "10.1.2.3": "x-forwarded-client-cert"} {
		if got := a.HeaderFor(addr(ip)); got != want {
			t.Errorf("HeaderFor(%s) = %q, want %q", ip, got, want)
		}
	}

	for _, c := range []struct{ name, body, want string }{
		{"bad cidr", "authz: {trusted_proxies: [10.0.0.0/33]}", `c.yaml: authz.trusted_proxies "10.0.0.0/33" is not a CIDR`},
		{"host bits", "authz: {trusted_proxies: [10.0.0.1/8]}", `has host bits set; write 10.0.0.0/8`},
		{"empty list", "authz: {trusted_proxies: []}", "authz.trusted_proxies is empty"},
		{"unknown header", "authz: {header: x-client-cert}", `authz.header "x-client-cert" is not a header that carries a client certificate (use one of x-ssl-client-cert,`},
		{"companion header", "authz: {header: client-cert-chain}", `is not a header that carries`},
		{"proxy not trusted", "authz: {proxies: [{from: 10.0.0.1, header: client-cert}]}", "authz.proxies[1].from 10.0.0.1 is not in authz.trusted_proxies"},
		{"proxy without header", "authz: {proxies: [{from: 127.0.0.2}]}", "authz.proxies[1].header is required"},
		{"unknown field", "authz: {trusted: [127.0.0.1]}", `unknown field "trusted" (known here: trusted_proxies, header, proxies)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := load(t, c.body)
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Load = %v, want one line with %q", err, c.want)
			}
		})
	}
}

// TestAuthzTrustsEveryone: a trusted_proxies prefix that holds every address
// (0.0.0.0/0, ::/0) is allowed, and a warning: it trusts whoever writes the header.
func TestAuthzTrustsEveryone(t *testing.T) {
	dir := configDir(t)
	for body, want := range map[string]int{
		"authz: {trusted_proxies: [0.0.0.0/0, \"::/0\"]}\n": 2,
		"authz: {trusted_proxies: [10.0.0.0/8, \"::1\"]}\n": 0,
	} {
		p := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(p, []byte(configTLS+body), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := Load(p, pki.TestNow)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, w := range cfg.Warnings {
			if strings.Contains(w, "trusts every address") && strings.HasPrefix(w, p+": authz.trusted_proxies ") {
				n++
			}
		}
		if n != want {
			t.Errorf("%s: %d warnings about trusting every address, want %d: %q", body, n, want, cfg.Warnings)
		}
	}
}
