//go:build !inspector

package engine

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/gateway"
	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/rule"
	"github.com/mtlsplay/mtlsplay/internal/rule/ruletypes"
)

func TestCallErrors(t *testing.T) {
	tests := []struct {
		name, op, req string
		wantCode      string
		wantMsg       string
		wantLine      int
		wantColumn    int
	}{
		{"unknown op", "frob", `{}`, CodeUnknownOp, `unknown operation "frob"`, 0, 0},
		{"bad JSON", "decide", `{"rule": `, CodeBadRequest, "not valid JSON", 0, 0},
		{"compile error position", "decide", `{"rule": "CN == \"a\" &&\n  CM == \"b\"", "bundles": [{"name": "r", "pem": ` + string(mustJSON(t, fixture(t, "root.pem"))) + `}]}`, CodeCompileError, "undeclared reference to 'CM'", 2, 3},
		{"non-bool rule", "eval", `{"rule": "CN", "certificates": ` + string(mustJSON(t, fixture(t, "client-good.pem"))) + `}`, CodeCompileError, "bool", 1, 1},
		{"private key", "inspect", `{"certificates": ` + string(mustJSON(t, fixture(t, "client-good.key"))) + `}`, "private_key", "never paste or upload a private key", 0, 0},
		{"private key as bundle", "decide", `{"bundles": [{"name": "k.pem", "pem": ` + string(mustJSON(t, fixture(t, "client-good.key"))) + `}]}`, "private_key", "k.pem: block 1 (line 1)", 0, 0},
		{"bad time", "decide", `{"at": "tomorrow"}`, CodeBadTime, "RFC 3339", 0, 0},
		{"zero time", "decide", `{"at": "0001-01-01"}`, CodeBadTime, `time "0001-01-01" is before 1950`, 0, 0},
		{"time before 1950", "inspect", `{"certificates": "x", "at": "1949-12-31T23:59:59Z"}`, CodeBadTime, "before 1950", 0, 0},
		{"six bundles", "decide", `{"bundles": [{},{},{},{},{},{}]}`, CodeBadRequest, "at most 5", 0, 0},
		{"empty inspect", "inspect", `{"certificates": "  "}`, "no_certificate", "empty", 0, 0},
		{"garbage certificate", "decide", `{"certificates": "hello"}`, "no_certificate", "certificate: no certificate found", 0, 0},
		{"misspelt member", "decide", `{"bundle": [{"name": "r", "pem": ""}]}`, CodeBadRequest, `unknown member "bundle"`, 0, 0},
		{"misspelt member of a bundle", "decide", `{"bundles": [{"nmae": "r"}]}`, CodeBadRequest, `unknown member "nmae"`, 0, 0},
		{"misspelt eval member", "eval", `{"rule": "true", "cert": "x"}`, CodeBadRequest, `unknown member "cert"`, 0, 0},
		{"text after the request", "decide", `{} {}`, CodeBadRequest, "text after the JSON value", 0, 0},
		{"null request", "decide", `null`, CodeBadRequest, "the request is null", 0, 0},
		{"empty decide", "decide", " \n", CodeBadRequest, "the request is empty", 0, 0},
		{"too large", "inspect", `{"certificates": "` + strings.Repeat("A", MaxRequestBytes) + `"}`, CodeBadRequest, "at most", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := errorOf(t, Call(tt.op, []byte(tt.req), testNow))
			if e.Code != tt.wantCode || !strings.Contains(e.Message, tt.wantMsg) || e.Line != tt.wantLine || e.Column != tt.wantColumn {
				t.Errorf("Call(%s) error = %+v; want code %s, message with %q at %d:%d", tt.op, e, tt.wantCode, tt.wantMsg, tt.wantLine, tt.wantColumn)
			}
		})
	}
}

