package serve

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/server/config"
	"github.com/mtlsplay/mtlsplay/server/echo"
)

// TestGracefulShutdown: when serve is told to stop, requests in flight on both
// listeners finish and are answered, idle connections are closed, new ones are
// refused, and serve returns 0.
func TestGracefulShutdown(t *testing.T) {
	lim := echo.DefaultLimits
	lim.Grace = hangGuard
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport)), Limits: lim})

	// In flight on the page listener: a POST /api/decide whose body is half sent.
	decide := decideRequest(t)
	page, err := net.Dial("tcp", ts.s.HTTPAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer page.Close()
	half := len(decide) / 2
	head := "POST /api/decide HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(decide)) + "\r\n\r\n"
	if _, err := io.WriteString(page, head+string(decide[:half])); err != nil {
		t.Fatal(err)
	}

	// In flight on the mTLS listener: a request whose header is half sent.
	echo, err := tls.Dial("tcp", ts.s.MTLSAddr(), clientTLS(t, goodCert[0], goodCert[1]))
	if err != nil {
		t.Fatal(err)
	}
	defer echo.Close()
	if _, err := io.WriteString(echo, "GET /c/partner-a/ HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	// Idle on the mTLS listener: a finished request on a kept-alive connection.
	idle, err := tls.Dial("tcp", ts.s.MTLSAddr(), clientTLS(t, goodCert[0], goodCert[1]))
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	idleBR := bufio.NewReader(idle)
	io.WriteString(idle, "GET /c/partner-a/ HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp, err := http.ReadResponse(idleBR, nil); err != nil {
		t.Fatal(err)
	} else {
		io.Copy(io.Discard, resp.Body)
	}
	// Both in-flight requests must have reached the server before it stops. (The
	// metrics request itself is one in flight on the page listener.)
	waitFor(t, func() bool {
		m := get(t, "http://"+ts.s.HTTPAddr()+"/metrics")
		return strings.Contains(m, `mtlsplay_requests_in_flight{listener="http"} 2`+"\n") &&
			strings.Contains(m, `mtlsplay_requests_in_flight{listener="mtls"} 1`+"\n")
	}, "both requests in flight")

	ts.cancel() // as SIGINT or SIGTERM would
	waitFor(t, func() bool { return strings.Contains(ts.stderr.String(), "shutting down") }, "shutdown to start")
	// The idle connection is closed.
	_ = idle.SetReadDeadline(time.Now().Add(hangGuard))
	if _, err := idleBR.ReadByte(); err == nil {
		t.Errorf("the idle connection got data after shutdown began")
	}
	// New connections are refused.
	waitFor(t, func() bool {
		c, err := net.Dial("tcp", ts.s.MTLSAddr())
		if err != nil {
			return true
		}
		c.Close()
		return false
	}, "the mTLS listener to close")

	// The requests in flight finish.
	if _, err := page.Write(decide[half:]); err != nil {
		t.Fatalf("finishing the API request: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(page), nil)
	if err != nil {
		t.Fatalf("API response during shutdown: %v", err)
	}
	var out struct{ Code int }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || out.Code != 0 {
		t.Errorf("API request in flight: status %d, code %d, %v", resp.StatusCode, out.Code, err)
	}
	if _, err := io.WriteString(echo, "\r\n"); err != nil {
		t.Fatalf("finishing the echo request: %v", err)
	}
	eresp, err := http.ReadResponse(bufio.NewReader(echo), nil)
	if err != nil {
		t.Fatalf("echo response during shutdown: %v", err)
	}
	io.Copy(io.Discard, eresp.Body)
	if eresp.StatusCode != 200 || !eresp.Close {
		t.Errorf("echo request in flight: status %d, Connection: close %v", eresp.StatusCode, eresp.Close)
	}

	select {
	case code := <-ts.done:
		ts.done <- code
		if code != 0 {
			t.Errorf("serve returned %d after shutdown, want 0", code)
		}
	case <-time.After(hangGuard):
		t.Fatalf("serve did not return after its requests finished")
	}
}

// decideRequest is a POST /api/decide body deciding on the good test chain.
func decideRequest(t testing.TB) []byte {
	t.Helper()
	chain, err := os.ReadFile(pkiPath("client-good-chain.pem"))
	if err != nil {
		t.Fatal(err)
	}
	root, err := os.ReadFile(pkiPath("root.pem"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(engine.DecideRequest{
		Certificates: string(chain),
		Bundles:      []engine.BundleInput{{Name: "root.pem", PEM: string(root)}},
		Rule:         `CN == "client.example.com"`,
		At:           "2026-06-01T00:00:00Z",
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestShutdownClosesStuckHTTP2 holds an HTTP/2 response back (the client opens no
// flow-control window, so the server can send no DATA): the stream stays active, and
// when the grace period ends serve closes the connection rather than leaving it open.
func TestShutdownClosesStuckHTTP2(t *testing.T) {
	lim := echo.DefaultLimits
	lim.Grace = 300 * time.Millisecond
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport)), Limits: lim})

	cfg := clientTLS(t, goodCert[0], goodCert[1])
	cfg.NextProtos = []string{"h2"}
	c, err := tls.Dial("tcp", ts.s.MTLSAddr(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if p := c.ConnectionState().NegotiatedProtocol; p != "h2" {
		t.Fatalf("negotiated %q, want h2", p)
	}
	if _, err := io.WriteString(c, http2.ClientPreface); err != nil {
		t.Fatal(err)
	}
	fr := http2.NewFramer(c, c)
	if err := fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 0}); err != nil {
		t.Fatal(err)
	}
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", "https"}, {":authority", "localhost"}, {":path", "/c/partner-a/"}} {
		_ = enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndStream: true, EndHeaders: true}); err != nil {
		t.Fatal(err)
	}
	// The response's HEADERS arrive; its DATA cannot.
	_ = c.SetReadDeadline(time.Now().Add(hangGuard))
	for gotHeaders := false; !gotHeaders; {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("reading the response: %v", err)
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				_ = fr.WriteSettingsAck()
			}
		case *http2.HeadersFrame:
			gotHeaders = f.StreamID == 1
		case *http2.DataFrame:
			t.Fatalf("DATA of %d bytes with no window open", len(f.Data()))
		}
	}

	ts.cancel()
	start := time.Now()
	for {
		if _, err := fr.ReadFrame(); err != nil { // GOAWAY first, then the connection ends
			break
		}
	}
	if waited := time.Since(start); waited > lim.Grace+2*time.Second {
		t.Errorf("the stuck HTTP/2 connection was closed %v after shutdown began, want about the grace period (%v)", waited, lim.Grace)
	}
	select {
	case code := <-ts.done:
		ts.done <- code
	case <-time.After(hangGuard):
		t.Fatal("serve did not return")
	}
	if !strings.Contains(ts.stderr.String(), "still open after the grace period were closed") {
		t.Errorf("no log line about closing connections after the grace period:\n%s", ts.stderr)
	}
}

// TestShutdownLosesNothing stops serve (as SIGTERM does: its context ends) five
// times under keep-alive HTTP/1.1, HTTP/2 and POST /api/decide load, and checks
// that every request the server read was answered: as many responses reached the
// clients as the server counted.
func TestShutdownLosesNothing(t *testing.T) {
	for run := range 5 {
		t.Run(strconv.Itoa(run+1), shutdownUnderLoad)
	}
}

func shutdownUnderLoad(t *testing.T) {
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport))})
	echoURL, page := "https://"+ts.s.MTLSAddr(), "http://"+ts.s.HTTPAddr()
	var h1, h2, api atomic.Int64 // responses received
	var wg sync.WaitGroup
	stop := make(chan struct{})
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	for range 8 { // keep-alive HTTP/1.1, one request after another until the server ends the connection
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := tls.Dial("tcp", ts.s.MTLSAddr(), clientTLS(t, goodCert[0], goodCert[1]))
			if err != nil {
				return
			}
			defer c.Close()
			br := bufio.NewReader(c)
			for {
				if _, err := io.WriteString(c, "GET /c/partner-a/h1 HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
					return
				}
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					return
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil {
					return
				}
				h1.Add(1)
				if resp.Close {
					return
				}
			}
		}()
	}
	h2cfg := clientTLS(t, goodCert[0], goodCert[1])
	h2cfg.NextProtos = []string{"h2"}
	h2client := &http.Client{Timeout: hangGuard, Transport: &http2.Transport{TLSClientConfig: h2cfg}}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stopped() {
				resp, err := h2client.Get(echoURL + "/c/partner-a/h2")
				if err != nil {
					continue // refused after shutdown began: nothing was read
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err == nil && resp.StatusCode == 200 {
					h2.Add(1)
				}
			}
		}()
	}
	body := decideRequest(t)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Timeout: hangGuard}
			for !stopped() {
				resp, err := c.Post(page+"/api/decide", "application/json", bytes.NewReader(body))
				if err != nil {
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err == nil && resp.StatusCode == 200 {
					api.Add(1)
				}
			}
		}()
	}
	// Stop once every kind of request has been answered a few times (a loaded
	// machine may take a while to answer the first); the counts below do not
	// depend on when.
	waitFor(t, func() bool { return h1.Load() >= 10 && h2.Load() >= 10 && api.Load() >= 2 }, "every kind of request answered")
	if code := ts.stop(); code != 0 {
		t.Errorf("serve exited with %d", code)
	}
	close(stop)
	wg.Wait()
	h2client.CloseIdleConnections()

	// What the server answered, from its counters (the log is rate-limited).
	rec := httptest.NewRecorder()
	ts.s.metrics.ServeHTTP(rec, nil)
	answered := func(series string) (n int64) {
		for _, l := range strings.Split(rec.Body.String(), "\n") {
			if v, ok := strings.CutPrefix(l, series+" "); ok {
				n, _ = strconv.ParseInt(v, 10, 64)
			}
		}
		return n
	}
	for _, c := range []struct {
		name     string
		received int64
		logged   int64
	}{
		{"echo over HTTP/1.1 keep-alive and HTTP/2", h1.Load() + h2.Load(), answered(`mtlsplay_echo_responses_total{client="partner-a",code="0"}`)},
		{"POST /api/decide", api.Load(), answered(`mtlsplay_api_decide_requests_total{status="200"}`)},
	} {
		if c.received != c.logged {
			t.Errorf("%s: the server answered %d requests, the clients received %d: %d lost", c.name, c.logged, c.received, c.logged-c.received)
		}
		if c.received == 0 {
			t.Errorf("%s: no request was answered before the stop: the test measured nothing", c.name)
		}
	}
	if h1.Load() == 0 || h2.Load() == 0 {
		t.Errorf("HTTP/1.1 answered %d, HTTP/2 %d: the test must load both", h1.Load(), h2.Load())
	}
}
