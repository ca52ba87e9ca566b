package serve

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/mtlsplay/mtlsplay/server/config"
	"github.com/mtlsplay/mtlsplay/server/echo"
)

// TestIdleConnectionsDoNotDelay holds 300 connections open in every idle state a
// client can leave one in (TCP only, half a ClientHello, handshaken and silent,
// kept alive after a request), with timeouts far beyond the test's guard, and
// checks that a real client is still served. If any of them blocked the accept
// loop or took the last slot, the real request would hang until the guard.
func TestIdleConnectionsDoNotDelay(t *testing.T) {
	lim := echo.DefaultLimits
	lim.Handshake, lim.Idle, lim.Read = time.Hour, time.Hour, time.Hour
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeStrict)), Limits: lim})
	addr := ts.s.MTLSAddr()
	cfg := clientTLS(t, goodCert[0], goodCert[1])

	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range 300 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			raw, err := net.Dial("tcp", addr)
			if err != nil {
				t.Errorf("dial %d: %v", i, err)
				return
			}
			mu.Lock()
			held = append(held, raw)
			mu.Unlock()
			switch i % 4 {
			case 0: // TCP only: half-open from TLS's point of view
			case 1: // the first bytes of a ClientHello, then nothing
				_, _ = raw.Write([]byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01})
			case 2: // a finished handshake, then nothing
				c := tls.Client(raw, cfg)
				if err := c.Handshake(); err != nil {
					t.Errorf("handshake %d: %v", i, err)
				}
				_, _ = c.Read(make([]byte, 0)) // the server's session ticket
			case 3: // one request, then kept alive and silent
				c := tls.Client(raw, cfg)
				if _, err := io.WriteString(c, "GET /c/partner-a/ HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
					t.Errorf("request %d: %v", i, err)
					return
				}
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				if err != nil {
					t.Errorf("response %d: %v", i, err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if m := get(t, "http://"+ts.s.HTTPAddr()+"/metrics"); !strings.Contains(m, `mtlsplay_open_connections{listener="mtls"} 300`+"\n") {
		t.Errorf("the server does not hold the 300 connections:\n%s", grepLines(m, "open_connections"))
	}
	c := httpClient(cfg)
	status, er, _ := getEcho(t, c, "https://"+addr+"/c/partner-a/", nil)
	if status != 200 || er.Decision.Code != 0 {
		t.Errorf("real client with 300 idle connections open: status %d, code %d", status, er.Decision.Code)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestHandshakeTimeout: a connection that never finishes its handshake is closed
// and counted, so half-open connections cannot hold slots forever.
func TestHandshakeTimeout(t *testing.T) {
	lim := echo.DefaultLimits
	lim.Handshake = 50 * time.Millisecond
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport)), Limits: lim})
	raw, err := net.Dial("tcp", ts.s.MTLSAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	_ = raw.SetReadDeadline(time.Now().Add(hangGuard))
	if _, err := raw.Read(make([]byte, 1)); err == nil {
		t.Fatalf("the server sent something to a client that said nothing")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the server never closed a silent connection")
	}
	waitFor(t, func() bool {
		return strings.Contains(get(t, "http://"+ts.s.HTTPAddr()+"/metrics"), `mtlsplay_handshake_failures_total{reason="timeout"} 1`+"\n")
	}, "the timeout counted in the metrics")
}

