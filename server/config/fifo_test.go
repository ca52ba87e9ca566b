//go:build unix

package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// TestSpecialFiles: a named pipe (or any file that is not a regular file) as the
// config, a bundle or the server's certificate or key is one clear error at once;
// opening a FIFO for reading would otherwise wait for a writer, and start-up would
// hang where no signal handler is yet listening.
func TestSpecialFiles(t *testing.T) {
	tests := []struct {
		name string
		yaml string // "" makes the config file itself the FIFO
		want []string
	}{
		{"config", "", []string{"named pipe", "not a regular YAML file"}},
		{"bundle", configTLS + "clients:\n  - name: partner-a\n    bundles: [fifo]\n", []string{`client "partner-a"`, "bundle fifo", "named pipe", "not a regular PEM file"}},
		{"tls.cert", "tls: {cert: fifo, key: ca/server-localhost.key}\n", []string{"tls.cert fifo", "named pipe"}},
		{"tls.key", "tls: {cert: ca/server-localhost-chain.pem, key: fifo}\n", []string{"tls.key fifo", "named pipe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := configDir(t)
			fifo := filepath.Join(dir, "fifo")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Skipf("cannot make a FIFO here: %v", err)
			}
			p := fifo
			if tt.yaml != "" {
				p = filepath.Join(dir, "mtlsplay.yaml")
				if err := os.WriteFile(p, []byte(tt.yaml), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			done := make(chan error, 1)
			go func() {
				_, err := Load(p, pki.TestNow)
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(time.Minute):
				// Unblock the reader, so the test ends with the failure.
				if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
					w.Close()
				}
				t.Fatalf("Load with a FIFO as %s did not return: it waits for a writer", tt.name)
			}
			if err == nil {
				t.Fatalf("Load with a FIFO as %s succeeded", tt.name)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("Load(FIFO as %s) error is not one line: %q", tt.name, msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("Load(FIFO as %s) error %q does not mention %q", tt.name, msg, w)
				}
			}
		})
	}
}
