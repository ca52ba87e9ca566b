package site_test

import (
	"bytes"
	"compress/flate"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// keyFile is a file a person might open or drop by mistake: a private key in DER, or a
// PKCS#12 file. want is what the refusal must say.
type keyFile struct {
	name string
	der  []byte
	want string
}

// keyFiles makes a private key in each DER form (internal/pki's keys, written by
// crypto/x509), an EncryptedPrivateKeyInfo shaped as OpenSSL writes one, and a
// PKCS#12 file's PFX structure.
func keyFiles(t *testing.T) []keyFile {
	t.Helper()
	ec, err := pki.NewKey(pki.ECDSAP256, 0)
	if err != nil {
		t.Fatal(err)
	}
	rk, err := pki.NewKey(pki.RSA, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8EC, _ := x509.MarshalPKCS8PrivateKey(ec)
	pkcs8RSA, _ := x509.MarshalPKCS8PrivateKey(rk)
	sec1, _ := x509.MarshalECPrivateKey(ec.(*ecdsa.PrivateKey))
	var enc cryptobyte.Builder
	enc.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}) // PBES2
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {})
		})
		b.AddASN1OctetString(pkcs8EC) // stands in for the ciphertext
	})
	var pfx cryptobyte.Builder
	pfx.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(3)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1})
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1OctetString(pkcs8EC) })
		})
	})
	return []keyFile{
		{"pkcs8-ec.der", pkcs8EC, "(PKCS#8 private key)"},
		{"pkcs8-rsa.der", pkcs8RSA, "(PKCS#8 private key)"},
		{"sec1-ec.der", sec1, "(SEC 1 EC private key)"},
		{"pkcs1-rsa.der", x509.MarshalPKCS1PrivateKey(rk.(*rsa.PrivateKey)), "(PKCS#1 RSA private key)"},
		{"encrypted.der", enc.BytesOrPanic(), "(encrypted PKCS#8 private key)"},
		{"client.p12", pfx.BytesOrPanic(), "openssl pkcs12 -in FILE -nokeys"},
	}
}

// shareState clicks Share and returns the state the link carries, as JSON text.
func (tb *tab) shareState() string {
	tb.t.Helper()
	tb.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("share-url").value = ""`), chromedp.Click(chromedp.CSS("#share")))
	link := poll[string](tb, `document.getElementById("share-url").value || null`, 5*time.Second)
	return eval[string](tb, fmt.Sprintf(`(async () => {
		const b = Uint8Array.fromBase64(%q, {alphabet: "base64url"});
		const s = new Blob([b]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
		return await new Response(s).text(); })()`, link[strings.Index(link, "#s=")+3:]))
}

// dropFile drops a file holding der on the element sel, as a person dragging it from
// their file manager would: a drop event carrying a DataTransfer with the file.
func (tb *tab) dropFile(sel, name string, der []byte) {
	tb.t.Helper()
	tb.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const dt = new DataTransfer();
		dt.items.add(new File([Uint8Array.fromBase64(%q)], %q, {type: "application/octet-stream"}));
		document.querySelector(%q).dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
	})()`, base64.StdEncoding.EncodeToString(der), name, sel)))
}

// clearNotice hides the certificate notice, so that the next one is the next action's.
var clearNotice = chromedp.Evaluate[chromedp.Void](`(() => { const n = document.getElementById("cert-notice"); n.textContent = ""; n.hidden = true; })()`)

// checkRefused waits for the refusal of file f and checks that nothing of it is in the
// box sel or in the share link.
func (tb *tab) checkRefused(f keyFile, how, sel string) {
	tb.t.Helper()
	got := poll[string](tb, fmt.Sprintf(`(() => { const n = document.getElementById("cert-notice"); return !n.hidden && n.textContent.includes(%q) ? n.textContent : null; })()`, f.name), 15*time.Second)
	if !strings.Contains(got, f.want) || !strings.Contains(got, "Nothing of the file") {
		tb.t.Errorf("%s %s: notice %q, want the engine's refusal with %q", how, f.name, got, f.want)
	}
	if box := tb.value(sel); box != "" {
		tb.t.Errorf("%s %s: %s holds %d characters (%.60q), want it empty", how, f.name, sel, len(box), box)
	}
	state := tb.shareState()
	b64 := base64.StdEncoding.EncodeToString(f.der)
	for _, part := range []string{b64[8:48], "PRIVATE"} {
		if strings.Contains(strings.ReplaceAll(state, `\n`, ""), part) {
			tb.t.Errorf("%s %s: the share link holds the key (%q): %.200q", how, f.name, part, state)
		}
	}
}