// TestConnectionCap: when every slot is held by a client that presented a
// certificate, a new connection waits in the backlog and is served when one frees.
func TestConnectionCap(t *testing.T) {
	lim := echo.DefaultLimits
	lim.MaxConns, lim.MaxConnsPerSource = 4, 8
	lim.Handshake, lim.Idle = time.Hour, time.Hour
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport)), Limits: lim})
	addr := ts.s.MTLSAddr()
	var held []net.Conn
	for range lim.MaxConns {
		c, err := tls.Dial("tcp", addr, clientTLS(t, goodCert[0], goodCert[1]))
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
		// One request answered: the server has seen the certificate and now waits for
		// the next request on this connection.
		if _, err := io.WriteString(c, "GET /c/partner-a/ HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	metrics := func() string { return get(t, "http://"+ts.s.HTTPAddr()+"/metrics") }
	waitFor(t, func() bool { return strings.Contains(metrics(), `mtlsplay_open_connections{listener="mtls"} 4`+"\n") }, "4 connections open")

	done := make(chan int, 1)
	go func() {
		c := httpClient(clientTLS(t, goodCert[0], goodCert[1]))
		req, _ := http.NewRequestWithContext(context.Background(), "GET", "https://"+addr+"/c/partner-a/", nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Errorf("the waiting client: %v", err)
			done <- -1
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	// While the four are held, the fifth is not accepted, and none of them is evicted.
	for range 20 {
		if m := metrics(); !strings.Contains(m, `mtlsplay_open_connections{listener="mtls"} 4`+"\n") || !strings.Contains(m, `mtlsplay_connections_shed_total{reason="evicted"} 0`+"\n") {
			t.Fatalf("more connections than the cap, or a client with a certificate evicted:\n%s", grepLines(m, "connections"))
		}
	}
	for _, c := range held {
		c.Close()
	}
	select {
	case status := <-done:
		if status != 200 {
			t.Errorf("the waiting client got %d", status)
		}
	case <-time.After(hangGuard):
		t.Fatalf("the waiting client was never served")
	}
}

// dialFrom dials addr from the loopback address local (127.0.0.2 and the rest of
// 127/8 are other sources on this machine).
func dialFrom(local string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
	return d.DialContext
}

// TestConnectionBudget: 100 hostile connections that present no certificate fill
// every slot, in each state such a client can leave one in, with timeouts far
// beyond the test; a real client from another source still gets in, by evicting
// the oldest of them.
func TestConnectionBudget(t *testing.T) {
	lim := echo.DefaultLimits
	lim.MaxConns = 100
	lim.Handshake, lim.Idle, lim.IdleNoCert, lim.Read = time.Hour, time.Hour, time.Hour, time.Hour // only eviction frees a slot
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport)), Limits: lim})
	addr := ts.s.MTLSAddr()
	noCert := clientTLS(t, "", "")

	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for i := range lim.MaxConns {
		source := []string{"127.0.0.1", "127.0.0.3"}[i%2] // each source within its share (half)
		raw, err := dialFrom(source)(context.Background(), "tcp", addr)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		held = append(held, raw)
		switch i % 3 {
		case 0: // TCP only
		case 1: // handshaken without a certificate, then silent
			c := tls.Client(raw, noCert)
			if err := c.Handshake(); err != nil {
				t.Fatalf("handshake %d: %v", i, err)
			}
			_, _ = c.Read(make([]byte, 0))
		case 2: // one request without a certificate, then silent
			c := tls.Client(raw, noCert)
			if _, err := io.WriteString(c, "GET /c/partner-a/ HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("response %d: %v", i, err)
			}
			resp.Body.Close()
			if !resp.Close {
				t.Errorf("a request without a certificate was answered without Connection: close")
			}
		}
	}
	// Those answered were closed (Connection: close); silent ones take their slots.
	metrics := func() string { return get(t, "http://"+ts.s.HTTPAddr()+"/metrics") }
	full := `mtlsplay_open_connections{listener="mtls"} 100` + "\n"
	for i := 0; !strings.Contains(metrics(), full); i++ {
		if i > 1000 {
			t.Fatalf("could not fill the slots:\n%s", grepLines(metrics(), "connections"))
		}
		raw, err := dialFrom("127.0.0.4")(context.Background(), "tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, raw)
		time.Sleep(10 * time.Millisecond) // let the server count it before asking again
	}
	c := &http.Client{Timeout: hangGuard, Transport: &http.Transport{TLSClientConfig: clientTLS(t, goodCert[0], goodCert[1]), DialContext: dialFrom("127.0.0.2")}}
	start := time.Now()
	status, er, _ := getEcho(t, c, "https://"+addr+"/c/partner-a/", nil)
	if status != 200 || er.Decision.Code != 0 {
		t.Errorf("a real client with 100 hostile connections open: status %d, code %d", status, er.Decision.Code)
	}
	t.Logf("the real client was answered in %v", time.Since(start).Round(time.Millisecond)) // reported, not asserted
	if m := metrics(); strings.Contains(m, `mtlsplay_connections_shed_total{reason="evicted"} 0`+"\n") {
		t.Errorf("no connection was evicted to let the real client in:\n%s", grepLines(m, "connections"))
	}
}

