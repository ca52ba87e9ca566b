package serve

import (
	"crypto/tls"
	"crypto/x509/pkix"
	"encoding/asn1"
	"net/http"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/server/config"
)

// strangerCert is a client certificate of a CA no bundle trusts, unique by n, with
// an extension of extra bytes.
func strangerCert(t testing.TB, root *pki.Cert, n, extra int) *tls.Certificate {
	t.Helper()
	spec := pki.Spec{Subject: pkix.Name{CommonName: "stranger " + strconv.Itoa(n)}, NotBefore: pki.TestNow.Add(-time.Hour), NotAfter: pki.TestNow.Add(time.Hour)}
	if extra > 0 {
		spec.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 1}, Value: make([]byte, extra)}}
	}
	c, err := root.Issue(spec)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Certificate{Certificate: [][]byte{c.DER}, PrivateKey: c.Key}
}

func presenting(t testing.TB, cert *tls.Certificate) *http.Client {
	cfg := clientTLS(t, "", "")
	cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	return httpClient(cfg)
}

// TestStrangersNotCached: in strict mode, certificates refused in the handshake are
// not kept; a trusted client's are.
func TestStrangersNotCached(t *testing.T) {
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeStrict))})
	root, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Stranger CA"}, NotBefore: pki.TestNow.Add(-time.Hour), NotAfter: pki.TestNow.Add(time.Hour), IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if resp, err := presenting(t, strangerCert(t, root, i, 0)).Get("https://" + ts.s.MTLSAddr() + "/c/partner-a/"); err == nil {
			resp.Body.Close()
			t.Fatalf("a stranger's certificate passed the strict handshake")
		}
	}
	if n, _ := ts.s.echo.CachedCertificates(); n != 0 {
		t.Errorf("%d certificates cached after 50 refused handshakes, want 0", n)
	}
	if status, _, _ := getEcho(t, httpClient(clientTLS(t, goodCert[0], goodCert[1])), "https://"+ts.s.MTLSAddr()+"/c/partner-a/", nil); status != 200 {
		t.Fatalf("the trusted client: status %d", status)
	}
	if n, _ := ts.s.echo.CachedCertificates(); n != 2 {
		t.Errorf("%d certificates cached after the trusted client's chain of 2, want 2", n)
	}
}

// TestManyLargeCertificates: 1,100 unique certificates, each with a 60 KB
// extension, presented within one second of the server's clock, leave the
// server's heap under 150 MB larger (every one was kept before, in the certificate
// cache and in the second's decision memo: 250 to 460 MB).
func TestManyLargeCertificates(t *testing.T) {
	if testing.Short() {
		t.Skip("1,100 handshakes")
	}
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport))})
	root, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Stranger CA"}, NotBefore: pki.TestNow.Add(-time.Hour), NotAfter: pki.TestNow.Add(time.Hour), IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	for i := range 1100 {
		c := presenting(t, strangerCert(t, root, i, 60<<10))
		if status, _, _ := getEcho(t, c, "https://"+ts.s.MTLSAddr()+"/c/partner-a/", nil); status != 403 {
			t.Fatalf("certificate %d: status %d, want 403 (untrusted)", i, status)
		}
		c.CloseIdleConnections()
	}
	grew := int64(heap()) - int64(before)
	if grew > 150<<20 {
		t.Errorf("the heap grew by %d MB after 1,100 large certificates", grew>>20)
	}
	t.Logf("the heap grew by %.1f MB", float64(grew)/(1<<20))
	if n, b := ts.s.echo.CachedCertificates(); n != 0 || b != 0 {
		t.Errorf("%d certificates (%d bytes) cached", n, b)
	}
}