// TestErrorNamesItsInput: a decide error says which input it is about, so a page can
// clear or mark that input without reading the message (bundles may share a name).
func TestErrorNamesItsInput(t *testing.T) {
	root, key := string(mustJSON(t, fixture(t, "root.pem"))), string(mustJSON(t, fixture(t, "client-good.key")))
	tests := []struct {
		name, op, req string
		input         string
		bundle        int
	}{
		{"key as the second bundle", "decide", `{"bundles": [{"name": "x", "pem": ` + root + `}, {"name": "x", "pem": ` + key + `}]}`, "bundle", 2},
		{"key as the certificate", "decide", `{"certificates": ` + key + `, "bundles": [{"name": "r", "pem": ` + root + `}]}`, "certificate", 0},
		{"garbage certificate", "inspect", `{"certificates": "hello"}`, "certificate", 0},
		{"rule", "decide", `{"rule": "CN ==", "bundles": [{"name": "r", "pem": ` + root + `}]}`, "rule", 0},
		{"time", "decide", `{"at": "tomorrow"}`, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := errorOf(t, Call(tt.op, []byte(tt.req), testNow))
			if e.Input != tt.input || e.Bundle != tt.bundle {
				t.Errorf("Call(%s) error = %+v; want input %q, bundle %d", tt.op, e, tt.input, tt.bundle)
			}
		})
	}
}

func TestCallDecide(t *testing.T) {
	req := DecideRequest{
		Certificates: fixture(t, "client-good-chain.pem"),
		Bundles:      []BundleInput{{Name: "dup.pem", PEM: fixture(t, "bundle-duplicate.pem")}},
		Rule:         `SAN.exists(s, s == "URI:spiffe://example.com/ns/prod/sa/client")`,
		At:           pki.TestNowRFC3339,
	}
	var resp struct {
		Code         *int
		Reason       string
		Steps        []struct{ Check string }
		Certificates []struct {
			SANEntries []string `json:"san_entries"`
		}
		Bundles []BundleView
		Rule    struct{ Value bool }
		At      time.Time
	}
	raw := Call("decide", mustJSON(t, req), time.Now)
	if err := json.Unmarshal(raw, &resp); err != nil || resp.Code == nil {
		t.Fatalf("Call(decide) = %s", raw)
	}
	if *resp.Code != 0 || !resp.Rule.Value || len(resp.Steps) != 5 || !resp.At.Equal(pki.TestNow) {
		t.Errorf("Call(decide) = code %d, rule %v, %d steps, at %v; want 0, true, 5, %v", *resp.Code, resp.Rule.Value, len(resp.Steps), resp.At, pki.TestNow)
	}
	if len(resp.Certificates) != 2 || len(resp.Certificates[0].SANEntries) != 6 {
		t.Errorf("Call(decide) certificates = %+v", resp.Certificates)
	}
	if len(resp.Bundles) != 1 || len(resp.Bundles[0].Warnings) != 1 || resp.Bundles[0].Warnings[0].Code != "duplicate" {
		t.Errorf("Call(decide) bundles = %+v, want one duplicate warning", resp.Bundles)
	}

	// No certificate and no bundle: the order of docs/design.md gives 4016, not 4017.
	raw = Call("decide", []byte(`{"certificates": ""}`), testNow)
	if err := json.Unmarshal(raw, &resp); err != nil || *resp.Code != 4016 {
		t.Errorf("Call(decide, nothing) = %s, want 4016", raw)
	}
}

func TestCallCompileAndDeclarations(t *testing.T) {
	var c CompileResponse
	if err := json.Unmarshal(Call("compile", []byte(`{"rule": "SAN.exists(s, s.startsWith(\"DNS:\"))"}`), testNow), &c); err != nil || !c.OK || c.Issues == nil {
		t.Errorf("compile(valid) = %+v, %v", c, err)
	}
	if err := json.Unmarshal(Call("compile", []byte(`{"rule": "cert.subjct.cn == \"x\""}`), testNow), &c); err != nil || c.OK || len(c.Issues) == 0 || c.Issues[0].Column == 0 {
		t.Errorf("compile(typo) = %+v, %v", c, err)
	}
	var decls []map[string]any
	if err := json.Unmarshal(Call("declarations", nil, testNow), &decls); err != nil || len(decls) < 20 {
		t.Fatalf("declarations = %d entries, %v", len(decls), err)
	}
	names := map[string]bool{}
	for _, d := range decls {
		if n, ok := d["name"].(string); ok && d["kind"] == "variable" {
			names[n] = true
		}
		paths, _ := d["paths"].([]any)
		for _, p := range paths {
			names[p.(string)] = true
		}
	}
	for _, want := range []string{"CN", "SAN", "DN", "cert", "chain", "now", "tls", "cert.subject.dn", "cert.san.dns", "cert.public_key.bits"} {
		if !names[want] {
			t.Errorf("declarations lack %s", want)
		}
	}
}

