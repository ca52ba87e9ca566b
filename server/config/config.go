// Package config reads the server's YAML config file into a validated Config:
// every file read, every bundle parsed, every rule compiled, so that nothing can
// fail later while serving. A problem is an *Error naming the file, the client and
// the field.
package config

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/forwarded"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/suite"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

// Listen addresses when neither the config nor a flag names one.
const (
	DefaultHTTPAddr = "127.0.0.1:8080"
	DefaultMTLSAddr = "127.0.0.1:8443"
)

// Modes of the mTLS listener.
const (
	ModeReport = "report" // request a certificate, decide after the handshake, report every code
	ModeStrict = "strict" // require a certificate that a configured bundle trusts, in the handshake
)

const (
	maxConfigBytes = 1 << 20
	minTokenLen    = 16
)

// fileConfig is the YAML config file as written (see the server issue).
type fileConfig struct {
	Listen  fileListen       `yaml:"listen"`
	TLS     fileTLS          `yaml:"tls"`
	Authz   fileAuthz        `yaml:"authz"`
	Clients []fileClient     `yaml:"clients"`
	Cases   []suite.FileCase `yaml:"cases"` // the config's own tests, run at start (cases.go)
}

type fileListen struct {
	HTTP  string `yaml:"http"`
	MTLS  string `yaml:"mtls"`
	Authz string `yaml:"authz"`
}

// fileAuthz is the authorization endpoint's section (server/authz).
type fileAuthz struct {
	TrustedProxies []string         `yaml:"trusted_proxies"`
	Header         string           `yaml:"header"`
	Proxies        []fileAuthzProxy `yaml:"proxies"`
}

type fileAuthzProxy struct {
	From   string `yaml:"from"`
	Header string `yaml:"header"`
}

type fileTLS struct {
	Cert        string `yaml:"cert"`
	Key         string `yaml:"key"`
	Mode        string `yaml:"mode"`
	PostQuantum bool   `yaml:"post_quantum"`
	CANames     *bool  `yaml:"ca_names"` // list the bundles' CAs as acceptable in the CertificateRequest; nil when absent
}

type fileClient struct {
	Name    string              `yaml:"name"`
	Token   string              `yaml:"token"`
	Bundles []suite.BundleEntry `yaml:"bundles"`
	Rule    string              `yaml:"rule"`
	Dialect string              `yaml:"dialect"` // cel, workato or auto (the default), as in the page and the CLI
}

// Config is a loaded, validated configuration: every file read, every bundle
// parsed, every rule compiled, so nothing can fail later while serving.
type Config struct {
	Path        string // the config file, as given
	HTTPAddr    string
	MTLSAddr    string
	AuthzAddr   string // listen.authz; "" runs no authorization endpoint unless --authz names one
	Authz       Authz
	Mode        string
	PostQuantum bool
	// AcceptableCAs is tls.ca_names: one certificate per distinct subject that the
	// configured bundles trust, whose subjects the echo's CertificateRequest lists.
	// nil when the option is off: the echo then names no CAs.
	AcceptableCAs *x509.CertPool
	// CANamesSet is true when the file says tls.ca_names, true or false: the demo
	// turns it on for a config.yaml written before the option, not against one.
	CANamesSet bool
	ServerCert tls.Certificate
	// DemoServerCert is true when the file names neither tls.cert nor tls.key:
	// ServerCert is then empty, and serve fills it with the demo's server
	// certificate for localhost (design 7.4), so a config of clients alone runs.
	DemoServerCert bool
	Clients        []*Client
	byName         map[string]*Client
	// Bundles is every distinct bundle of every client, in config order: strict
	// mode's handshake accepts a chain that any of them trusts.
	Bundles  []*trust.Bundle
	Warnings []string // bundle warnings and other things worth a log line at start
	// Cases are the config's own tests: serve runs them before it listens, and
	// mtlsplay test runs them offline.
	Cases []*suite.Case
}

// Authz is who may ask the authorization endpoint, and which header it reads.
type Authz struct {
	// TrustedProxies are the sources whose requests are decided; every other
	// source is refused: a certificate header is only as true as the hop that set it.
	TrustedProxies []netip.Prefix
	// Header is the one header read (lower-case, a forwarded.Carriers name); ""
	// reads whichever of them a request carries, and refuses a request with two.
	Header string
	// Proxies pin a header per source, most specific prefix first; a source they
	// name reads only its header, whatever Header says.
	Proxies []AuthzProxy
	// Written is whether the config has an authz section, which serve warns about
	// when no address turns the endpoint on.
	Written bool
}

