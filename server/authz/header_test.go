package authz

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinput"
)

// TestHeaderSafe: the reason header is one line of printable ASCII, at most
// maxReasonHeader bytes, never cut inside an escape.
func TestHeaderSafe(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"accepted: the chain is trusted", "accepted: the chain is trusted"},
		{"a\r\nb\x00c\x7f", `a\0D\0Ab\00c\7F`},
		{`CN=Zoë \ x`, `CN=Zo\C3\AB \5C x`},
		{strings.Repeat("a", maxReasonHeader), strings.Repeat("a", maxReasonHeader)},
		{strings.Repeat("a", maxReasonHeader+1), strings.Repeat("a", maxReasonHeader-3) + "..."},
		{strings.Repeat("a", maxReasonHeader-5) + "\n\n", strings.Repeat("a", maxReasonHeader-5) + "..."},
	} {
		if got := headerSafe(c.in); got != c.want {
			t.Errorf("headerSafe(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzAuthzHeader: whatever a proxy sends in any carrier header, finding and
// reading it never panics, and the reason header stays one bounded line.
func FuzzAuthzHeader(f *testing.F) {
	f.Add("x-ssl-client-cert", "-----BEGIN%20CERTIFICATE-----%0AMIIB%0A-----END%20CERTIFICATE-----%0A", "")
	f.Add("client-cert", ":MIIB:", ":AAAA:, :BBBB:")
	f.Add("x-forwarded-client-cert", `Hash=00;Cert="-----BEGIN%20CERTIFICATE-----";Chain=x`, "")
	f.Add("x-forwarded-tls-client-cert", "MIIB,MIIC", "")
	f.Fuzz(func(t *testing.T, name, value, chain string) {
		h := http.Header{}
		h.Set(name, value)
		if chain != "" {
			h.Set("Client-Cert-Chain", chain)
		}
		name, value, chain, err := certHeader(h, "")
		if err == nil && name != "" {
			_, err = certinput.DecodeHeaders("request", headerLines(name, value, chain))
		}
		if err != nil {
			r := headerSafe(err.Error())
			if len(r) > maxReasonHeader {
				t.Fatalf("reason of %d bytes", len(r))
			}
			for i := 0; i < len(r); i++ {
				if r[i] < 0x20 || r[i] >= 0x7f {
					t.Fatalf("reason %q has byte %#x", r, r[i])
				}
			}
		}
	})
}

// TestAuthzBusy: a decision the memo does not hold waits for a slot at most Wait,
// then is 503 busy with Retry-After, counted, and never decided.
func TestAuthzBusy(t *testing.T) {
	s, req := benchServer(t)
	s.wait = 50 * time.Millisecond
	for range cap(s.slots) {
		s.slots <- struct{}{}
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" || w.Header().Get("Mtlsplay-Code") != "" ||
		!strings.Contains(w.Body.String(), `"code":"busy"`) {
		t.Errorf("every slot taken: %d %v %s", w.Code, w.Header(), w.Body)
	}
	for range cap(s.slots) {
		<-s.slots
	}
	w = httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != http.StatusOK || w.Header().Get("Mtlsplay-Code") != "0" {
		t.Errorf("a slot free: %d %v", w.Code, w.Header())
	}
	mw := httptest.NewRecorder()
	s.metrics.ServeHTTP(mw, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(mw.Body.String(), `mtlsplay_authz_refused_total{reason="busy"} 1`+"\n") {
		t.Errorf("the refusal is not counted:\n%s", mw.Body)
	}
}