// TestConnectionsPerSource: one source holds at most its share of the connections;
// one more from it is closed at once and counted, while another source is served.
func TestConnectionsPerSource(t *testing.T) {
	lim := echo.DefaultLimits
	lim.MaxConns, lim.MaxConnsPerSource = 8, 2
	lim.Handshake = time.Hour
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport)), Limits: lim})
	addr := ts.s.MTLSAddr()
	for range 2 {
		c, err := dialFrom("127.0.0.1")(context.Background(), "tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	metrics := func() string { return get(t, "http://"+ts.s.HTTPAddr()+"/metrics") }
	waitFor(t, func() bool { return strings.Contains(metrics(), `mtlsplay_open_connections{listener="mtls"} 2`+"\n") }, "2 connections open")
	third, err := dialFrom("127.0.0.1")(context.Background(), "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	_ = third.SetReadDeadline(time.Now().Add(hangGuard))
	if _, err := third.Read(make([]byte, 1)); err == nil {
		t.Errorf("a third connection from one source was served, want it closed")
	}
	waitFor(t, func() bool {
		return strings.Contains(metrics(), `mtlsplay_connections_shed_total{reason="source_limit"} 1`+"\n")
	}, "the refusal counted")
	c := &http.Client{Timeout: hangGuard, Transport: &http.Transport{TLSClientConfig: clientTLS(t, goodCert[0], goodCert[1]), DialContext: dialFrom("127.0.0.2")}}
	if status, _, _ := getEcho(t, c, "https://"+addr+"/c/partner-a/", nil); status != 200 {
		t.Errorf("another source: status %d, want 200", status)
	}
}

// waitFor polls cond until it holds, failing after the hang guard.
func waitFor(t testing.TB, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited too long for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestIdleWithoutCertificate: a connection that presented no certificate and sends
// no request is closed after Limits.IdleNoCert, whatever the other timeouts.
func TestIdleWithoutCertificate(t *testing.T) {
	lim := echo.DefaultLimits
	lim.Handshake, lim.Idle, lim.IdleNoCert = time.Hour, time.Hour, 100*time.Millisecond
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport)), Limits: lim})
	c, err := tls.Dial("tcp", ts.s.MTLSAddr(), clientTLS(t, "", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(hangGuard))
	if _, err := io.ReadAll(c); err != nil && !strings.Contains(err.Error(), "reset") {
		t.Errorf("a silent connection without a certificate was not closed by the server: %v", err)
	}
}

// TestConnectionBudgetHTTP2: idle HTTP/2 connections without a certificate, which
// net/http serves, are evicted like the rest when every slot is taken.
func TestConnectionBudgetHTTP2(t *testing.T) {
	lim := echo.DefaultLimits
	lim.MaxConns, lim.MaxConnsPerSource = 10, 10
	lim.Handshake, lim.Idle, lim.IdleNoCert = time.Hour, time.Hour, time.Hour
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport)), Limits: lim})
	url := "https://" + ts.s.MTLSAddr() + "/c/partner-a/"
	for range lim.MaxConns {
		cfg := clientTLS(t, "", "")
		cfg.NextProtos = []string{"h2"}
		tr := &http2.Transport{TLSClientConfig: cfg}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr, Timeout: hangGuard}).Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.ProtoMajor != 2 || resp.StatusCode != 401 {
			t.Fatalf("a client without a certificate over HTTP/2: %s %d", resp.Proto, resp.StatusCode)
		}
	}
	waitFor(t, func() bool {
		return strings.Contains(get(t, "http://"+ts.s.HTTPAddr()+"/metrics"), `mtlsplay_open_connections{listener="mtls"} 10`+"\n")
	}, "10 HTTP/2 connections open")
	c := &http.Client{Timeout: hangGuard, Transport: &http.Transport{TLSClientConfig: clientTLS(t, goodCert[0], goodCert[1]), DialContext: dialFrom("127.0.0.2")}}
	if status, _, _ := getEcho(t, c, url, nil); status != 200 {
		t.Errorf("a real client with every slot held by idle HTTP/2 connections: status %d", status)
	}
}