// AuthzProxy pins the header the proxies at From set.
type AuthzProxy struct {
	From   netip.Prefix
	Header string
}

// DefaultTrustedProxies is authz.trusted_proxies when the config has none: this
// machine only.
var DefaultTrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// Trusted reports whether a request from addr may be decided.
func (a *Authz) Trusted(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, p := range a.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// HeaderFor is the header pinned for requests from addr ("" for any).
func (a *Authz) HeaderFor(addr netip.Addr) string {
	addr = addr.Unmap()
	for _, p := range a.Proxies {
		if p.From.Contains(addr) {
			return p.Header
		}
	}
	return a.Header
}

// Client is one configured API client: what a decision needs (engine.Client) and
// how a request may select it.
type Client struct {
	engine.Client
	Token    []byte            // nil when the client has no token
	TokenSum [sha256.Size]byte // SHA-256 of Token, compared in constant time
}

// Error is a problem with the config file, said in one line by Error: the file,
// then the client or the case (by name, or by position when it has none), then
// the problem.
type Error struct {
	File   string // the config file as given
	Client string // the client's name; "" when the problem is not one client's, or the client has no name
	Index  int    // the client's position in clients, from 1; 0 when the problem is not one client's
	// Case and CaseIndex name a case (cases.go) as Client and Index name a client.
	Case      string
	CaseIndex int
	Field     string // the field at fault (tls.mode, token, bundles, rule, chain, expect…); "" when no one field is
	Err       error
}

func (e *Error) Error() string {
	var who string
	switch {
	case e.Case != "":
		who = fmt.Sprintf("case %q: ", e.Case)
	case e.CaseIndex > 0:
		who = fmt.Sprintf("case %d: ", e.CaseIndex)
	case e.Client != "":
		who = fmt.Sprintf("client %q: ", e.Client)
	case e.Index > 0:
		who = fmt.Sprintf("client %d: ", e.Index)
	}
	return e.File + ": " + who + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

var clientNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Load reads and validates the config file at path. Relative paths inside it are
// relative to the file's directory. A file that cannot be read is a plain error
// ("config PATH: …"); a problem in its content is an *Error.
func Load(path string, now time.Time) (*Config, error) {
	data, err := ReadFile(path, "YAML")
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return Parse(path, data, now)
}

// Parse validates the config file's content; path names it and anchors the
// relative paths inside it.
func Parse(path string, data []byte, now time.Time) (*Config, error) {
	fail := func(field, format string, args ...any) error {
		return &Error{File: path, Field: field, Err: fmt.Errorf(format, args...)}
	}
	var fc fileConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&fc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fail("", "the file is empty; it needs at least a list of clients")
		}
		if e := notAFileOf("config", data); e != nil {
			return nil, &Error{File: path, Err: e}
		}
		return nil, yamlError(path, data, err)
	}
	if len(fc.Cases) > suite.MaxCases {
		return nil, fail("cases", "%d cases; a file holds at most %d (split the suite into several files)", len(fc.Cases), suite.MaxCases)
	}
	cfg := &Config{Path: path, HTTPAddr: fc.Listen.HTTP, MTLSAddr: fc.Listen.MTLS, AuthzAddr: fc.Listen.Authz, Mode: fc.TLS.Mode, PostQuantum: fc.TLS.PostQuantum, byName: map[string]*Client{}}
	for _, l := range [...]struct{ field, addr string }{{"listen.http", fc.Listen.HTTP}, {"listen.mtls", fc.Listen.MTLS}, {"listen.authz", fc.Listen.Authz}} {
		if l.addr == "" {
			continue
		}
		if err := CheckListenAddr(l.addr); err != nil {
			return nil, fail(l.field, "%s %q: %v", l.field, l.addr, err)
		}
	}
	authz, err := parseAuthz(fc.Authz)
	if err != nil {
		return nil, &Error{File: path, Field: "authz", Err: err}
	}
	cfg.Authz = authz
	for _, p := range authz.TrustedProxies {
		if p.Bits() == 0 {
			cfg.Warnings = append(cfg.Warnings, path+": authz.trusted_proxies "+p.String()+" trusts every address: whoever reaches the authorization endpoint is decided on a certificate header it writes itself; name your proxies' addresses")
		}
	}
	switch cfg.Mode {
	case "":
		cfg.Mode = ModeReport
	case ModeReport, ModeStrict:
	default:
		return nil, fail("tls.mode", "tls.mode %q is not a mode; use report (every code in the response) or strict (untrusted certificates fail the handshake)", cfg.Mode)
	}
	switch {
	case fc.TLS.Cert == "" && fc.TLS.Key == "":
		// A config of clients alone: serve lends it the demo's server certificate.
		cfg.DemoServerCert = true
	case fc.TLS.Cert == "":
		return nil, fail("tls.cert", "tls.key is given without tls.cert: give both (the server's certificate chain, PEM, leaf first, and its private key), or neither to use the demo's server certificate for localhost")
	case fc.TLS.Key == "":
		return nil, fail("tls.key", "tls.cert is given without tls.key: give both (the server's certificate chain, PEM, leaf first, and its private key), or neither to use the demo's server certificate for localhost")
	}
	if !cfg.DemoServerCert {
		if err := cfg.loadServerCert(path, fc.TLS, now); err != nil {
			return nil, err
		}
	}
	if err := cfg.parseClients(fc, now); err != nil {
		return nil, err
	}
	if cfg.Mode == ModeStrict && len(cfg.Bundles) == 0 {
		return nil, fail("tls.mode", "tls.mode is strict but no client lists a bundle, so no certificate could ever be trusted")
	}
	cfg.CANamesSet = fc.TLS.CANames != nil
	if fc.TLS.CANames != nil && *fc.TLS.CANames {
		if err := cfg.NameCAs(); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// CheckListenAddr says what keeps addr from being a listen address, HOST:PORT
// (HOST empty for every interface). It is checked before anything listens, so
// that a typo is named by its field or flag, not by the listener that failed.
func CheckListenAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	var ae *net.AddrError
	switch {
	case errors.As(err, &ae):
		return fmt.Errorf("%s; write HOST:PORT, e.g. 127.0.0.1:8443", ae.Err)
	case err != nil:
		return err
	case port == "":
		return errors.New("no port; write HOST:PORT, e.g. 127.0.0.1:8443")
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return fmt.Errorf("port %q is neither a number from 0 to 65535 nor a service name", port)
	}
	return nil
}

// Bounds of tls.ca_names' list. TLS caps it at 64 KiB; clients that show it to a
// person (a browser's certificate picker) or match against it want far less, and
// a list this long means a bundle of public CAs, where naming them helps no one.
const (
	MaxCANames     = 100
	MaxCANameBytes = 16 << 10
)

// NameCAs turns tls.ca_names on: AcceptableCAs becomes the subjects of every
// certificate the configured bundles trust (any client's; a case's bundles are not
// the server's), each subject once. A list over MaxCANames names or
// MaxCANameBytes bytes of DER is an *Error on tls.ca_names.
func (cfg *Config) NameCAs() error {
	pool := x509.NewCertPool()
	seen := map[string]bool{}
	size := 0
	for _, b := range cfg.Bundles {
		for _, c := range b.Certs {
			x := c.X509()
			if x == nil || seen[string(x.RawSubject)] {
				continue // unparsable: the bundle cannot anchor with it either
			}
			seen[string(x.RawSubject)] = true
			size += len(x.RawSubject)
			pool.AddCert(x)
		}
	}
	if len(seen) > MaxCANames || size > MaxCANameBytes {
		return &Error{File: cfg.Path, Field: "tls.ca_names", Err: fmt.Errorf("tls.ca_names would list %d CA names (%d bytes); at most %d names and %d bytes are sent: trim the bundles to the CAs that issue client certificates, or leave ca_names out", len(seen), size, MaxCANames, MaxCANameBytes)}
	}
	if len(seen) == 0 {
		cfg.Warnings = append(cfg.Warnings, cfg.Path+": tls.ca_names is on, but no client lists a bundle, so the echo names no CAs")
	}
	cfg.AcceptableCAs = pool
	return nil
}

// loadServerCert reads tls.cert and tls.key as a key pair.
func (cfg *Config) loadServerCert(path string, ft fileTLS, now time.Time) error {
	fail := func(field, format string, args ...any) error {
		return &Error{File: path, Field: field, Err: fmt.Errorf(format, args...)}
	}
	rel := relativeTo(path)
	certPEM, err := ReadFile(rel(ft.Cert), "PEM")
	if err != nil {
		return fail("tls.cert", "tls.cert %s: %v", ft.Cert, err)
	}
	keyPEM, err := ReadFile(rel(ft.Key), "PEM")
	if err != nil {
		return fail("tls.key", "tls.key %s: %v", ft.Key, err)
	}
	// A Windows editor's byte order mark hides the first BEGIN line from
	// encoding/pem: the chain would lose its leaf and the key "not match".
	bom := []byte("\ufeff")
	cert, err := tls.X509KeyPair(bytes.TrimPrefix(certPEM, bom), bytes.TrimPrefix(keyPEM, bom))
	if err != nil {
		return fail("tls.cert", "tls.cert %s / tls.key %s: %s", ft.Cert, ft.Key, strings.TrimPrefix(err.Error(), "tls: "))
	}
	if cert.Leaf == nil {
		if cert.Leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return fail("tls.cert", "tls.cert %s: %v", ft.Cert, err)
		}
	}
	if now.After(cert.Leaf.NotAfter) {
		cfg.Warnings = append(cfg.Warnings, fmt.Sprintf("%s: tls.cert %s expired at %s; clients will refuse the server", path, ft.Cert, cert.Leaf.NotAfter.UTC().Format(time.RFC3339)))
	}
	cfg.ServerCert = cert
	return nil
}