func TestCallEval(t *testing.T) {
	var r EvalResponse
	raw := Call("eval", mustJSON(t, EvalRequest{Rule: "cert.not_after < now", Certificates: fixture(t, "client-expired.pem"), At: pki.TestNowRFC3339}), time.Now)
	if err := json.Unmarshal(raw, &r); err != nil || !r.Value || len(r.Rule.Nodes) == 0 {
		t.Errorf("eval(expired) = %s", raw)
	}
}

// TestDecideAtWholeSeconds: the engine decides at whole seconds, as the server does
// (server TestDecisionMemo), so the page, the CLI and the echo agree on a
// certificate's last second: notAfter's own second is valid, the next is not.
func TestDecideAtWholeSeconds(t *testing.T) {
	for _, tc := range []struct {
		at       string
		code     int
		expiring bool // the expired finding is there
	}{
		{"2028-01-01T00:00:00.5Z", 0, false}, // client-good.pem's notAfter is 2028-01-01T00:00:00Z
		{"2028-01-01T00:00:01Z", 4018, true},
	} {
		req := DecideRequest{Certificates: fixture(t, "client-good-chain.pem"), Bundles: []BundleInput{{Name: "root.pem", PEM: fixture(t, "root.pem")}}, At: tc.at}
		var resp struct {
			Code     int
			At       time.Time
			Findings []struct{ ID string }
		}
		raw := Call("decide", mustJSON(t, req), testNow)
		if err := json.Unmarshal(raw, &resp); err != nil {
			t.Fatalf("Call(decide) = %s", raw)
		}
		expired := false
		for _, f := range resp.Findings {
			expired = expired || f.ID == "expired"
		}
		if resp.Code != tc.code || expired != tc.expiring || resp.At.Nanosecond() != 0 {
			t.Errorf("at %s: code %d, expired finding %v, at %v; want %d, %v, whole seconds", tc.at, resp.Code, expired, resp.At, tc.code, tc.expiring)
		}
	}
}

