// Package demo is the zero-config demo: a CA, a server certificate for loopback,
// client certificates that show each decision code and a config that uses them,
// made once in a state folder; and /try/, the page that tells how to use them.
package demo

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/server/config"
	"github.com/mtlsplay/mtlsplay/server/htmlpage"
)

// The zero-config demo lives in STATE/demo: a CA, a server certificate for loopback,
// demo client certificates and a config file that uses them. It is made once and
// reused, so a curl line copied yesterday still works; it is made again when the
// server or the good client certificate is about to expire.
const (
	demoDirName    = "demo"
	demoConfigName = "config.yaml"
	demoRenewal    = 30 * 24 * time.Hour // renew leaves that expire sooner than this
)

// Client is one downloadable demo certificate and what it shows.
type Client struct {
	Name   string // file stem: good, expired, serverauth, unknown-ca
	CN     string
	Code   int    // the decision client demo makes for it
	Shows  string // what using it demonstrates
	Client string // the configured client to try it with
}

// Clients are the demo's client certificates.
var Clients = []Client{
	{"good", "demo-client", policy.Accepted, "accepted", "demo"},
	{"expired", "demo-expired", policy.InvalidCertificate, "the certificate expired", "demo"},
	{"serverauth", "demo-serverauth", policy.InvalidCertificate, "its extended key usage is serverAuth only", "demo"},
	{"unknown-ca", "demo-unknown-ca", policy.InvalidCertificate, "issued by a CA that no bundle trusts", "demo"},
}

// State is the loaded demo: where its files are and what the page offers.
type State struct {
	Dir        string // STATE/demo
	ConfigPath string
	RootPEM    []byte
	Files      map[string][]byte // download name → content: root.pem, good.pem, good.key, …
}

func (d *State) path(parts ...string) string {
	return filepath.Join(append([]string{d.Dir}, parts...)...)
}

// DefaultStateDir is $XDG_STATE_HOME/mtlsplay, else ~/.local/state/mtlsplay.
func DefaultStateDir() (string, error) {
	if x := os.Getenv("XDG_STATE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "mtlsplay"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no state folder: %v; pass --state DIR", err)
	}
	return filepath.Join(home, ".local", "state", "mtlsplay"), nil
}

// Open loads the demo from state, creating it first if it is missing, incomplete
// or about to expire. created says whether it was (re)made.
func Open(state string, now time.Time) (d *State, created bool, err error) {
	if state, err = filepath.Abs(state); err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(state, 0o700); err != nil {
		return nil, false, fmt.Errorf("state folder: %v", err)
	}
	dir := filepath.Join(state, demoDirName)
	if d, err := loadDemo(dir, now); err == nil {
		return d, false, nil
	}
	// Build the new demo beside the old one and swap it in, so a crash never
	// leaves half a demo behind and a running server's files are never rewritten.
	tmp, err := os.MkdirTemp(state, ".demo-new-")
	if err != nil {
		return nil, false, fmt.Errorf("state folder: %v", err)
	}
	defer os.RemoveAll(tmp)
	if err := writeDemo(tmp, now); err != nil {
		return nil, false, err
	}
	if _, err := os.Stat(dir); err == nil {
		old := filepath.Join(state, fmt.Sprintf(".demo-old-%d", now.UnixNano()))
		if err := os.Rename(dir, old); err != nil {
			return nil, false, fmt.Errorf("state folder: %v", err)
		}
		defer os.RemoveAll(old)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if d, lerr := loadDemo(dir, now); lerr == nil { // another server made it first
			return d, false, nil
		}
		return nil, false, fmt.Errorf("state folder: %v", err)
	}
	d, err = loadDemo(dir, now)
	return d, true, err
}

