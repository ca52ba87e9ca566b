//go:build unix

package serve

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStartFIFOConfig: serve with a named pipe as its config exits 2 at once with
// one line on stderr; it used to wait for a writer before listening for signals.
func TestStartFIFOConfig(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "mtlsplay.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(context.Background(), Options{ConfigPath: fifo, HTTPAddr: "127.0.0.1:0", MTLSAddr: "127.0.0.1:0"}, &stdout, &stderr)
	}()
	select {
	case code := <-done:
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if code != ExitBadInput || len(lines) != 1 || !strings.Contains(lines[0], "named pipe") {
			t.Errorf("serve --config FIFO: exit %d, stderr %q; want %d and one line saying it is a named pipe", code, stderr.String(), ExitBadInput)
		}
	case <-time.After(hangGuard):
		if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil { // unblock the reader
			w.Close()
		}
		t.Fatal("serve --config FIFO did not return: it waits for a writer")
	}
}