// relativeTo resolves the paths written in the file at path: relative to its folder.
func relativeTo(path string) func(string) string {
	dir := filepath.Dir(path)
	return func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
}

// parseClients reads the clients, then the cases, which name them; what a
// server config and a suite file share.
func (cfg *Config) parseClients(fc fileConfig, now time.Time) error {
	path := cfg.Path
	bundles := &bundleSet{cfg: cfg, rel: relativeTo(path), now: now, byPath: map[string]*trust.Bundle{}}
	tokens := map[string]string{}
	for i, fcl := range fc.Clients {
		who := fmt.Sprintf("client %d", i+1)
		if fcl.Name != "" {
			who = fmt.Sprintf("client %q", fcl.Name)
		}
		cfail := func(field, format string, args ...any) error {
			return &Error{File: path, Client: fcl.Name, Index: i + 1, Field: field, Err: fmt.Errorf(format, args...)}
		}
		switch {
		case fcl.Name == "":
			return cfail("name", "has no name")
		case !clientNameRE.MatchString(fcl.Name):
			return cfail("name", "the name must be 1 to 64 letters, digits, '.', '_' or '-' (it is a URL path segment: /c/NAME/)")
		case cfg.byName[fcl.Name] != nil:
			return cfail("name", "is configured twice; names must be unique")
		}
		c := &Client{Client: engine.Client{Client: policy.Client{Name: fcl.Name}}}
		if fcl.Token != "" {
			if len(fcl.Token) < minTokenLen {
				return cfail("token", "token is %d characters; use at least %d (for example: openssl rand -hex 16)", len(fcl.Token), minTokenLen)
			}
			if other, dup := tokens[fcl.Token]; dup {
				return cfail("token", "has the same token as client %q; a token must select one client", other)
			}
			tokens[fcl.Token] = fcl.Name
			c.Token = []byte(fcl.Token)
			c.TokenSum = sha256.Sum256(c.Token)
		}
		if len(fcl.Bundles) > policy.MaxBundles {
			return cfail("bundles", "lists %d bundles; a client selects at most %d", len(fcl.Bundles), policy.MaxBundles)
		}
		for j, e := range fcl.Bundles {
			b, err := bundles.load(e, j, who, true)
			if err != nil {
				return cfail("bundles", "%w", err)
			}
			c.Bundles = append(c.Bundles, b)
		}
		if strings.TrimSpace(fcl.Rule) != "" {
			r, err := engine.CompileRule(fcl.Rule, fcl.Dialect)
			if err != nil {
				return cfail("rule", "%w", err)
			}
			c.SetRule(r)
			for _, w := range r.Warnings(nil) {
				cfg.Warnings = append(cfg.Warnings, fmt.Sprintf("%s: %s: %s", path, who, w.String()))
			}
		}
		cfg.Clients = append(cfg.Clients, c)
		cfg.byName[c.Name] = c
	}
	if len(cfg.Clients) == 0 && cfg.Mode != "" {
		cfg.Warnings = append(cfg.Warnings, path+": no clients are configured; every request to the echo endpoint will be 4020")
	}
	cases, err := parseCases(cfg, fc.Cases, bundles)
	if err != nil {
		return err
	}
	cfg.Cases = cases
	return nil
}