// TestMaxRequestFitsLargestInput: a decide request with every input at its own limit
// (the chain and policy.MaxBundles bundles of certinput.MaxBytes of PEM with CRLF
// line ends, a rule of rule.MaxSourceBytes that JSON escapes at 6 bytes a
// character) is within MaxRequestBytes, so the request limit never refuses what
// the input limits accept.
func TestMaxRequestFitsLargestInput(t *testing.T) {
	crlf := strings.ReplaceAll(fixture(t, "root.pem"), "\n", "\r\n")
	input := strings.Repeat(crlf, certinput.MaxBytes/len(crlf))
	req := DecideRequest{
		Certificates: input,
		Source:       "client-chain-from-the-partner.pem",
		Rule:         strings.Repeat("&", rule.MaxSourceBytes),
		Dialect:      "workato",
		At:           "2026-06-01T00:00:00Z",
		Client:       "partner-with-a-long-name-0123456789",
		TLS:          ruletypes.TLS{Version: "TLS 1.2", CipherSuite: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", ServerName: strings.Repeat("x", 253), ALPN: "http/1.1"},
	}
	for i := range policy.MaxBundles {
		req.Bundles = append(req.Bundles, BundleInput{Name: fmt.Sprintf("corporate-roots-%d.pem", i), PEM: input})
	}
	b := mustJSON(t, req)
	if len(b) > MaxRequestBytes {
		t.Errorf("a decide request with every input at its limit is %d bytes; MaxRequestBytes is %d", len(b), MaxRequestBytes)
	}
	t.Logf("largest legitimate request %d bytes, MaxRequestBytes %d", len(b), MaxRequestBytes)
}

// TestCallRead: a file's bytes come back as the PEM of its certificates; a private
// key in DER (as a file holds it) or a PKCS#12 file is the private_key error, and
// nothing of it is in the answer.
func TestCallRead(t *testing.T) {
	block, _ := pem.Decode([]byte(fixture(t, "client-good-chain.pem")))
	der := block.Bytes
	key, _ := pem.Decode([]byte(fixture(t, "client-good.key")))
	resp := Call("read", mustJSON(t, ReadRequest{Data: der, Source: "client.der"}), testNow)
	var got ReadResponse
	if err := json.Unmarshal(resp, &got); err != nil || got.PEM != string(pem.EncodeToMemory(block)) {
		t.Errorf("read(DER certificate) = %s, want its PEM", resp)
	}
	pfx := []byte{0x30, 0x80, 0x02, 0x01, 0x03, 0x30, 0x80, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01, 0xA0, 0x80}
	for name, tc := range map[string]struct {
		data      []byte
		code, msg string
	}{
		"DER key":   {key.Bytes, "private_key", "client.key: DER: this is a private key"},
		"PKCS#12":   {pfx, "private_key", "openssl pkcs12 -in FILE -nokeys"},
		"empty":     {nil, "no_certificate", "no certificate"},
		"too large": {make([]byte, 2<<20), "too_large", "at most 1.0 MiB"},
	} {
		resp := Call("read", mustJSON(t, ReadRequest{Data: tc.data, Source: "client.key"}), testNow)
		e := errorOf(t, resp)
		if e.Code != tc.code || !strings.Contains(e.Message, tc.msg) || strings.Contains(string(resp), "PRIVATE") {
			t.Errorf("read(%s) = %s, want an error containing %q", name, resp, tc.msg)
		}
	}
}

// TestGatewayViews: inspect and decide with "gateway" answer each certificate as that
// gateway shows it (5.7's shape), every gateway for "all", nothing without it.
func TestGatewayViews(t *testing.T) {
	from := pki.TestNow.Add(-time.Hour)
	cert, err := pki.SelfSign(pki.Spec{RawSubject: pki.MustName(pki.RDN{pki.Attr("O", "Zoë GmbH")}), NotBefore: from, NotAfter: from.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	certs := string(mustJSON(t, string(cert.CertPEM())))
	type view struct {
		Name   string `json:"name"`
		Values []struct {
			Name, Value, Source string
			ValueBase64         string `json:"value_base64"`
		} `json:"values"`
		CannotSee []string `json:"cannot_see"`
	}
	type resp struct {
		Gateways *[][]view `json:"gateways"`
	}
	valueOf := func(v view, name string) string {
		for _, x := range v.Values {
			if x.Name == name {
				return x.Value
			}
		}
		return "(absent)"
	}
	for _, op := range []string{"inspect", "decide"} {
		t.Run(op, func(t *testing.T) {
			var r resp
			out := Call(op, []byte(`{"certificates": `+certs+`, "gateway": "nginx"}`), testNow)
			if err := json.Unmarshal(out, &r); err != nil || r.Gateways == nil || len(*r.Gateways) != 1 || len((*r.Gateways)[0]) != 1 {
				t.Fatalf("Call(%s, nginx) = %s; want one view of one certificate", op, out)
			}
			v := (*r.Gateways)[0][0]
			if got, want := valueOf(v, "$ssl_client_s_dn"), `O=Zo\C3\AB GmbH`; v.Name != "nginx" || got != want {
				t.Errorf("Call(%s, nginx): %s $ssl_client_s_dn = %q, want %q", op, v.Name, got, want)
			}
			r = resp{}
			out = Call(op, []byte(`{"certificates": `+certs+`, "gateway": "all"}`), testNow)
			if err := json.Unmarshal(out, &r); err != nil || r.Gateways == nil || len(*r.Gateways) != 1 {
				t.Fatalf("Call(%s, all) = %s", op, out)
			}
			var names []string
			for _, v := range (*r.Gateways)[0] {
				names = append(names, v.Name)
			}
			if got, want := strings.Join(names, ","), strings.Join(gateway.Names(), ","); got != want {
				t.Errorf("Call(%s, all) gateways = %s, want %s", op, got, want)
			}
			r = resp{}
			out = Call(op, []byte(`{"certificates": `+certs+`}`), testNow)
			if err := json.Unmarshal(out, &r); err != nil || r.Gateways != nil {
				t.Errorf("Call(%s) without gateway = %s; want no gateways member", op, out)
			}
			e := errorOf(t, Call(op, []byte(`{"certificates": `+certs+`, "gateway": "iis"}`), testNow))
			if e.Code != CodeBadRequest || !strings.Contains(e.Message, `unknown gateway "iis"`) || !strings.Contains(e.Message, "nginx") {
				t.Errorf("Call(%s, iis) = %+v; want bad_request naming the known gateways", op, e)
			}
		})
	}
}

// TestGatewayTrust: decide with "gateway" answers the named gateway's trust
// verdict beside Go's: with a bundle holding only the intermediate, Go accepts
// and nginx and HAProxy (OpenSSL, no partial chains) refuse; every modelled
// gateway for "all"; an empty list for a gateway without a trust model or when
// no chain was verified; nothing without "gateway".
func TestGatewayTrust(t *testing.T) {
	chain := string(mustJSON(t, fixture(t, "client-good-chain.pem")))
	bundle := func(name string) string {
		return `[{"name": "` + name + `", "pem": ` + string(mustJSON(t, fixture(t, name))) + `}]`
	}
	type verdict struct {
		Name      string `json:"name"`
		OK        bool   `json:"ok"`
		Differs   bool   `json:"differs"`
		Behaviour string `json:"behaviour"`
		Error     string `json:"error"`
		Reason    string `json:"reason"`
		Option    string `json:"option"`
	}
	type resp struct {
		Code  *int       `json:"code"`
		Trust *[]verdict `json:"gateway_trust"`
	}
	decide := func(gw, bundles string) resp {
		t.Helper()
		req := `{"certificates": ` + chain + `, "bundles": ` + bundles + `, "at": "2026-06-01T00:00:00Z"`
		if gw != "" {
			req += `, "gateway": "` + gw + `"`
		}
		out := Call("decide", []byte(req+`}`), testNow)
		var r resp
		if err := json.Unmarshal(out, &r); err != nil || r.Code == nil {
			t.Fatalf("Call(decide, %s, %s) = %s", gw, bundles, out)
		}
		return r
	}
	summary := func(vs []verdict) string {
		var s []string
		for _, v := range vs {
			s = append(s, fmt.Sprintf("%s ok=%v differs=%v %s", v.Name, v.OK, v.Differs, v.Behaviour))
		}
		return strings.Join(s, "; ")
	}
	tests := []struct {
		name, gateway, bundles string
		code                   int
		want                   string // summary of gateway_trust; "absent" when there is none
	}{
		{"intermediate only, nginx", "nginx", bundle("intermediate.pem"), 0, "nginx ok=false differs=true partial_chain"},
		{"intermediate only, all", "all", bundle("intermediate.pem"), 0,
			"workato ok=true differs=false ; nginx ok=false differs=true partial_chain; haproxy ok=false differs=true partial_chain; caddy ok=true differs=false "},
		{"root, nginx", "nginx", bundle("root.pem"), 0, "nginx ok=true differs=false "},
		{"no trust model", "envoy", bundle("intermediate.pem"), 0, ""},
		{"no bundle", "nginx", `[]`, policy.NoTruststore, ""},
		{"no gateway", "", bundle("intermediate.pem"), 0, "absent"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := decide(tc.gateway, tc.bundles)
			got := "absent"
			if r.Trust != nil {
				got = summary(*r.Trust)
			}
			if *r.Code != tc.code || got != tc.want {
				t.Errorf("Call(decide, %s) = code %d, gateway_trust %q; want %d, %q", tc.gateway, *r.Code, got, tc.code, tc.want)
			}
			if r.Trust == nil {
				return
			}
			for _, v := range *r.Trust {
				if v.Differs && (v.Error == "" || !strings.Contains(v.Reason, "self-signed") || v.Option == "") {
					t.Errorf("Call(decide, %s): %s's refusal = %+v, want OpenSSL's error, why and what to change", tc.gateway, v.Name, v)
				}
			}
		})
	}
}
