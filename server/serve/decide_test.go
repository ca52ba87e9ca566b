package serve

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/server/config"
	"github.com/mtlsplay/mtlsplay/server/httperror"
	"github.com/mtlsplay/mtlsplay/server/page"
)

// heavyRule is 250 comprehensions over SAN: with 64 entries, thousands of
// sub-expressions with list values, about 0.6 MB of explanation and a quarter of a
// second of CPU on a test machine, until the evaluation stops at the cost limit.
var heavyRule = strings.Repeat(`SAN.map(s, s + "/x").exists(s, s.endsWith("/x")) && `, 250) + "true"

// explainHeavy is a decide request whose explanation is large: heavyRule over a
// certificate with 64 SAN entries.
func explainHeavy(t testing.TB) []byte {
	t.Helper()
	from, to := pki.TestNow.Add(-time.Hour), pki.TestNow.Add(90*24*time.Hour)
	root, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Many SAN Root"}, NotBefore: from, NotAfter: to, IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	var san []pki.GeneralName
	for i := range 64 {
		san = append(san, pki.DNSName(fmt.Sprintf("host-%02d.example.com", i)))
	}
	leaf, err := root.Issue(pki.Spec{Subject: pkix.Name{CommonName: "many-san"}, NotBefore: from, NotAfter: to,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, SAN: san})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(engine.DecideRequest{
		Certificates: string(leaf.CertPEM()),
		Bundles:      []engine.BundleInput{{Name: "root.pem", PEM: string(root.CertPEM())}},
		Rule:         heavyRule,
		At:           "2026-06-01T00:00:00Z",
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// answer is the response to one of several held requests; nil when the connection
// ended without one.
type answer struct {
	i    int
	resp *http.Response
}

// heldPost sends a POST /api/decide of body over a new connection, all but its
// last byte, and sends its response to out as request i.
func heldPost(t *testing.T, addr string, body []byte, i int, out chan<- answer) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetDeadline(time.Now().Add(hangGuard)); err != nil {
		t.Fatal(err)
	}
	head := fmt.Sprintf("POST /api/decide HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", addr, len(body))
	if _, err := c.Write(append([]byte(head), body[:len(body)-1]...)); err != nil {
		t.Fatal(err)
	}
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			out <- answer{i, nil}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body = io.NopCloser(bytes.NewReader(b))
		out <- answer{i, resp}
	}()
	return c
}

// receive waits for the next answer.
func receive(t *testing.T, answers <-chan answer) answer {
	t.Helper()
	select {
	case a := <-answers:
		return a
	case <-time.After(hangGuard):
		t.Fatal("no response from /api/decide")
		return answer{}
	}
}

func errorOf(t *testing.T, resp *http.Response) engine.Error {
	t.Helper()
	var e engine.ErrorResponse
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Errorf("HTTP %d: body is not the error shape: %v", resp.StatusCode, err)
	}
	return e.Error
}

// TestDecideBusy: POST /api/decide runs at most Slots decisions at once. With
// explanation-heavy requests in flight holding every slot, the excess ones are
// answered 503 busy with Retry-After in the error shape and counted, /healthz
// answers meanwhile, and the requests holding slots are decided once their bodies
// arrive.
func TestDecideBusy(t *testing.T) {
	const slots, requests = 2, 6
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport)),
		Decide: page.DecideLimits{Slots: slots, Wait: 200 * time.Millisecond, Deadline: hangGuard}})
	addr := ts.s.HTTPAddr()
	body := explainHeavy(t)

	conns := make([]net.Conn, requests)
	answers := make(chan answer, requests)
	for i := range requests {
		conns[i] = heldPost(t, addr, body, i, answers)
	}
	// Those without a slot are answered while the bodies of the others are held
	// back, which keeps their slots taken.
	pending := map[int]bool{}
	for i := range requests {
		pending[i] = true
	}
	for range requests - slots {
		a := receive(t, answers)
		if a.resp == nil || a.resp.StatusCode != http.StatusServiceUnavailable || a.resp.Header.Get("Retry-After") == "" {
			t.Fatalf("an excess POST /api/decide: %v; want 503 with Retry-After", a.resp)
		}
		delete(pending, a.i)
		if e := errorOf(t, a.resp); e.Code != httperror.CodeBusy {
			t.Errorf("an excess POST /api/decide: error code %q, want %q", e.Code, httperror.CodeBusy)
		}
	}
	if got := get(t, "http://"+addr+"/healthz"); got != "ok\n" {
		t.Errorf("GET /healthz while every slot is taken = %q", got)
	}
	for i := range pending {
		if _, err := conns[i].Write(body[len(body)-1:]); err != nil {
			t.Fatal(err)
		}
	}
	if got := get(t, "http://"+addr+"/healthz"); got != "ok\n" {
		t.Errorf("GET /healthz while decisions run = %q", got)
	}
	for range pending {
		a := receive(t, answers)
		if a.resp == nil || a.resp.StatusCode != http.StatusOK {
			t.Fatalf("a POST /api/decide holding a slot, once its body arrived: %v, want 200", a.resp)
		}
		var d engine.DecideResponse
		if err := json.NewDecoder(a.resp.Body).Decode(&d); err != nil || d.Rule == nil || len(d.Rule.Nodes) == 0 {
			t.Errorf("a POST /api/decide holding a slot: not a decision with an explanation (%v)", err)
		}
	}
	m := get(t, "http://"+addr+"/metrics")
	for _, want := range []string{fmt.Sprintf(`mtlsplay_api_decide_requests_total{status="200"} %d`, slots),
		fmt.Sprintf(`mtlsplay_api_decide_requests_total{status="503"} %d`, requests-slots)} {
		if !strings.Contains(m, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestDecideSlowBody: a POST /api/decide whose body does not arrive by the
// request's deadline is cut off with 408 timeout in the error shape, and its slot
// is free again for the next request.
func TestDecideSlowBody(t *testing.T) {
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport)),
		Decide: page.DecideLimits{Slots: 1, Wait: hangGuard, Deadline: 300 * time.Millisecond}})
	addr := ts.s.HTTPAddr()
	answers := make(chan answer, 1)
	heldPost(t, addr, decideRequest(t), 0, answers)
	resp := receive(t, answers).resp
	if resp == nil || resp.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("POST /api/decide holding back its last byte: %v; want 408", resp)
	}
	if e := errorOf(t, resp); e.Code != httperror.CodeTimeout {
		t.Errorf("POST /api/decide holding back its last byte: error code %q, want %q", e.Code, httperror.CodeTimeout)
	}
	// The one slot is free: a whole request is decided.
	r, err := http.Post("http://"+addr+"/api/decide", "application/json", strings.NewReader(string(decideRequest(t))))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusOK {
		t.Errorf("POST /api/decide after a request timed out: HTTP %d, want 200", r.StatusCode)
	}
	if m := get(t, "http://"+addr+"/metrics"); !strings.Contains(m, `mtlsplay_api_decide_requests_total{status="408"} 1`+"\n") {
		t.Errorf("metrics lack the 408")
	}
}
