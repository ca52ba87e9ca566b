package cli

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

func fixture(name string) string { return filepath.Join("..", "..", "testdata", "pki", name) }

// TestInspectGateway: --gateway adds the gateway's view after each certificate's
// fields, in text and in JSON; an unknown name is a usage error.
func TestInspectGateway(t *testing.T) {
	at := pki.TestNowRFC3339
	code, out, errs := runCLI(t, "", "inspect", "--at", at, "--gateway", "nginx", fixture("dn-multivalued.pem"))
	if code != 0 || !strings.Contains(out, "    $ssl_client_s_dn          OU=a+CN=b,O=Acme\\, Inc.,C=US\n") ||
		!strings.Contains(out, "  SHA-256 ") || !strings.Contains(out, "cannot see: subjectAltName") {
		t.Errorf("inspect --gateway nginx = %d\n%s%s", code, out, errs)
	}

	// Control characters in a raw value are escaped for the terminal, as everywhere.
	_, out, _ = runCLI(t, "", "inspect", "--at", at, "--gateway", "haproxy", fixture("dn-control.pem"))
	if !strings.Contains(out, `ssl_c_s_dn              /C=US/O=Acme/OU=line\0Afeed/OU=del\7Fchar/CN=nul\00byte`) {
		t.Errorf("inspect --gateway haproxy dn-control.pem:\n%s", out)
	}

	_, out, _ = runCLI(t, "", "inspect", "--at", at, "--gateway", "all", fixture("dn-bmpstring.pem"))
	for _, want := range []string{`\n  gateways\n    GATEWAY +VARIABLE +VALUE\n`, `\n    workato +CN +Zoë Ångström  \(documented\)\n`,
		`\n    nginx +\$ssl_client_s_dn +CN=Zo\\C3\\AB `, `\n    haproxy +ssl_c_s_dn +/C=US/O=\\x00G`, `\n +ssl_c_s_dn\(CN\) +\\x00Z\\x00o\\x00\\xEB`,
		`\n    caddy +\{http\.request\.tls\.client\.subject\} +CN=Zoë Ångström,O=Grüße GmbH,C=US\n`, `\n    cloudflare  cf\.tls_client_auth\.cert_subject_dn `} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("inspect --gateway all lacks %s:\n%s", want, out)
		}
	}

	code, _, errs = runCLI(t, "", "inspect", "--gateway", "apache", fixture("client-good.pem"))
	if code != exitBadInput || !strings.Contains(errs, `unknown gateway "apache" (known: workato, nginx, haproxy, caddy, envoy, traefik, cloudflare, aws-apigw, aws-alb, azure-apim, all)`) {
		t.Errorf("inspect --gateway apache = %d, %q", code, errs)
	}
}

