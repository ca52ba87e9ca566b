package main

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/mtlsplay/mtlsplay/internal/dialect"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

// Listen addresses when neither the config nor a flag names one.
const (
	defaultHTTPAddr = "127.0.0.1:8080"
	defaultMTLSAddr = "127.0.0.1:8443"
)

// Modes of the mTLS listener.
const (
	modeReport = "report" // request a certificate, decide after the handshake, report every code
	modeStrict = "strict" // require a certificate that a configured bundle trusts, in the handshake
)

const (
	maxConfigBytes = 1 << 20
	minTokenLen    = 16
)

// fileConfig is the YAML config file as written (see the server issue).
type fileConfig struct {
	Listen  fileListen   `yaml:"listen"`
	TLS     fileTLS      `yaml:"tls"`
	Clients []fileClient `yaml:"clients"`
}

type fileListen struct {
	HTTP string `yaml:"http"`
	MTLS string `yaml:"mtls"`
}

type fileTLS struct {
	Cert        string `yaml:"cert"`
	Key         string `yaml:"key"`
	Mode        string `yaml:"mode"`
	PostQuantum bool   `yaml:"post_quantum"`
}

type fileClient struct {
	Name    string   `yaml:"name"`
	Token   string   `yaml:"token"`
	Bundles []string `yaml:"bundles"`
	Rule    string   `yaml:"rule"`
	Dialect string   `yaml:"dialect"` // cel, workato or auto (the default), as in the page and the CLI
}

// config is a loaded, validated configuration: every file read, every bundle
// parsed, every rule compiled, so nothing can fail later while serving.
type config struct {
	Path        string // the config file, as given
	HTTPAddr    string
	MTLSAddr    string
	Mode        string
	PostQuantum bool
	ServerCert  tls.Certificate
	Clients     []*client
	byName      map[string]*client
	// Bundles is every distinct bundle of every client, in config order: strict
	// mode's handshake accepts a chain that any of them trusts.
	Bundles  []*trust.Bundle
	Warnings []string // bundle warnings and other things worth a log line at start
}

// client is one configured API client.
type client struct {
	policy.Client
	rule     *dialect.Rule     // the rule as written, to explain a formula in its own terms
	token    []byte            // nil when the client has no token
	tokenSum [sha256.Size]byte // SHA-256 of token, compared in constant time
}

// configError is a config problem, already phrased as one line naming the file,
// the client and the problem.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }

var clientNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// loadConfig reads and validates the config file at path. Relative paths inside
// it are relative to the file's directory.
func loadConfig(path string, now time.Time) (*config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &configError{fmt.Sprintf("config %s", strings.TrimPrefix(err.Error(), "open "))}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, &configError{fmt.Sprintf("config %s: %v", path, err)}
	}
	if len(data) > maxConfigBytes {
		return nil, &configError{fmt.Sprintf("config %s: larger than %d bytes", path, maxConfigBytes)}
	}
	return parseConfig(path, data, now)
}

