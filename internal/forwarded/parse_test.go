package forwarded_test

import (
	"encoding/pem"
	"strconv"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/forwarded"
	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// ders returns the certificates of h as DER, decoding its PEM texts, leaf first.
func ders(t *testing.T, h *forwarded.Header) [][]byte {
	t.Helper()
	var out [][]byte
	for i, c := range h.Certs {
		if c.PEM == nil {
			out = append(out, c.DER)
			continue
		}
		rest := c.PEM
		for n := 0; ; n++ {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if c.Repeats && n == 0 && i > 0 {
				continue
			}
			out = append(out, b.Bytes)
		}
	}
	return out
}

func TestParse(t *testing.T) {
	p := newPKI(t)
	leafPEM, chainPEM := p.leaf.CertPEM(), pki.ChainPEM(p.leaf, p.inter)
	subject := `O=Acme\, Inc\; Labs,CN=client`
	tests := []struct {
		name   string
		in     string
		format forwarded.Format
		header string
		want   []*pki.Cert
		fields []forwarded.Field
		notes  int
	}{
		{
			name:   "xfcc: Envoy's SANITIZE_SET with every detail, the subject quoted with a comma and a semicolon",
			in:     `x-forwarded-client-cert: By=spiffe://example.com/envoy;Hash=abc123;Cert="` + escapeAll(leafPEM) + `";Subject="` + subject + `";URI=spiffe://example.com/client;DNS=client.example.com`,
			format: forwarded.XFCC, header: "x-forwarded-client-cert",
			want: []*pki.Cert{p.leaf},
			fields: []forwarded.Field{{"By", "spiffe://example.com/envoy"}, {"Hash", "abc123"}, {"Subject", subject},
				{"URI", "spiffe://example.com/client"}, {"DNS", "client.example.com"}},
		},
		{
			name:   "xfcc: a quoted value holding an escaped double quote, commas and semicolons",
			in:     `X-Forwarded-Client-Cert: Subject="CN=a \"b\", c; d";Cert="` + escapeAll(leafPEM) + `"`,
			format: forwarded.XFCC, header: "X-Forwarded-Client-Cert",
			want:   []*pki.Cert{p.leaf},
			fields: []forwarded.Field{{"Subject", `CN=a "b", c; d`}},
		},
		{
			name:   "xfcc: two hops, the first element (the client) read",
			in:     `x-forwarded-client-cert: Hash=1;Cert="` + escapeAll(leafPEM) + `",By=spiffe://b;Hash=2;Cert="` + escapeAll(p.other.CertPEM()) + `"`,
			format: forwarded.XFCC, header: "x-forwarded-client-cert",
			want: []*pki.Cert{p.leaf}, fields: []forwarded.Field{{"Hash", "1"}}, notes: 1,
		},
		{
			name:   "xfcc: Envoy's own escaping, Cert and Chain",
			in:     `x-forwarded-client-cert: Hash=1;Cert="` + escapeEnvoy(leafPEM) + `";Chain="` + escapeEnvoy(chainPEM) + `";Subject="CN=client"`,
			format: forwarded.XFCC, header: "x-forwarded-client-cert",
			want: []*pki.Cert{p.leaf, p.inter},
		},
		{
			name:   "xfcc: Chain without Cert",
			in:     `Chain="` + escapeAll(chainPEM) + `";Hash=h`,
			format: forwarded.XFCC,
			want:   []*pki.Cert{p.leaf, p.inter}, fields: []forwarded.Field{{"Hash", "h"}},
		},
		{
			name:   "xfcc: Cert and Chain, the leaf read once",
			in:     `x-forwarded-client-cert: Cert="` + escapeAll(leafPEM) + `";Chain="` + escapeAll(chainPEM) + `"`,
			format: forwarded.XFCC, header: "x-forwarded-client-cert",
			want: []*pki.Cert{p.leaf, p.inter},
		},
		{
			name:   "rfc 9440: Client-Cert and a Client-Cert-Chain of two",
			in:     "Client-Cert: " + sf(p.leaf.DER) + "\r\nClient-Cert-Chain: " + sf(p.inter.DER) + ", " + sf(p.root.DER) + "\r\n",
			format: forwarded.ClientCert, header: "Client-Cert",
			want: []*pki.Cert{p.leaf, p.inter, p.root},
		},
		{
			name:   "rfc 9440: the chain split over two lines, padding left out",
			in:     "client-cert-chain: " + strings.TrimRight(sf(p.inter.DER), ":=") + ":\nclient-cert: " + sf(p.leaf.DER) + "\nclient-cert-chain: " + sf(p.root.DER),
			format: forwarded.ClientCert, header: "client-cert",
			want: []*pki.Cert{p.leaf, p.inter, p.root},
		},
		{
			name:   "rfc 9440: a bare list, leaf first",
			in:     sf(p.leaf.DER) + ", " + sf(p.inter.DER),
			format: forwarded.ClientCert,
			want:   []*pki.Cert{p.leaf, p.inter},
		},
		{
			name:   "nginx: $ssl_client_escaped_cert under the name a recipe chose",
			in:     "X-Client-Certificate: " + escapeAll(leafPEM),
			format: forwarded.EscapedPEM, header: "X-Client-Certificate",
			want: []*pki.Cert{p.leaf},
		},
		{
			name:   "nginx: the value alone",
			in:     escapeAll(leafPEM),
			format: forwarded.EscapedPEM,
			want:   []*pki.Cert{p.leaf},
		},
		{
			name:   "ingress-nginx: ssl-client-cert and its subject",
			in:     "ssl-client-verify: SUCCESS\nssl-client-subject-dn: CN=client\nssl-client-cert: " + escapeAll(leafPEM),
			format: forwarded.EscapedPEM, header: "ssl-client-cert",
			want:   []*pki.Cert{p.leaf},
			fields: []forwarded.Field{{"ssl-client-verify", "SUCCESS"}, {"ssl-client-subject-dn", "CN=client"}},
		},
		{
			name:   "aws alb: passthrough's chain, + = / unescaped, in a request with other headers",
			in:     "GET / HTTP/1.1\nHost: api.example.com\nX-Amzn-Mtls-Clientcert: " + escapeALB(chainPEM) + "\nAccept: */*\n",
			format: forwarded.EscapedPEM, header: "X-Amzn-Mtls-Clientcert",
			want: []*pki.Cert{p.leaf, p.inter},
		},
		{
			name:   "aws alb: verify mode's leaf and its subject",
			in:     "X-Amzn-Mtls-Clientcert-Subject: CN=client\nX-Amzn-Mtls-Clientcert-Leaf: " + escapeALB(leafPEM),
			format: forwarded.EscapedPEM, header: "X-Amzn-Mtls-Clientcert-Leaf",
			want:   []*pki.Cert{p.leaf},
			fields: []forwarded.Field{{"X-Amzn-Mtls-Clientcert-Subject", "CN=client"}},
		},
		{
			name:   "traefik: the chain and the info",
			in:     "X-Forwarded-Tls-Client-Cert: " + b64(p.leaf.DER) + "," + b64(p.inter.DER) + "\nX-Forwarded-Tls-Client-Cert-Info: Subject%3D%22O%3DAcme%2C+Inc%3B+Labs%2CCN%3Dclient%22%3BNB%3D%221767225600%22%3BSAN%3D%22client.example.com%2Cspiffe%3A%2F%2Fexample.com%2Fclient%22",
			format: forwarded.Traefik, header: "X-Forwarded-Tls-Client-Cert",
			want:   []*pki.Cert{p.leaf, p.inter},
			fields: []forwarded.Field{{"Subject", "O=Acme, Inc; Labs,CN=client"}, {"NB", "1767225600"}, {"SAN", "client.example.com,spiffe://example.com/client"}},
		},
		{
			name:   "traefik: the value alone",
			in:     b64(p.leaf.DER) + "," + b64(p.inter.DER),
			format: forwarded.Traefik,
			want:   []*pki.Cert{p.leaf, p.inter},
		},
		{
			name:   "two carriers: the first read, the other noted",
			in:     "Client-Cert: " + sf(p.leaf.DER) + "\nx-forwarded-client-cert: Cert=\"" + escapeAll(p.other.CertPEM()) + "\"",
			format: forwarded.ClientCert, header: "Client-Cert",
			want: []*pki.Cert{p.leaf}, notes: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := forwarded.Parse([]byte(tt.in))
			if err != nil || h == nil {
				t.Fatalf("Parse = %v, %v; want a header", h, err)
			}
			if h.Format != tt.format || h.Name != tt.header {
				t.Errorf("Parse: format %q, name %q; want %q, %q", h.Format, h.Name, tt.format, tt.header)
			}
			got := ders(t, h)
			if len(got) != len(tt.want) {
				t.Fatalf("Parse: %d certificates, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if string(got[i]) != string(tt.want[i].DER) {
					t.Errorf("Parse: certificate %d is not the one sent", i+1)
				}
			}
			if len(tt.fields) > 0 && !equalFields(h.Fields, tt.fields) {
				t.Errorf("Parse: fields %q, want %q", h.Fields, tt.fields)
			}
			if len(h.Notes) != tt.notes {
				t.Errorf("Parse: notes %q, want %d", h.Notes, tt.notes)
			}
		})
	}
}