func TestInspectGatewayJSON(t *testing.T) {
	type value struct {
		Name        string  `json:"name"`
		Value       *string `json:"value"`
		ValueBase64 *string `json:"value_base64"`
		Source      string  `json:"source"`
		Version     string  `json:"version"`
	}
	type view struct {
		Name      string   `json:"name"`
		Values    []value  `json:"values"`
		CannotSee []string `json:"cannot_see"`
		Notes     []string `json:"notes"`
	}
	decode := func(out string, g any) {
		t.Helper()
		var doc struct {
			Files []struct {
				Certificates []map[string]json.RawMessage `json:"certificates"`
			} `json:"files"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		raw, ok := doc.Files[0].Certificates[0]["gateway"]
		if !ok {
			t.Fatalf("no gateway member:\n%s", out)
		}
		if err := json.Unmarshal(raw, g); err != nil {
			t.Fatal(err)
		}
	}

	_, out, _ := runCLI(t, "", "inspect", "--json", "--gateway", "haproxy", fixture("dn-bmpstring.pem"))
	var one view
	decode(out, &one)
	byName := map[string]value{}
	for _, v := range one.Values {
		byName[v.Name] = v
	}
	cn := byName["ssl_c_s_dn(CN)"]
	if one.Name != "haproxy" || cn.Value != nil || cn.ValueBase64 == nil || *cn.ValueBase64 != "AFoAbwDrACAAxQBuAGcAcwB0AHIA9gBt" ||
		cn.Source != "tested" || cn.Version == "" || len(one.CannotSee) == 0 || len(one.Notes) == 0 {
		t.Errorf("haproxy view = %+v", one)
	}
	if v := byName["ssl_c_s_dn(,0,rfc2253)"]; v.Value == nil || *v.Value != `CN=Zo\C3\AB \C3\85ngstr\C3\B6m,O=Gr\C3\BC\C3\9Fe GmbH,C=US` {
		t.Errorf("ssl_c_s_dn(,0,rfc2253) = %+v", v)
	}

	// A documented profile: API Gateway's clientCert object, names in DER order.
	_, out, _ = runCLI(t, "", "inspect", "--json", "--gateway", "aws-apigw", fixture("dn-multivalued.pem"))
	var apigw view
	decode(out, &apigw)
	byName = map[string]value{}
	for _, v := range apigw.Values {
		byName[v.Name] = v
	}
	if v := byName["requestContext.identity.clientCert.subjectDN"]; apigw.Name != "aws-apigw" || v.Value == nil ||
		*v.Value != `C=US,O=Acme\, Inc.,CN=b+OU=a` || v.Source != "documented" || len(apigw.Notes) == 0 {
		t.Errorf("aws-apigw view = %+v", apigw)
	}

	_, out, _ = runCLI(t, "", "inspect", "--json", "--gateway", "all", fixture("client-good.pem"))
	var all []view
	decode(out, &all)
	var names []string
	for _, v := range all {
		names = append(names, v.Name)
	}
	if strings.Join(names, ",") != "workato,nginx,haproxy,caddy,envoy,traefik,cloudflare,aws-apigw,aws-alb,azure-apim" {
		t.Errorf("--gateway all names = %v", names)
	}

	_, out, _ = runCLI(t, "", "inspect", "--json", fixture("client-good.pem"))
	if strings.Contains(out, `"gateway"`) {
		t.Errorf("inspect --json without --gateway has a gateway member")
	}
}

// TestVerifyGateway: --gateway adds one line (text) or a "gateway" member
// (JSON) with the gateway's own trust verdict; the decision and the exit status
// stay mtlsplay's.
func TestVerifyGateway(t *testing.T) {
	at := pki.TestNowRFC3339
	code, out, errs := runCLI(t, "", "verify", "--at", at, "--bundle", fixture("intermediate.pem"), "--gateway", "nginx", fixture("client-good-chain.pem"))
	_, plain, _ := runCLI(t, "", "verify", "--at", at, "--bundle", fixture("intermediate.pem"), fixture("client-good-chain.pem"))
	if code != 0 || !strings.HasPrefix(out, plain) ||
		!strings.Contains(out[len(plain):], "gateway nginx: refuses the chain, unlike crypto/x509 (partial_chain, tested nginx 1.22.1") ||
		!strings.Contains(out, "(Debian 12)): error 2:unable to get issuer certificate: the bundle holds CN=Acme Issuing CA but not") ||
		!strings.Contains(out, "put the root CA of the chain in ssl_client_certificate") || strings.Count(out[len(plain):], "\n") != 1 {
		t.Errorf("verify --gateway nginx (intermediate bundle) = %d\n%s%s", code, out, errs)
	}

	code, out, _ = runCLI(t, "", "verify", "--at", at, "--bundle", fixture("root.pem"), "--gateway", "caddy", fixture("client-good-chain.pem"))
	if code != 0 || !strings.HasSuffix(out, "gateway caddy: accepts the chain, as crypto/x509 does (Caddy 2.6.2 built with Go 1.19.8 (Debian 12))\n") {
		t.Errorf("verify --gateway caddy = %d\n%s", code, out)
	}

	// Go refuses a critical subjectAltName holding only a UPN; OpenSSL handles it.
	code, out, _ = runCLI(t, "", "verify", "--json", "--at", at, "--bundle", fixture("root.pem"), "--gateway", "haproxy", fixture("client-san-critical-upn-chain.pem"))
	var got struct {
		Code    int            `json:"code"`
		Gateway map[string]any `json:"gateway"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("verify --json --gateway: %v\n%s", err, out)
	}
	if code != exitRejected || got.Code != 4018 || got.Gateway["name"] != "haproxy" || got.Gateway["ok"] != true || got.Gateway["differs"] != true ||
		got.Gateway["behaviour"] != "critical_extension" || got.Gateway["source"] != "tested" {
		t.Errorf("verify --json --gateway haproxy (critical UPN SAN) = %d, %+v", code, got)
	}
	if i := strings.Index(out, `"gateway"`); i < strings.Index(out, `"findings"`) {
		t.Errorf(`verify --json --gateway: "gateway" is not the last member:\n%s`, out)
	}

	code, _, errs = runCLI(t, "", "verify", "--bundle", fixture("root.pem"), "--gateway", "envoy", fixture("client-good-chain.pem"))
	if code != exitBadInput || !strings.Contains(errs, `no trust model for gateway "envoy" (known: workato, nginx, haproxy, caddy)`) {
		t.Errorf("verify --gateway envoy = %d, %q", code, errs)
	}
}