// bundleSet loads the bundle files a config names, each once: a file shared by
// clients (and cases) is one bundle.
type bundleSet struct {
	cfg    *Config
	rel    func(string) string
	now    time.Time
	byPath map[string]*trust.Bundle // by resolved path
}

// load reads and parses the bundle file name (as written, or PEM written in
// the list), the index-th (from 0) of who, a client or case, whose name its
// warnings carry. Only a client's bundles (configured) are
// the server's: strict mode's handshake trusts what any of cfg.Bundles trusts,
// and a case's own bundles must not widen that.
func (s *bundleSet) load(e suite.BundleEntry, index int, who string, configured bool) (*trust.Bundle, error) {
	name := e.Text
	p, data := s.rel(name), []byte(name)
	if suite.IsInlinePEM(name) {
		// PEM written in the list, as the page's export writes it: named by
		// the name given with it, else by its place; the same PEM one bundle
		// (named as where it is first written) however often it is written.
		p, name = "\x00"+name, fmt.Sprintf("inline bundle %d", index+1)
		if e.Name != "" {
			name = e.Name
		}
	}
	if b, ok := s.byPath[p]; ok {
		return b, nil
	}
	if !strings.HasPrefix(p, "\x00") {
		var err error
		if data, err = ReadFile(p, "PEM"); err != nil {
			return nil, fmt.Errorf("bundle %s: %v", name, err)
		}
	}
	b, err := trust.ParseBundle(name, data, s.now)
	if err != nil {
		return nil, fmt.Errorf("bundle %v", err)
	}
	s.byPath[p] = b
	if configured {
		s.cfg.Bundles = append(s.cfg.Bundles, b)
	}
	for _, w := range b.Warnings {
		s.cfg.Warnings = append(s.cfg.Warnings, fmt.Sprintf("%s: %s: bundle %s: %s", s.cfg.Path, who, name, w.Message))
	}
	return b, nil
}

