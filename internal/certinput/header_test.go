package certinput_test

import (
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/pki"
)

func escape(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			s.WriteByte(c)
		} else {
			fmt.Fprintf(&s, "%%%02X", c)
		}
	}
	return s.String()
}

func sf(der []byte) string { return ":" + base64.StdEncoding.EncodeToString(der) + ":" }

// A header is read into the same blocks as the PEM it carries, and the format
// shows in where each block came from.
func TestDecodeHeader(t *testing.T) {
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	root, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Root"}, NotBefore: from, NotAfter: to, IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := root.Issue(pki.Spec{Subject: pkix.Name{CommonName: "leaf"}, NotBefore: from, NotAfter: to})
	if err != nil {
		t.Fatal(err)
	}
	other, err := root.Issue(pki.Spec{Subject: pkix.Name{CommonName: "other"}, NotBefore: from, NotAfter: to})
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := leaf.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	chain := pki.ChainPEM(leaf, root)
	tests := []struct {
		name    string
		in      string
		where   []string // each block's place; %s is the block's place in the PEM
		kind    string
		message string
	}{
		{name: "xfcc Cert and Chain", in: `x-forwarded-client-cert: Hash=1;Cert="` + escape(leaf.CertPEM()) + `";Chain="` + escape(chain) + `"`,
			where: []string{"x-forwarded-client-cert (line 1) element 1 Cert", "x-forwarded-client-cert (line 1) element 1 Chain %s"}},
		{name: "rfc 9440", in: "Client-Cert: " + sf(leaf.DER) + "\nClient-Cert-Chain: " + sf(root.DER),
			where: []string{"Client-Cert (line 1)", "Client-Cert-Chain (line 2) item 1"}},
		{name: "nginx, bare", in: escape(chain),
			where: []string{"value %s", "value %s"}},
		{name: "xfcc Chain that does not start with Cert", in: `Cert="` + escape(other.CertPEM()) + `";Chain="` + escape(chain) + `"`,
			kind: certinput.KindMalformed, message: "h.txt: value element 1 Chain: its first certificate is not the one in Cert=; Envoy's Chain= starts with the client's certificate"},
		{name: "a private key in Cert", in: `x-forwarded-client-cert: Cert="` + escape(keyPEM) + `"`,
			kind: certinput.KindPrivateKey},
		{name: "a private key's DER in Client-Cert", in: "Client-Cert: " + sf(pemDER(t, keyPEM)),
			kind: certinput.KindPrivateKey},
		{name: "a truncated PEM in a header", in: "ssl-client-cert: " + escape(leaf.CertPEM()[:200]),
			kind: certinput.KindMalformed, message: "h.txt: ssl-client-cert (line 1) block 1 (line 1): truncated: -----BEGIN CERTIFICATE----- has no matching -----END CERTIFICATE----- line"},
		{name: "no certificate in the element", in: "x-forwarded-client-cert: Hash=1",
			kind: certinput.KindNoCertificate},
		{name: "text that is not a header keeps its message", in: "Host: example.com\nAccept: */*",
			kind: certinput.KindNoCertificate, message: "h.txt: no certificate found: expected PEM (-----BEGIN CERTIFICATE-----), DER or base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks, err := certinput.Decode("h.txt", []byte(tt.in))
			if tt.kind != "" {
				var e *certinput.Error
				if !errors.As(err, &e) || e.Kind != tt.kind {
					t.Fatalf("Decode = %v; want a %s error", err, tt.kind)
				}
				if tt.message != "" && err.Error() != tt.message {
					t.Errorf("Decode:\n got %s\nwant %s", err, tt.message)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			want, err := certinput.Decode("h.txt", chain)
			if err != nil {
				t.Fatal(err)
			}
			if len(blocks) != len(want) {
				t.Fatalf("Decode: %d blocks, want %d", len(blocks), len(want))
			}
			for i := range blocks {
				// The PEM's own place ("block 2 (line 11)") follows the header's.
				where := strings.ReplaceAll(tt.where[i], "%s", want[i].Where)
				if string(blocks[i].DER) != string(want[i].DER) || blocks[i].Where != where {
					t.Errorf("Decode: block %d at %q; want the chain's at %q", i+1, blocks[i].Where, where)
				}
			}
			if h := certinput.Header([]byte(tt.in)); h == nil {
				t.Errorf("Header = nil; want the header Decode read")
			}
		})
	}
	if h := certinput.Header(chain); h != nil {
		t.Errorf("Header(PEM) = %v; want nil", h)
	}
}

func pemDER(t *testing.T, p []byte) []byte {
	t.Helper()
	s := string(p)
	s = s[strings.Index(s, "\n")+1 : strings.Index(s, "-----END")]
	der, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(s, "\n", ""))
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// Every file of the test PKI reads as it did before headers were read: none is
// taken for a header.
func TestHeaderLeavesOtherInputAlone(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "pki", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test PKI: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if h := certinput.Header(data); h != nil {
			t.Errorf("Header(%s) = %v; want nil", filepath.Base(f), h)
		}
	}
}

// FuzzDecodeHeader drives certinput's reading of headers: no panic, an error of a
// known kind on one line, and never a key's DER among the blocks.
func FuzzDecodeHeader(f *testing.F) {
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	root, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Root"}, NotBefore: from, NotAfter: to, IsCA: true})
	if err != nil {
		f.Fatal(err)
	}
	keyPEM, err := root.KeyPEM()
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`x-forwarded-client-cert: Hash=1;Cert="` + escape(root.CertPEM()) + `";Chain="` + escape(root.CertPEM()) + `",Hash=2`))
	f.Add([]byte(`x-forwarded-client-cert: Cert="` + escape(keyPEM) + `"`))
	f.Add([]byte("Client-Cert: " + sf(root.DER) + "\nClient-Cert-Chain: " + sf(root.DER)))
	f.Add([]byte("X-Forwarded-Tls-Client-Cert: " + base64.StdEncoding.EncodeToString(root.DER) + "," + base64.StdEncoding.EncodeToString(root.DER)))
	f.Add([]byte(escape(root.CertPEM())))
	kinds := []string{certinput.KindTooLarge, certinput.KindTooMany, certinput.KindPrivateKey, certinput.KindMalformed, certinput.KindNotCert, certinput.KindNoCertificate}
	f.Fuzz(func(t *testing.T, in []byte) {
		blocks, err := certinput.Decode("f", in)
		if err != nil {
			var e *certinput.Error
			if !errors.As(err, &e) || !slices.Contains(kinds, e.Kind) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Decode error %q (%T) is not one line of a known kind", err, err)
			}
			return
		}
		if len(blocks) > certinput.MaxCertificates {
			t.Fatalf("Decode: %d blocks, over the limit", len(blocks))
		}
		for _, b := range blocks {
			if k := certinput.KeyKind(b.DER); k != "" {
				t.Fatalf("Decode returned a %s at %s", k, b.Where)
			}
		}
	})
}
