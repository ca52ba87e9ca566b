// Package opensslpki makes a small PKI with the openssl binary at test time, so
// tests check the engine on certificates that no code of this repository produced.
// It is for tests only: it runs a program, which the engine itself never does.
package opensslpki

import (
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

// LeafDays and IntermediateDays are how long the leaf and the intermediate are valid
// from when they are made (the roots: ten years).
const (
	LeafDays         = 365
	IntermediateDays = 730
)

// PKI is a root, an intermediate under it and a client certificate under that, plus
// an unrelated root, as a person makes them by following OpenSSL tutorials. The
// root's DN is the one the Workato docs use as an example, `CN=RootCA,O=Org,C=US`.
type PKI struct {
	Dir string
	// Files, by path: single certificates and the usual ways of joining them.
	Root, Intermediate, Leaf, LeafKey, Other string
	Chain                                    string // leaf, intermediate: the correct chain to send
	Reversed                                 string // intermediate, leaf: the intermediate pasted first
	FullChain                                string // leaf, intermediate, root
	OtherLeaf                                string // a client certificate issued directly by Other
	OtherKey                                 string
	NotBefore                                time.Time // of the leaf: a time inside every certificate's validity is NotBefore + an hour
}

// RootDN, IntermediateDN, LeafDN and OtherDN are the subjects, as certinfo shows them.
const (
	RootDN         = "CN=RootCA,O=Org,C=US"
	IntermediateDN = "CN=Org Issuing CA,O=Org,C=US"
	LeafDN         = "CN=client.example.com,O=Org,C=US"
	OtherDN        = "CN=Other Root CA,O=Other Org,C=US"
)

// LeafSAN is the client certificate's subjectAltName, in OpenSSL's syntax.
const LeafSAN = "DNS:client.example.com,email:ops@example.com,URI:https://client.example.com/app"

// New makes the PKI in a temporary directory of t, or skips t when openssl is not
// installed.
func New(t testing.TB) *PKI {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed: the cross-tool tests need it (apt-get install openssl)")
	}
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	ossl := func(args ...string) {
		t.Helper()
		cmd := exec.Command("openssl", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	write := func(name string, parts ...string) string {
		t.Helper()
		var b []byte
		for _, p := range parts {
			data, err := os.ReadFile(path(p))
			if err != nil {
				t.Fatal(err)
			}
			b = append(b, data...)
		}
		if err := os.WriteFile(path(name), b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path(name)
	}
	if err := os.WriteFile(path("ext.cnf"), []byte(`[ca]
basicConstraints=critical,CA:true,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[client]
basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
subjectAltName=`+LeafSAN+`
[other_client]
basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=DNS:other.example.com
`), 0o600); err != nil {
		t.Fatal(err)
	}
	ec := []string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"}
	root := func(name, subj string) {
		ossl(append(append([]string{"req", "-x509"}, ec...), "-keyout", name+".key", "-out", name+".pem", "-days", "3650",
			"-subj", subj, "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign")...)
	}
	issue := func(name, ca, subj, section string, days string) {
		ossl(append(append([]string{"req", "-new"}, ec...), "-keyout", name+".key", "-out", name+".csr", "-subj", subj)...)
		ossl("x509", "-req", "-in", name+".csr", "-CA", ca+".pem", "-CAkey", ca+".key", "-CAcreateserial",
			"-out", name+".pem", "-days", days, "-extfile", "ext.cnf", "-extensions", section)
	}
	root("root", "/C=US/O=Org/CN=RootCA")
	root("other", "/C=US/O=Other Org/CN=Other Root CA")
	issue("inter", "root", "/C=US/O=Org/CN=Org Issuing CA", "ca", "730")
	issue("leaf", "inter", "/C=US/O=Org/CN=client.example.com", "client", "365")
	issue("otherleaf", "other", "/CN=other.example.com", "other_client", "365")
	p := &PKI{
		Dir: dir, Root: path("root.pem"), Intermediate: path("inter.pem"), Leaf: path("leaf.pem"), LeafKey: path("leaf.key"),
		Other: path("other.pem"), OtherLeaf: path("otherleaf.pem"), OtherKey: path("otherleaf.key"),
		Chain: write("chain.pem", "leaf.pem", "inter.pem"), Reversed: write("reversed.pem", "inter.pem", "leaf.pem"),
		FullChain: write("fullchain.pem", "leaf.pem", "inter.pem", "root.pem"),
	}
	data, err := os.ReadFile(p.Leaf)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	if b == nil {
		t.Fatalf("%s: no PEM block", p.Leaf)
	}
	c, err := certinfo.Parse(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	p.NotBefore = c.NotBefore
	return p
}

// At is a time inside every certificate's validity, so tests do not depend on the
// current date beyond the day OpenSSL made the PKI.
func (p *PKI) At() time.Time { return p.NotBefore.Add(time.Hour) }

// Read returns a file's bytes, failing t when it cannot.
func Read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
