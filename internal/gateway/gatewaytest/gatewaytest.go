// Package gatewaytest starts the real gateways (Debian's nginx, HAProxy and Caddy)
// for the tests that hold mtlsplay to them: the gateway views and trust models
// (internal/gateway), the export (internal/export) and the delegate recipes
// (server/serve). It finds a gateway's binary, picks free loopback ports, runs a
// gateway for the length of a test and waits until it listens.
package gatewaytest

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// Binary is the first of names found on $PATH or at its path; "" when none is,
// and the test skips that gateway.
func Binary(names ...string) string {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// FreeAddrs returns n distinct free loopback addresses. Every listener is held
// until the last is open, so the kernel cannot hand out one port twice.
func FreeAddrs(t testing.TB, n int) []string {
	t.Helper()
	addrs := make([]string, n)
	for i := range addrs {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		addrs[i] = l.Addr().String()
	}
	return addrs
}

// Run starts cmd and stops it when the test ends (an interrupt, then a kill after
// 5 s), logging its output and its error log (unless errorLog is "") when the test
// failed. The channel is closed when the gateway exits.
func Run(t testing.TB, name string, cmd *exec.Cmd, errorLog string) <-chan struct{} {
	t.Helper()
	out := &output{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", name, out.String())
			if b, err := os.ReadFile(errorLog); errorLog != "" && err == nil {
				t.Logf("%s error log:\n%s", name, b)
			}
		}
	})
	return done
}

// WaitListening waits until addr accepts connections, failing the test if the
// gateway exits first or does not listen within 20 s (a busy machine).
func WaitListening(t testing.TB, addr string, exited <-chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatal("the gateway exited at start")
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the gateway is not listening on %s after 20 seconds", addr)
}

// output is a gateway's stdout and stderr, written while the test may read it.
type output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}