// TestKeyFilesRefused opens (the "Open file…" input) and drops (on the certificate box
// and on a bundle) private keys in DER and a PKCS#12 file: each is refused with the
// engine's explanation before any of it is shown, the box it was meant for is left
// empty, and no share link carries it. A DER certificate opened the same way is read.
func TestKeyFilesRefused(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	tb.open(e, "")
	dir := t.TempDir()
	sample := e.pki(t, "client-good-chain.pem")
	for i, f := range keyFiles(t) {
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, f.der, 0o600); err != nil {
			t.Fatal(err)
		}
		tb.fill(`[data-testid="cert-input"]`, sample)
		tb.do(clearNotice)
		tb.do(chromedp.SetUploadFiles("#cert-file", []string{path}))
		tb.checkRefused(f, "opened", `[data-testid="cert-input"]`)

		tb.fill(`[data-testid="cert-input"]`, sample)
		tb.do(clearNotice)
		tb.dropFile(`[data-testid="cert-input"]`, f.name, f.der)
		tb.checkRefused(f, "dropped", `[data-testid="cert-input"]`)
		if i == 0 {
			tb.do(clearNotice)
			tb.dropFile(`.bundle textarea`, f.name, f.der)
			tb.checkRefused(f, "dropped on a bundle", `.bundle textarea`)
		}
	}

	block, _ := pem.Decode([]byte(sample))
	path := filepath.Join(dir, "client.der")
	if err := os.WriteFile(path, block.Bytes, 0o644); err != nil {
		t.Fatal(err)
	}
	tb.fill(`[data-testid="cert-input"]`, "")
	tb.do(chromedp.SetUploadFiles("#cert-file", []string{path}))
	got := poll[string](tb, `(() => { const v = document.querySelector('[data-testid="cert-input"]').value; return v.startsWith("-----BEGIN CERTIFICATE-----") ? v : null; })()`, 15*time.Second)
	if got != string(pem.EncodeToMemory(block)) {
		t.Errorf("a DER certificate opened from a file: box holds %q, want its PEM", got)
	}
	if n := tb.text("#cert-notice"); n != "" {
		t.Errorf("after a certificate file, the notice still says %q", n)
	}
	tb.noErrors()
}

// TestOldLinkWithKeyCleared opens a share link made before the engine read files:
// the page then wrapped a DER key in a CERTIFICATE block. The engine recognises the
// key inside it, the certificate box is cleared, and a new link no longer carries it.
func TestOldLinkWithKeyCleared(t *testing.T) {
	e := setup(t)
	f := keyFiles(t)[0]
	wrapped := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.der}))
	state, _ := json.Marshal(map[string]any{"v": 1, "c": wrapped})
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestCompression)
	fw.Write(state)
	fw.Close()
	tb := e.newTab(t)
	tb.open(e, "#s="+base64.RawURLEncoding.EncodeToString(z.Bytes()))
	got := poll[string](tb, `(() => { const n = document.getElementById("cert-notice"); return !n.hidden && n.textContent || null; })()`, 15*time.Second)
	if !strings.Contains(got, f.want) || !strings.Contains(got, "has been cleared") {
		t.Errorf("notice %q, want the engine's refusal of the %s", got, f.want)
	}
	if box := tb.value(`[data-testid="cert-input"]`); box != "" {
		t.Errorf("the certificate box holds %d characters, want it cleared", len(box))
	}
	if s := tb.shareState(); strings.Contains(strings.ReplaceAll(s, `\n`, ""), base64.StdEncoding.EncodeToString(f.der)[8:48]) {
		t.Errorf("a new link still carries the key: %.200q", s)
	}
	tb.noErrors()
}