func equalFields(a, b []forwarded.Field) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestParseErrors(t *testing.T) {
	p := newPKI(t)
	leafPEM := escapeAll(p.leaf.CertPEM())
	tests := []struct {
		name, in, want string
		noCert         bool
	}{
		{"xfcc: unterminated quote", `x-forwarded-client-cert: Hash=1;Cert="` + leafPEM,
			`x-forwarded-client-cert (line 1), byte 13: the quoted value of Cert= has no closing double quote`, false},
		{"xfcc: text after a quoted value", `Subject="CN=a"x;Cert="` + leafPEM + `"`,
			`value, byte 15: unexpected 'x' after the quoted value of Subject=; quote the whole value`, false},
		{"xfcc: a pair without =", `x-forwarded-client-cert: Hash=1;oops;Cert="` + leafPEM + `"`,
			`x-forwarded-client-cert (line 1), byte 8: "oops" is not a key=value pair (Envoy separates elements with "," and pairs with ";")`, false},
		{"xfcc: a bad escape in Cert", "x-forwarded-client-cert: Cert=\"-----BEGIN%2xCERT\"",
			`x-forwarded-client-cert (line 1), byte 17: bad URL escape in Cert=: Envoy sends the PEM URL-encoded (%XX)`, false},
		{"xfcc: Cert and Chain differ is certinput's; no certificate here", `x-forwarded-client-cert: By=spiffe://a;Hash=1;Subject="CN=x"`,
			`x-forwarded-client-cert (line 1) element 1: this element carries no certificate, only facts about it; configure Envoy's set_current_client_cert_details with cert: true (or chain: true) so it sends Cert= (or Chain=)`, true},
		{"rfc 9440: not base64", "Client-Cert: :MII*:",
			`Client-Cert (line 1), byte 5: byte '*' is not base64 (RFC 8941 byte sequences use the standard alphabet)`, false},
		{"rfc 9440: a byte that is not ASCII", "Client-Cert: :MII\xff:",
			`Client-Cert (line 1), byte 5: byte '\xFF' is not base64 (RFC 8941 byte sequences use the standard alphabet)`, false},
		{"rfc 9440: no closing colon", "Client-Cert: :MIIB",
			`Client-Cert (line 1), byte 1: the byte sequence has no closing ":"`, false},
		{"rfc 9440: two certificates in Client-Cert", "Client-Cert: " + sf(p.leaf.DER) + ", " + sf(p.inter.DER),
			`Client-Cert (line 1), byte ` + strconv.Itoa(len(sf(p.leaf.DER))+3) + `: Client-Cert holds one certificate; the rest of the chain goes in Client-Cert-Chain`, false},
		{"rfc 9440: the chain alone", "Client-Cert-Chain: " + sf(p.inter.DER),
			`Client-Cert-Chain (line 1): Client-Cert-Chain without Client-Cert: RFC 9440 sends the client's own certificate in Client-Cert and only the rest of the chain here; paste Client-Cert too`, true},
		{"traefik: not base64", "X-Forwarded-Tls-Client-Cert: " + b64(p.leaf.DER) + ",MII!",
			`X-Forwarded-Tls-Client-Cert (line 1), byte ` + strconv.Itoa(len(b64(p.leaf.DER))+2) + `: certificate 2 is not base64 DER, as Traefik sends it`, false},
		{"traefik: the info alone", "X-Forwarded-Tls-Client-Cert-Info: Subject%3D%22CN%3Dx%22",
			`X-Forwarded-Tls-Client-Cert-Info (line 1): Traefik's X-Forwarded-Tls-Client-Cert-Info describes the certificate but does not carry it; paste X-Forwarded-Tls-Client-Cert too (passTLSClientCert with pem: true)`, true},
		{"nginx: a bad escape", "ssl-client-cert: -----BEGIN%20CERT%G0",
			`ssl-client-cert (line 1), byte 18: bad URL escape (%XX) in the URL-escaped PEM`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := forwarded.Parse([]byte(tt.in))
			fe, ok := err.(*forwarded.Error)
			if !ok {
				t.Fatalf("Parse = %v, %v; want a *forwarded.Error", h, err)
			}
			if fe.Error() != tt.want || fe.NoCertificate != tt.noCert {
				t.Errorf("Parse:\n got %s (no certificate: %v)\nwant %s (%v)", fe, fe.NoCertificate, tt.want, tt.noCert)
			}
		})
	}
}