// loadDemo reads a complete demo, or fails if anything is missing, expiring or not a
// regular file (config.ReadFile: a named pipe there would hang start-up; the demo
// is made again instead).
func loadDemo(dir string, now time.Time) (*State, error) {
	d := &State{Dir: dir, ConfigPath: filepath.Join(dir, demoConfigName), Files: map[string][]byte{}}
	if _, err := os.Stat(d.ConfigPath); err != nil {
		return nil, err
	}
	for _, p := range []string{"server/chain.pem", "clients/good.pem"} {
		data, err := config.ReadFile(d.path(p), "PEM")
		if err != nil {
			return nil, err
		}
		block, _ := pem.Decode(data)
		if block == nil {
			return nil, fmt.Errorf("%s: no PEM", p)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		if c.NotAfter.Before(now.Add(demoRenewal)) {
			return nil, fmt.Errorf("%s expires at %s", p, c.NotAfter)
		}
	}
	var err error
	if d.RootPEM, err = config.ReadFile(d.path("ca", "root.pem"), "PEM"); err != nil {
		return nil, err
	}
	d.Files["root.pem"] = d.RootPEM
	for _, c := range Clients {
		for _, ext := range []string{".pem", ".key"} {
			b, err := config.ReadFile(d.path("clients", c.Name+ext), "PEM")
			if err != nil {
				return nil, err
			}
			d.Files[c.Name+ext] = b
		}
		p12, err := pkcs12Of(d.Files[c.Name+".pem"], d.Files[c.Name+".key"])
		if err != nil {
			return nil, fmt.Errorf("clients/%s: %v", c.Name, err)
		}
		d.Files[c.Name+".p12"] = p12
	}
	return d, nil
}

// P12Password protects the demo's .p12 files. Browsers and key stores refuse to
// import a PKCS#12 file without one; the demo's is no secret (it is printed on
// /try/ beside the files), like the demo keys themselves.
const P12Password = "mtlsplay"

// pkcs12Of packs a client's chain and key into a PKCS#12 file for a browser's or
// an operating system's certificate store: AES-256 and PBKDF2 with an
// HMAC-SHA-256 MAC (go-pkcs12's Modern2023), which current browsers, OpenSSL 3
// and curl read. It is made anew at each start; its salts are random.
func pkcs12Of(chainPEM, keyPEM []byte) ([]byte, error) {
	pair, err := tls.X509KeyPair(chainPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for _, der := range pair.Certificate {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, err
		}
		certs = append(certs, c)
	}
	return pkcs12.Modern2023.Encode(pair.PrivateKey, certs[0], certs[1:], P12Password)
}

// writeDemo creates every demo file in dir. Keys are 0600, folders 0700.
func writeDemo(dir string, now time.Time) error {
	day := 24 * time.Hour
	caFrom, caTo := now.Add(-day), now.Add(20*365*day)
	from, to := now.Add(-day), now.Add(5*365*day)
	root, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "mtlsplay Demo Root CA", Organization: []string{"mtlsplay demo"}}, NotBefore: caFrom, NotAfter: caTo, IsCA: true})
	if err != nil {
		return err
	}
	inter, err := root.Issue(pki.Spec{Subject: pkix.Name{CommonName: "mtlsplay Demo Issuing CA", Organization: []string{"mtlsplay demo"}}, NotBefore: caFrom, NotAfter: caTo, IsCA: true, MaxPathLenZero: true})
	if err != nil {
		return err
	}
	server, err := inter.Issue(pki.Spec{
		Subject:     pkix.Name{CommonName: "localhost"},
		NotBefore:   from,
		NotAfter:    to,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		SAN:         []pki.GeneralName{pki.DNSName("localhost"), pki.IPAddress(netip.MustParseAddr("127.0.0.1")), pki.IPAddress(netip.MustParseAddr("::1"))},
	})
	if err != nil {
		return err
	}
	unknownRoot, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Unknown Demo Root CA"}, NotBefore: caFrom, NotAfter: caTo, IsCA: true})
	if err != nil {
		return err
	}
	clientSpec := func(cn string, eku x509.ExtKeyUsage, nb, na time.Time) pki.Spec {
		return pki.Spec{
			Subject:     pkix.Name{CommonName: cn, Organization: []string{"mtlsplay demo"}},
			NotBefore:   nb,
			NotAfter:    na,
			ExtKeyUsage: []x509.ExtKeyUsage{eku},
			SAN:         []pki.GeneralName{pki.DNSName(cn + ".local"), pki.URI("spiffe://demo.mtlsplay.local/" + cn)},
		}
	}
	type out struct {
		name  string
		chain []byte
		cert  *pki.Cert
	}
	var files []out
	issue := func(name string, ca *pki.Cert, spec pki.Spec, chain ...*pki.Cert) error {
		c, err := ca.Issue(spec)
		if err != nil {
			return err
		}
		files = append(files, out{name, pki.ChainPEM(append([]*pki.Cert{c}, chain...)...), c})
		return nil
	}
	for _, e := range []error{
		issue("good", inter, clientSpec("demo-client", x509.ExtKeyUsageClientAuth, from, to), inter),
		issue("expired", inter, clientSpec("demo-expired", x509.ExtKeyUsageClientAuth, now.Add(-2*365*day), now.Add(-365*day)), inter),
		issue("serverauth", inter, clientSpec("demo-serverauth", x509.ExtKeyUsageServerAuth, from, to), inter),
		issue("unknown-ca", unknownRoot, clientSpec("demo-unknown-ca", x509.ExtKeyUsageClientAuth, from, to)),
	} {
		if e != nil {
			return e
		}
	}

	write := func(rel string, data []byte, mode os.FileMode) error {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return err
		}
		return os.WriteFile(p, data, mode)
	}
	writeKey := func(rel string, c *pki.Cert) error {
		k, err := c.KeyPEM()
		if err != nil {
			return err
		}
		return write(rel, k, 0o600)
	}
	steps := []error{
		write("ca/root.pem", root.CertPEM(), 0o644),
		writeKey("ca/root.key", root),
		write("ca/intermediate.pem", inter.CertPEM(), 0o644),
		writeKey("ca/intermediate.key", inter),
		write("server/chain.pem", pki.ChainPEM(server, inter), 0o644),
		writeKey("server/key.pem", server),
	}
	for _, f := range files {
		steps = append(steps, write("clients/"+f.name+".pem", f.chain, 0o644), writeKey("clients/"+f.name+".key", f.cert))
	}
	for _, e := range steps {
		if e != nil {
			return fmt.Errorf("writing the demo: %v", e)
		}
	}
	token := make([]byte, 16)
	if _, err := rand.Read(token); err != nil {
		return err
	}
	// The config is written last: its presence means the demo is complete.
	return write(demoConfigName, []byte(fmt.Sprintf(demoConfigTemplate, hex.EncodeToString(token))), 0o600)
}

