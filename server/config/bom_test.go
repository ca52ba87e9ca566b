package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestServerCertByteOrderMark: tls.cert and tls.key saved with a UTF-8 byte
// order mark (Windows Notepad) load as the pair they hold; the chain lost its
// leaf to encoding/pem and the key "did not match".
func TestServerCertByteOrderMark(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{"chain.pem": "server-localhost-chain.pem", "key.pem": "server-localhost.key"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pki", src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), append([]byte("\ufeff"), b...), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "mtlsplay.yaml")
	cfg, err := Parse(path, []byte("tls: {cert: chain.pem, key: key.pem}\nclients: []\n"), time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(cfg.ServerCert.Certificate) != 2 || cfg.ServerCert.Leaf == nil || cfg.ServerCert.Leaf.Subject.CommonName != "localhost" {
		t.Fatalf("Parse with byte order marks: %v", err)
	}
}
