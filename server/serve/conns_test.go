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

// TestConnectionCap: beyond the cap, connections wait in the backlog and are served
// when a slot frees.
func TestConnectionCap(t *testing.T) {
	lim := echo.DefaultLimits
	lim.MaxConns = 4
	lim.Handshake, lim.Idle = time.Hour, time.Hour
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport)), Limits: lim})
	addr := ts.s.MTLSAddr()
	var held []net.Conn
	for range lim.MaxConns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	metrics := func() string { return get(t, "http://"+ts.s.HTTPAddr()+"/metrics") }
	waitFor(t, func() bool { return strings.Contains(metrics(), `mtlsplay_open_connections{listener="mtls"} 4`+"\n") }, "4 connections open")

	done := make(chan int, 1)
	go func() {
		c := httpClient(clientTLS(t, goodCert[0], goodCert[1]))
		req, _ := http.NewRequestWithContext(context.Background(), "GET", "https://"+addr+"/c/partner-a/", nil)
		resp, err := c.Do(req)
		if err != nil {
			done <- -1
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	// While the four are held, the fifth is not accepted.
	for range 20 {
		if m := metrics(); !strings.Contains(m, `mtlsplay_open_connections{listener="mtls"} 4`+"\n") {
			t.Fatalf("more connections than the cap:\n%s", grepLines(m, "open_connections"))
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