// parseAuthz reads the authz section: CIDRs (or single addresses) and header names
// the endpoint reads.
func parseAuthz(fa fileAuthz) (Authz, error) {
	a := Authz{TrustedProxies: DefaultTrustedProxies, Written: fa.TrustedProxies != nil || fa.Header != "" || fa.Proxies != nil}
	prefix := func(field, s string) (netip.Prefix, error) {
		if p, err := netip.ParsePrefix(s); err == nil {
			if p.Masked() != p {
				return p, fmt.Errorf("%s %q has host bits set; write %s", field, s, p.Masked())
			}
			return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-unmapBits(p.Addr())), nil
		}
		if ip, err := netip.ParseAddr(s); err == nil {
			ip = ip.Unmap()
			return netip.PrefixFrom(ip, ip.BitLen()), nil
		}
		return netip.Prefix{}, fmt.Errorf("%s %q is not a CIDR (127.0.0.1/32, 10.0.0.0/8, ::1/128) or an IP address", field, s)
	}
	header := func(field, h string) (string, error) {
		if h == "" || forwarded.IsCarrier(h) {
			return strings.ToLower(h), nil
		}
		return "", fmt.Errorf("%s %q is not a header that carries a client certificate (use one of %s)", field, h, strings.Join(forwarded.Carriers, ", "))
	}
	if fa.TrustedProxies != nil && len(fa.TrustedProxies) == 0 {
		return a, fmt.Errorf("authz.trusted_proxies is empty, so no proxy could ask; leave it out to trust this machine only (127.0.0.0/8, ::1)")
	}
	if fa.TrustedProxies != nil {
		a.TrustedProxies = make([]netip.Prefix, 0, len(fa.TrustedProxies))
		for _, s := range fa.TrustedProxies {
			p, err := prefix("authz.trusted_proxies", s)
			if err != nil {
				return a, err
			}
			a.TrustedProxies = append(a.TrustedProxies, p)
		}
	}
	var err error
	if a.Header, err = header("authz.header", fa.Header); err != nil {
		return a, err
	}
	for i, fp := range fa.Proxies {
		field := fmt.Sprintf("authz.proxies[%d]", i+1)
		p, err := prefix(field+".from", fp.From)
		if err != nil {
			return a, err
		}
		if !a.Trusted(p.Addr()) {
			return a, fmt.Errorf("%s.from %s is not in authz.trusted_proxies; add it there too", field, fp.From)
		}
		h, err := header(field+".header", fp.Header)
		if err != nil {
			return a, err
		}
		if h == "" {
			return a, fmt.Errorf("%s.header is required: the header the proxies at %s set", field, fp.From)
		}
		a.Proxies = append(a.Proxies, AuthzProxy{From: p, Header: h})
	}
	// Most specific first, so a host inside a pinned network gets its own pin.
	slices.SortStableFunc(a.Proxies, func(x, y AuthzProxy) int { return y.From.Bits() - x.From.Bits() })
	return a, nil
}

