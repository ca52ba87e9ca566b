//go:build unix

package demo

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestDemoFIFO: a named pipe in place of a demo file does not hang Open, which
// would block start-up before serve listens for signals; the demo is made again.
func TestDemoFIFO(t *testing.T) {
	state := t.TempDir()
	now := time.Now()
	if _, _, err := Open(state, now); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(state, "demo", "clients", "good.key")
	if err := os.Remove(key); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(key, 0o600); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	type result struct {
		d    *State
		made bool
		err  error
	}
	done := make(chan result, 1)
	go func() {
		d, made, err := Open(state, now)
		done <- result{d, made, err}
	}()
	select {
	case r := <-done:
		if r.err != nil || !r.made || len(r.d.Files["good.key"]) == 0 {
			t.Errorf("Open with a FIFO as clients/good.key: made %v, %v; want the demo made again", r.made, r.err)
		}
	case <-time.After(time.Minute):
		if w, err := os.OpenFile(key, os.O_WRONLY, 0); err == nil { // unblock the reader
			w.Close()
		}
		t.Fatal("Open with a FIFO as clients/good.key did not return: it waits for a writer")
	}
}
