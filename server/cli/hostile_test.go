package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildBinary builds the real mtlsplay binary once, so hostile input is checked
// where a panic or stack trace would show: a separate process's stderr and status.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mtlsplay")
	out, err := exec.Command("go", "build", "-o", bin, "..").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestHostileInput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	random := make([]byte, 4096)
	r := mrand.NewChaCha8([32]byte{1})
	r.Read(random)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
	cert := testCertPEM(t)
	certFile := write("cert.pem", cert)

	nested := strings.Repeat("(", 5000) + "true" + strings.Repeat(")", 5000)
	exponential := `[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, [1,2,3,4,5,6,7,8,9,10].all(f, a+b+c+d+e+f > 0))))))`
	doubling := `[CN + "0123456789"].map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).map(x, x + x).size() > 0`

	tests := []struct {
		name     string
		args     []string
		stdin    []byte
		want     string // in stderr
		oneLine  bool
		wantExit int
	}{
		{"random bytes", []string{"inspect", write("random.bin", random)}, nil, "no certificate found", true, 2},
		{"random bytes on stdin", []string{"verify", "--bundle", certFile, "-"}, random, "standard input", true, 2},
		{"private key", []string{"inspect", write("key.pem", keyPEM)}, nil, "never paste or upload a private key", true, 2},
		{"private key as bundle", []string{"verify", "--bundle", write("key2.pem", keyPEM), certFile}, nil, "private key", true, 2},
		{"DER private key", []string{"eval", "--rule", "true", write("key.der", pkcs8)}, nil, "private key", true, 2},
		{"truncated PEM", []string{"inspect", write("trunc.pem", cert[:len(cert)/2])}, nil, "truncated", true, 2},
		{"20 MB", []string{"inspect", write("big.pem", bytes.Repeat([]byte("A"), 20<<20))}, nil, "larger than", true, 2},
		{"20 MB on stdin", []string{"inspect", "-"}, bytes.Repeat([]byte("-----BEGIN CERTIFICATE-----\n"), 800_000), "larger than", true, 2},
		{"missing file", []string{"inspect", filepath.Join(dir, "nope.pem")}, nil, "no such file", true, 2},
		{"directory", []string{"inspect", dir}, nil, "is a directory", true, 2},
		{"bad time", []string{"eval", "--rule", "true", "--at", "yesterday", certFile}, nil, "RFC 3339", true, 2},
		{"nested parentheses", []string{"eval", "--rule", nested, certFile}, nil, "rule:", false, 2},
		{"exponential comprehension", []string{"eval", "--rule", exponential, certFile}, nil, "cost", true, 2},
		{"doubling lists", []string{"eval", "--rule", doubling, certFile}, nil, "cost", true, 2},
		{"non-bool rule", []string{"eval", "--rule", "CN", certFile}, nil, "bool", false, 2},
		{"typo", []string{"eval", "--rule", `CM == "x"`, certFile}, nil, "rule:1:1", false, 2},
		{"huge rule file", []string{"eval", "--rule-file", write("huge.cel", []byte(strings.Repeat("true && ", 100_000)+"true")), certFile}, nil, "larger than 65536 bytes", true, 2},
		{"long rule", []string{"eval", "--rule", strings.Repeat("true && ", 4_000) + "true", certFile}, nil, "rule", false, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A guard against hangs only; speed is measured by benchmarks, not asserted.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, tt.args...)
			cmd.Stdin = bytes.NewReader(tt.stdin)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			if ctx.Err() != nil {
				t.Fatalf("mtlsplay %s hung", tt.name)
			}
			exit := 0
			if ee, ok := err.(*exec.ExitError); ok {
				exit = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			msg := stderr.String()
			if exit != tt.wantExit || !strings.Contains(msg, tt.want) || !strings.HasPrefix(msg, "mtlsplay: ") {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", exit, clip(msg), tt.wantExit, tt.want)
			}
			if strings.Contains(msg, "panic") || strings.Contains(msg, "goroutine ") {
				t.Errorf("stderr shows a panic: %s", clip(msg))
			}
			if tt.oneLine && strings.Count(msg, "\n") != 1 {
				t.Errorf("stderr is %d lines, want one: %q", strings.Count(msg, "\n"), clip(msg))
			}
		})
	}
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

func testCertPEM(t *testing.T) []byte {
	t.Helper()
	p := filepath.Join("..", "..", "testdata", "pki", "client-good.pem")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("test PKI missing (go generate ./internal/pki): %v", err)
	}
	return b
}