// Text that is no header is not one: the caller keeps its own message.
func TestParseNotAHeader(t *testing.T) {
	for _, in := range []string{"hello", "hello: world", "Host: example.com\nAccept: */*", "GET / HTTP/1.1", "zzz=1", ":"} {
		h, err := forwarded.Parse([]byte(in))
		if in == ":" {
			continue // a byte sequence begun and not ended: an error, which is right
		}
		if h != nil || err != nil {
			t.Errorf("Parse(%q) = %v, %v; want nil, nil", in, h, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	p := newPKI(f)
	f.Add([]byte(`x-forwarded-client-cert: By=a;Hash=1;Cert="` + escapeAll(p.leaf.CertPEM()) + `";Subject="CN=a\"b";URI=u;DNS=d,Hash=2`))
	f.Add([]byte("Client-Cert: " + sf(p.leaf.DER) + "\nClient-Cert-Chain: " + sf(p.inter.DER) + ";a=1, " + sf(p.root.DER)))
	f.Add([]byte("X-Forwarded-Tls-Client-Cert: " + b64(p.leaf.DER) + "\nX-Forwarded-Tls-Client-Cert-Info: Subject%3D%22CN%3Dx%22%3BNA%3D%221%22"))
	f.Add([]byte(escapeALB(p.leaf.CertPEM())))
	f.Add([]byte("GET / HTTP/1.1\nssl-client-cert: " + escapeAll(p.leaf.CertPEM()) + "\n folded"))
	f.Fuzz(func(t *testing.T, in []byte) {
		h, err := forwarded.Parse(in)
		if h != nil && err != nil {
			t.Fatalf("Parse = %v and %v", h, err)
		}
		if h != nil && len(h.Certs) == 0 {
			t.Fatalf("Parse: a header without certificates and no error")
		}
		if err != nil && strings.ContainsAny(err.Error(), "\n") {
			t.Fatalf("Parse: error of more than one line: %q", err)
		}
	})
}

// A paste of many headers is read with a bounded list of notes and fields.
func TestParseBoundsNotes(t *testing.T) {
	p := newPKI(t)
	in := "Client-Cert: " + sf(p.leaf.DER) + "\n" + strings.Repeat("Client-Cert: "+sf(p.leaf.DER)+"\n", 40) +
		"x-forwarded-tls-client-cert-info: " + strings.Repeat("SAN%3D%22a%22%3B", 100)
	h, err := forwarded.Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Notes) != forwarded.MaxNotes+1 || len(h.Fields) != forwarded.MaxFields {
		t.Errorf("Parse: %d notes, %d fields; want %d and %d", len(h.Notes), len(h.Fields), forwarded.MaxNotes+1, forwarded.MaxFields)
	}
}