// unmapBits is what an IPv4-mapped IPv6 prefix loses when it is written as IPv4.
func unmapBits(a netip.Addr) int {
	if a.Is4In6() {
		return 96
	}
	return 0
}

// ReadFile reads the config, a bundle or the server's certificate or key (of the
// format named by kind), or a file of the demo, refusing anything but a regular file
// and files over 1 MiB with a message that names no Go internals (nor the path,
// which the caller names). A named pipe would block the open until a
// writer came, hanging start-up before serve listens for signals: it is refused on
// Stat, and opened non-blocking so one swapped in after the Stat is refused too.
func ReadFile(p, kind string) ([]byte, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, pathError(err)
	}
	if err := regular(st.Mode(), kind); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, pathError(err)
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return nil, pathError(err)
	}
	if err := regular(st.Mode(), kind); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, pathError(err)
	}
	if len(data) > maxConfigBytes {
		return nil, fmt.Errorf("larger than %d bytes", maxConfigBytes)
	}
	return data, nil
}

// pathError drops the operation and path an *os.PathError repeats: the caller's
// message names the file already.
func pathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// regular says what a file of mode m is when it is not a regular file.
func regular(m os.FileMode, kind string) error {
	var what string
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		what = "a directory"
	case m&os.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&os.ModeSocket != 0:
		what = "a socket"
	case m&os.ModeDevice != 0:
		what = "a device"
	default:
		what = "a special file"
	}
	return fmt.Errorf("is %s, not a regular %s file", what, kind)
}

// yamlSections are the file's structs, by the name yaml's errors give their
// types, with the section each is and the fields it knows, read from their tags so
// that a new field or a renamed package cannot make the message wrong.
var yamlSections = func() map[string][2]string {
	m := map[string][2]string{}
	for section, v := range map[string]any{"the config": fileConfig{}, "listen": fileListen{}, "tls": fileTLS{}, "authz": fileAuthz{}, "an authz proxy": fileAuthzProxy{}, "a client": fileClient{}, "a case": suite.FileCase{}} {
		t := reflect.TypeOf(v)
		var fields []string
		for i := range t.NumField() {
			fields = append(fields, strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0])
		}
		m[t.String()] = [2]string{section, strings.Join(fields, ", ")}
	}
	return m
}()

var yamlFieldRE = regexp.MustCompile(`line (\d+): field (\S+) not found in type (\S+)`)

// yamlMessage turns a YAML decoding error into one line: unknown fields say which
// fields exist there, and Go type names become the config's words.
func yamlMessage(err error) string {
	msg := err.Error()
	if m := yamlFieldRE.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("line %s: unknown field %q (known here: %s)", m[1], m[2], yamlSections[m[3]][1])
	}
	msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n")
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = strings.Join(strings.Fields(msg), " ")
	if strings.Contains(msg, "into []string") {
		msg += " (write a list: [a.pem, b.pem])"
	}
	msg = strings.ReplaceAll(msg, "[]"+reflect.TypeOf(fileClient{}).String(), "a list of clients")
	msg = strings.ReplaceAll(msg, "[]"+reflect.TypeOf(suite.FileCase{}).String(), "a list of cases")
	for typ, sec := range yamlSections {
		msg = strings.ReplaceAll(msg, typ, sec[0])
	}
	return msg
}

// Find returns the named client, or nil.
func (c *Config) Find(name string) *Client { return c.byName[name] }