func parseConfig(path string, data []byte, now time.Time) (*config, error) {
	fail := func(format string, args ...any) error {
		return &configError{path + ": " + fmt.Sprintf(format, args...)}
	}
	var fc fileConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&fc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fail("the file is empty; it needs at least tls.cert, tls.key and a list of clients")
		}
		return nil, fail("%s", yamlMessage(err))
	}
	dir := filepath.Dir(path)
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}

	cfg := &config{Path: path, HTTPAddr: fc.Listen.HTTP, MTLSAddr: fc.Listen.MTLS, Mode: fc.TLS.Mode, PostQuantum: fc.TLS.PostQuantum, byName: map[string]*client{}}
	switch cfg.Mode {
	case "":
		cfg.Mode = modeReport
	case modeReport, modeStrict:
	default:
		return nil, fail("tls.mode %q is not a mode; use report (every code in the response) or strict (untrusted certificates fail the handshake)", cfg.Mode)
	}
	if fc.TLS.Cert == "" || fc.TLS.Key == "" {
		return nil, fail("tls.cert and tls.key are required: the server's certificate chain (PEM, leaf first) and its private key")
	}
	cert, err := tls.LoadX509KeyPair(rel(fc.TLS.Cert), rel(fc.TLS.Key))
	if err != nil {
		return nil, fail("tls.cert %s / tls.key %s: %s", fc.TLS.Cert, fc.TLS.Key, strings.TrimPrefix(err.Error(), "tls: "))
	}
	if cert.Leaf == nil {
		if cert.Leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return nil, fail("tls.cert %s: %v", fc.TLS.Cert, err)
		}
	}
	if now.After(cert.Leaf.NotAfter) {
		cfg.Warnings = append(cfg.Warnings, fmt.Sprintf("%s: tls.cert %s expired at %s; clients will refuse the server", path, fc.TLS.Cert, cert.Leaf.NotAfter.UTC().Format(time.RFC3339)))
	}
	cfg.ServerCert = cert

	env, err := engine.Env()
	if err != nil {
		return nil, err
	}
	bundles := map[string]*trust.Bundle{} // by resolved path: a file shared by clients is one bundle
	tokens := map[string]string{}
	for i, fcl := range fc.Clients {
		who := fmt.Sprintf("client %d", i+1)
		if fcl.Name != "" {
			who = fmt.Sprintf("client %q", fcl.Name)
		}
		cfail := func(format string, args ...any) error {
			return fail("%s: %s", who, fmt.Sprintf(format, args...))
		}
		switch {
		case fcl.Name == "":
			return nil, cfail("has no name")
		case !clientNameRE.MatchString(fcl.Name):
			return nil, cfail("the name must be 1 to 64 letters, digits, '.', '_' or '-' (it is a URL path segment: /c/NAME/)")
		case cfg.byName[fcl.Name] != nil:
			return nil, cfail("is configured twice; names must be unique")
		}
		c := &client{Client: policy.Client{Name: fcl.Name}}
		if fcl.Token != "" {
			if len(fcl.Token) < minTokenLen {
				return nil, cfail("token is %d characters; use at least %d (for example: openssl rand -hex 16)", len(fcl.Token), minTokenLen)
			}
			if other, dup := tokens[fcl.Token]; dup {
				return nil, cfail("has the same token as client %q; a token must select one client", other)
			}
			tokens[fcl.Token] = fcl.Name
			c.token = []byte(fcl.Token)
			c.tokenSum = sha256.Sum256(c.token)
		}
		if len(fcl.Bundles) > policy.MaxBundles {
			return nil, cfail("lists %d bundles; a client selects at most %d", len(fcl.Bundles), policy.MaxBundles)
		}
		for _, name := range fcl.Bundles {
			p := rel(name)
			b, ok := bundles[p]
			if !ok {
				data, err := readBundleFile(p)
				if err != nil {
					return nil, cfail("bundle %s: %v", name, err)
				}
				if b, err = trust.ParseBundle(name, data, now); err != nil {
					return nil, cfail("bundle %v", err)
				}
				bundles[p] = b
				cfg.Bundles = append(cfg.Bundles, b)
				for _, w := range b.Warnings {
					cfg.Warnings = append(cfg.Warnings, fmt.Sprintf("%s: %s: bundle %s: %s", path, who, name, w.Message))
				}
			}
			c.Bundles = append(c.Bundles, b)
		}
		if strings.TrimSpace(fcl.Rule) != "" {
			r, err := dialect.Compile(env, fcl.Rule, fcl.Dialect)
			if err != nil {
				return nil, cfail("%v", err)
			}
			c.Rule, c.rule = r.Program, r
			for _, w := range r.Warnings(nil) {
				cfg.Warnings = append(cfg.Warnings, fmt.Sprintf("%s: %s: %s", path, who, w.String()))
			}
		}
		cfg.Clients = append(cfg.Clients, c)
		cfg.byName[c.Name] = c
	}
	if len(cfg.Clients) == 0 {
		cfg.Warnings = append(cfg.Warnings, path+": no clients are configured; every request to the echo endpoint will be 4020")
	}
	if cfg.Mode == modeStrict && len(cfg.Bundles) == 0 {
		return nil, fail("tls.mode is strict but no client lists a bundle, so no certificate could ever be trusted")
	}
	return cfg, nil
}

// readBundleFile reads a bundle file, refusing directories and huge files with a
// message that names no Go internals.
func readBundleFile(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, pe.Err
		}
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, errors.New("is a directory, not a PEM file")
	}
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxConfigBytes {
		return nil, fmt.Errorf("larger than %d bytes", maxConfigBytes)
	}
	return data, nil
}

var yamlFieldRE = regexp.MustCompile(`line (\d+): field (\S+) not found in type main\.(\w+)`)

// yamlMessage turns a YAML decoding error into one line: unknown fields say which
// fields exist there.
func yamlMessage(err error) string {
	msg := err.Error()
	if m := yamlFieldRE.FindStringSubmatch(msg); m != nil {
		known := map[string]string{
			"fileConfig": "listen, tls, clients",
			"fileListen": "http, mtls",
			"fileTLS":    "cert, key, mode, post_quantum",
			"fileClient": "name, token, bundles, rule",
		}[m[3]]
		return fmt.Sprintf("line %s: unknown field %q (known here: %s)", m[1], m[2], known)
	}
	msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n")
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = strings.Join(strings.Fields(msg), " ")
	if strings.Contains(msg, "into []string") {
		msg += " (write a list: [a.pem, b.pem])"
	}
	msg = strings.NewReplacer("[]main.fileClient", "a list of clients", "main.fileClient", "a client", "main.fileListen", "listen", "main.fileTLS", "tls", "main.fileConfig", "the config").Replace(msg)
	return msg
}

// find returns the named client, or nil.
func (c *config) find(name string) *client { return c.byName[name] }