// demoConfigTemplate is the demo's config: a copy of it is a starting point for a
// real one. %s is the demo client's token.
const demoConfigTemplate = `# mtlsplay demo configuration, made by 'mtlsplay serve' on its first start.
# Copy it as a starting point: mtlsplay serve --config FILE. Paths are relative
# to this file. The certificates and keys here are demo material: never trust
# this CA anywhere else.
tls:
  cert: server/chain.pem
  key: server/key.pem
  mode: report          # report: every code in the response; strict: fail the handshake
  ca_names: true        # name the bundles' CAs in the handshake, so browsers send good's issuing CA too
clients:
  - name: demo          # select it with /c/demo/… or Authorization: Bearer <token>
    token: "%s"
    bundles: [ca/root.pem]
    rule: CN == "demo-client" && "DNS:demo-client.local" in SAN
  - name: demo-rule     # the good certificate fails this rule: 4019
    bundles: [ca/root.pem]
    rule: cert.subject.organization.exists(o, o == "Partner Inc.")
  - name: demo-no-bundle  # no truststore bundle: 4016
    rule: CN == "demo-client"
`

// EchoURL is the base URL of the echo endpoint for a listen address: a wildcard
// host becomes 127.0.0.1, which the demo server certificate names.
func EchoURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "https://" + addr.String()
	}
	switch ip := net.ParseIP(host); {
	case host == "", ip != nil && ip.IsUnspecified() && ip.To4() != nil:
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified():
		host = "::1"
	}
	return "https://" + net.JoinHostPort(host, port)
}

// CurlLine is the one-line command that tries client name with a demo
// certificate (cert "" sends none). Paths are quoted for a POSIX shell.
func (d *State) CurlLine(base, clientName, cert string) string {
	args := []string{"curl", "--cacert", htmlpage.ShellQuote(d.path("ca", "root.pem"))}
	if cert != "" {
		args = append(args, "--cert", htmlpage.ShellQuote(d.path("clients", cert+".pem")), "--key", htmlpage.ShellQuote(d.path("clients", cert+".key")))
	}
	return strings.Join(append(args, htmlpage.ShellQuote(base+"/c/"+url.PathEscape(clientName)+"/")), " ")
}

// RootPath is the demo root CA's certificate, the --cacert of every curl line.
func (d *State) RootPath() string { return d.path("ca", "root.pem") }

// ServerCert is the demo's server certificate for localhost, 127.0.0.1 and ::1 and
// its key: what a config that names no tls.cert serves with (design 7.4). Only the
// server's own key is read; the CA keys stay in the state folder.
func (d *State) ServerCert() (tls.Certificate, error) {
	chain, err := config.ReadFile(d.path("server", "chain.pem"), "PEM")
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("server/chain.pem: %v", err)
	}
	key, err := config.ReadFile(d.path("server", "key.pem"), "PEM")
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("server/key.pem: %v", err)
	}
	cert, err := tls.X509KeyPair(chain, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("server/chain.pem and server/key.pem: %v", err)
	}
	return cert, nil
}

// Own certificate files: the names a person's own client chain and key are
// written under (the page's "Serve it yourself" panel says so), which serve's
// banner uses when a config takes its server certificate from the demo.
const (
	OwnCertFile = "CERT.pem"
	OwnKeyFile  = "KEY.pem"
)

// OwnCurlLine is the one-line command that tries client name with the person's
// own chain and key (OwnCertFile, OwnKeyFile in the folder curl runs in) against
// a server that uses the demo's server certificate.
func (d *State) OwnCurlLine(base, clientName string) string {
	return strings.Join([]string{"curl", "--cacert", htmlpage.ShellQuote(d.RootPath()), "--cert", OwnCertFile, "--key", OwnKeyFile, htmlpage.ShellQuote(base + "/c/" + url.PathEscape(clientName) + "/")}, " ")
}
