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

// TestDecideBusy: POST /api/decide runs at most Slots decisions at once. With one
// slot, no wait and explanation-heavy requests sent together, those that find the
// slot taken are answered 503 busy with Retry-After in the error shape and
// counted; the others are decided; /healthz answers meanwhile.
func TestDecideBusy(t *testing.T) {
	const requests = 8
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport)),
		Decide: page.DecideLimits{Slots: 1, Wait: time.Nanosecond, Deadline: hangGuard}})
	addr := ts.s.HTTPAddr()
	body := explainHeavy(t)
	answers := make(chan answer, requests)
	conns := make([]net.Conn, requests)
	for i := range requests {
		conns[i] = heldPost(t, addr, body, i, answers)
	}
	for _, c := range conns { // every body completes at once: the decisions overlap
		if _, err := c.Write(body[len(body)-1:]); err != nil {
			t.Fatal(err)
		}
	}
	if got := get(t, "http://"+addr+"/healthz"); got != "ok\n" {
		t.Errorf("GET /healthz while decisions run = %q", got)
	}
	decided, busy := 0, 0
	for range requests {
		a := receive(t, answers)
		switch {
		case a.resp == nil:
			t.Fatal("a POST /api/decide got no answer")
		case a.resp.StatusCode == http.StatusOK:
			decided++
			var d engine.DecideResponse
			if err := json.NewDecoder(a.resp.Body).Decode(&d); err != nil || d.Rule == nil || len(d.Rule.Nodes) == 0 {
				t.Errorf("a POST /api/decide: not a decision with an explanation (%v)", err)
			}
		case a.resp.StatusCode == http.StatusServiceUnavailable && a.resp.Header.Get("Retry-After") != "":
			busy++
			if e := errorOf(t, a.resp); e.Code != httperror.CodeBusy || !strings.Contains(e.Message, "busy deciding 1 requests") {
				t.Errorf("an excess POST /api/decide: error %+v, want %q about the slots", e, httperror.CodeBusy)
			}
		default:
			t.Errorf("a POST /api/decide: HTTP %d (Retry-After %q), want 200 or 503 with Retry-After", a.resp.StatusCode, a.resp.Header.Get("Retry-After"))
		}
	}
	if decided == 0 || busy == 0 {
		t.Errorf("%d decided, %d busy; want both with one slot and %d requests at once", decided, busy, requests)
	}
	m := get(t, "http://"+addr+"/metrics")
	for _, want := range []string{fmt.Sprintf(`mtlsplay_api_decide_requests_total{status="200"} %d`, decided),
		fmt.Sprintf(`mtlsplay_api_decide_requests_total{status="503"} %d`, busy)} {
		if !strings.Contains(m, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestDecideSlowBodiesHoldNoSlot: clients that send their bodies slowly do not
// keep others from being decided. With one slot, three requests holding back
// their last byte took it in turn and answered every other request 503 busy for
// as long as they trickled; now a whole request is decided at once, and so are
// they when their bodies arrive.
func TestDecideSlowBodiesHoldNoSlot(t *testing.T) {
	const held = 3
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport)),
		Decide: page.DecideLimits{Slots: 1, Wait: 200 * time.Millisecond, Deadline: hangGuard}})
	addr := ts.s.HTTPAddr()
	answers := make(chan answer, held)
	conns := make([]net.Conn, held)
	for i := range held {
		conns[i] = heldPost(t, addr, decideRequest(t), i, answers)
	}
	time.Sleep(100 * time.Millisecond) // the server has read what they sent
	r, err := http.Post("http://"+addr+"/api/decide", "application/json", bytes.NewReader(decideRequest(t)))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusOK {
		t.Errorf("POST /api/decide beside %d bodies held back: HTTP %d, want 200", held, r.StatusCode)
	}
	for _, c := range conns {
		if _, err := c.Write(decideRequest(t)[len(decideRequest(t))-1:]); err != nil {
			t.Fatal(err)
		}
	}
	for range held {
		if a := receive(t, answers); a.resp == nil || a.resp.StatusCode != http.StatusOK {
			t.Errorf("a POST /api/decide once its body arrived: %v, want 200", a.resp)
		}
	}
}

// TestDecideBodyBudget: the bodies held at once are bounded in bytes, charged as
// they arrive: a request whose body would take more is answered 503 busy and its
// connection closed, and the budget is given back as requests end.
func TestDecideBodyBudget(t *testing.T) {
	body := explainHeavy(t)
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport)),
		Decide: page.DecideLimits{Slots: 1, Wait: hangGuard, Deadline: hangGuard, BodyBytes: int64(len(body) * 3 / 2)}})
	addr := ts.s.HTTPAddr()
	answers := make(chan answer, 2)
	first := heldPost(t, addr, body, 0, answers)
	time.Sleep(100 * time.Millisecond) // its bytes are charged
	heldPost(t, addr, body, 1, answers)
	a := receive(t, answers)
	if a.i != 1 || a.resp == nil || a.resp.StatusCode != http.StatusServiceUnavailable || a.resp.Header.Get("Retry-After") == "" || !a.resp.Close {
		t.Fatalf("the second body over the budget: %+v; want 503 with Retry-After and the connection closed", a)
	}
	if e := errorOf(t, a.resp); e.Code != httperror.CodeBusy || !strings.Contains(e.Message, "request bodies") {
		t.Errorf("the second body over the budget: error %+v, want %q about the bodies", e, httperror.CodeBusy)
	}
	if _, err := first.Write(body[len(body)-1:]); err != nil {
		t.Fatal(err)
	}
	if a := receive(t, answers); a.i != 0 || a.resp == nil || a.resp.StatusCode != http.StatusOK {
		t.Fatalf("the first, once its body arrived: %+v, want 200", a)
	}
	// Its bytes were given back: a body as large fits again.
	r, err := http.Post("http://"+addr+"/api/decide", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusOK {
		t.Errorf("POST /api/decide after the budget was given back: HTTP %d, want 200", r.StatusCode)
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
