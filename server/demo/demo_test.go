package demo

import (
	"bytes"
	"context"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestDemoRenewal: a demo whose certificates are about to expire is made again.
func TestDemoRenewal(t *testing.T) {
	state := t.TempDir()
	long := time.Now().Add(-5*365*24*time.Hour + 24*time.Hour) // the leaves expire tomorrow
	if _, made, err := Open(state, long); err != nil || !made {
		t.Fatalf("Open: made %v, %v", made, err)
	}
	if _, made, err := Open(state, time.Now()); err != nil || !made {
		t.Fatalf("Open with leaves about to expire: made %v, %v; want it made again", made, err)
	}
	if _, made, err := Open(state, time.Now()); err != nil || made {
		t.Fatalf("Open of a fresh demo: made %v, %v; want it reused", made, err)
	}
	entries, _ := os.ReadDir(state)
	if len(entries) != 1 || entries[0].Name() != "demo" {
		t.Errorf("state folder holds %v, want only demo", entries)
	}
}

// TestDemoP12: each demo client's .p12 is its chain and key as OpenSSL 3 reads
// them with the printed password: the same certificates in the same order, and a
// key that matches the leaf.
func TestDemoP12(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed")
	}
	d, _, err := Open(t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	openssl := func(args ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "openssl", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
		return out
	}
	for _, c := range Clients {
		p12 := filepath.Join(dir, c.Name+".p12")
		if err := os.WriteFile(p12, d.Files[c.Name+".p12"], 0o600); err != nil {
			t.Fatal(err)
		}
		pass := "pass:" + P12Password
		certs := openssl("pkcs12", "-in", p12, "-passin", pass, "-nokeys")
		if want := pemBlocks(t, d.Files[c.Name+".pem"]); !bytes.Equal(pemBlocks(t, certs), want) {
			t.Errorf("%s.p12 holds other certificates than %s.pem:\n%s", c.Name, c.Name, certs)
		}
		key := openssl("pkcs12", "-in", p12, "-passin", pass, "-nocerts", "-nodes")
		keyFile := filepath.Join(dir, c.Name+".key")
		if err := os.WriteFile(keyFile, key, 0o600); err != nil {
			t.Fatal(err)
		}
		if got, want := openssl("pkey", "-in", keyFile, "-pubout"), openssl("pkey", "-in", writeTemp(t, dir, c.Name+".orig.key", d.Files[c.Name+".key"]), "-pubout"); !bytes.Equal(got, want) {
			t.Errorf("%s.p12 holds another key than %s.key", c.Name, c.Name)
		}
		if out, err := exec.Command("openssl", "pkcs12", "-in", p12, "-passin", "pass:wrong", "-nokeys").CombinedOutput(); err == nil {
			t.Errorf("%s.p12 opens with a wrong password:\n%s", c.Name, out)
		}
	}
}

func writeTemp(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// pemBlocks is the DER of every CERTIFICATE block in data, concatenated: what
// two PEM files share when they hold the same certificates in the same order,
// whatever their headers ("Bag Attributes") say.
func pemBlocks(t *testing.T, data []byte) []byte {
	t.Helper()
	var out []byte
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return out
		}
		if b.Type == "CERTIFICATE" {
			out = append(out, b.Bytes...)
		}
	}
}
