package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

func pkiFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pki", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestProbeSendsDespiteCANames: a server that names another CA as acceptable (as
// the echo does with tls.ca_names) but verifies nothing in the handshake still
// receives the probe's certificate, as curl's would arrive; the report lists the
// server's names and says the chain matches none of them.
func TestProbeSendsDespiteCANames(t *testing.T) {
	named := x509.NewCertPool()
	named.AppendCertsFromPEM(pkiFile(t, "root-b.pem"))
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TLS.PeerCertificates) == 0 {
			http.Error(w, "no certificate", http.StatusUnauthorized)
			return
		}
		w.Write([]byte("got " + r.TLS.PeerCertificates[0].Subject.CommonName))
	}))
	srv.TLS = &tls.Config{ClientAuth: tls.RequestClientCert, ClientCAs: named}
	srv.StartTLS()
	defer srv.Close()

	client, err := LoadClientCert("client-good-chain.pem", pkiFile(t, "client-good-chain.pem"), "client-good.key", pkiFile(t, "client-good.key"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), Options{Addr: srv.Listener.Addr().String(), Client: client, Now: pki.TestNow})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !rep.CertificateRequested || len(rep.AcceptableCAs) != 1 || rep.AcceptableCAs[0] != "CN=Partner Root CA" {
		t.Errorf("Run: requested %v, acceptable CAs %q; want CN=Partner Root CA", rep.CertificateRequested, rep.AcceptableCAs)
	}
	if rep.AcceptableCAsMatch == nil || *rep.AcceptableCAsMatch {
		t.Errorf("Run: acceptable_cas_match %v; want false (the chain ends at Acme Root CA)", rep.AcceptableCAsMatch)
	}
	if !rep.CertificateSent || rep.HTTPStatus != http.StatusOK || rep.HTTPBody != "got client.example.com" {
		t.Errorf("Run: sent %v, HTTP %d %q; want the certificate sent and seen by the server", rep.CertificateSent, rep.HTTPStatus, rep.HTTPBody)
	}
}

// TestLoadClientCertByteOrderMark: a key file saved with a UTF-8 byte order mark
// (Windows Notepad) is read as the key it holds, as the certificate file is.
func TestLoadClientCertByteOrderMark(t *testing.T) {
	bom := []byte("\ufeff")
	chain := append(append([]byte{}, bom...), pkiFile(t, "client-good-chain.pem")...)
	key := append(append([]byte{}, bom...), pkiFile(t, "client-good.key")...)
	if cc, err := LoadClientCert("chain.pem", chain, "key.pem", key); err != nil || len(cc.Chain) != 2 || cc.Chain[0].Subject.CN != "client.example.com" {
		t.Fatalf("LoadClientCert with byte order marks = %v, %v", cc, err)
	}
}
