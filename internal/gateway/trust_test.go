package gateway_test

import (
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/gateway"
	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

// TestTrust pins gateway.Trust on trustCases at the test clock: the behaviour
// each gateway has where its verdict differs from Go's ("" where it agrees),
// as TestTrustLive measured it.
func TestTrust(t *testing.T) {
	now := pki.TestNow
	want := map[string][3]string{ // case: nginx, haproxy, caddy
		"root in bundle":                                   {"", "", ""},
		"intermediate only in bundle":                      {"partial_chain", "partial_chain", ""},
		"intermediate only in bundle, not sent":            {"partial_chain", "partial_chain", ""},
		"leaf only in bundle":                              {"leaf_in_bundle", "leaf_in_bundle", ""},
		"two intermediates":                                {"verify_depth", "", ""},
		"two intermediates, ssl_verify_depth 2":            {"verify_depth", "", ""}, // the model follows nginx's defaults
		"expired intermediate in bundle, renewed one sent": {"expired_bundle_issuer", "expired_bundle_issuer", ""},
		"expired root in bundle, cross path sent":          {"expired_bundle_issuer", "expired_bundle_issuer", ""},
		"leaf without clientAuth":                          {"", "", ""},
		"leaf with anyExtendedKeyUsage only":               {"any_eku", "any_eku", ""},
		"leaf key usage keyEncipherment only":              {"key_usage", "key_usage", ""},
		"intermediate restricted to serverAuth":            {"", "", ""},
		"CA certificate as client certificate":             {"key_usage", "key_usage", ""},
		"critical unknown extension":                       {"", "", ""},
		"critical SAN with only a UPN":                     {"critical_extension", "critical_extension", ""},
		"critical subjectKeyIdentifier":                    {"", "", ""}, // crypto/x509 cannot parse it; OpenSSL refuses it too
		"self-signed leaf in bundle":                       {"", "", ""},
		"intermediate with critical inhibitAnyPolicy":      {"", "", "go_version"},
		"RSA 1024 leaf":                                    {"weak_key", "weak_key", ""},
		"RSA 1024 leaf, SECLEVEL=1":                        {"weak_key", "weak_key", ""}, // the model follows the defaults
	}
	cases := trustCases(t, now)
	if len(cases) != len(want) {
		t.Fatalf("%d cases, %d expectations", len(cases), len(want))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			presented := make([]*certinfo.Certificate, len(c.chain))
			for i, x := range c.chain {
				var err error
				if presented[i], err = certinfo.Parse(x.DER); err != nil {
					t.Fatal(err)
				}
			}
			b, err := trust.ParseBundle("ca.pem", pki.ChainPEM(c.bundle...), now)
			if err != nil {
				t.Fatal(err)
			}
			bundles := []*trust.Bundle{b}
			goRes := trust.Verify(presented, bundles, now)
			for i, name := range []string{"nginx", "haproxy", "caddy"} {
				v, ok := gateway.Trust(name, presented, bundles, goRes, now)
				if !ok {
					t.Fatalf("Trust(%s) has no model", name)
				}
				w := want[c.name][i]
				if v.Behaviour != w || v.Differs != (w != "") || v.OK != (goRes.OK != v.Differs) {
					t.Errorf("Trust(%s) = %+v, want behaviour %q (Go ok %v)", name, v, w, goRes.OK)
				}
				if v.Differs && !v.OK && !strings.Contains(v.Error, ":") {
					t.Errorf("Trust(%s) = %+v: a refusal needs OpenSSL's error", name, v)
				}
				if v.Differs && (v.Reason == "" || v.Option == "" || v.Source != gateway.Tested) {
					t.Errorf("Trust(%s) = %+v: a difference needs a reason, an option and its source", name, v)
				}
			}
		})
	}
	if _, ok := gateway.Trust("envoy", nil, nil, trust.Result{}, now); ok {
		t.Error("Trust(envoy) has a model; TrustModels does not list it")
	}
}
