// Package probe connects to a TLS server as a client and says, in plain sentences,
// what happened and why: mtlsplay probe. It returns a Report and prints nothing.
//
// mtlsplay probe: connect to a TLS server as a client and say, in plain sentences,
// what happened and why. It exists because the symptoms of a failed mTLS call
// ("handshake failure", "certificate required", a 403) hide their causes: the server
// named other CAs, the intermediate was not sent, the leaf lacks clientAuth, TLS 1.3
// reported the rejection only on the first read, or TLS worked and the application
// said no. The probe runs only from the CLI, never inside the server, so a
// self-hosted instance cannot be made to connect anywhere (an import-rule test keeps
// the server's packages from importing this one).
package probe

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/diagnose"
	"github.com/mtlsplay/mtlsplay/internal/policy"
)

// DefaultTimeout bounds each connection the probe makes (dial, handshake and
// request); the probe makes three (the request and one per TLS version).
const DefaultTimeout = 10 * time.Second

// probeBodyLimit is how much of the HTTP answer is read: enough for an error page
// or a whole mtlsplay echo answer (about 12 KB with a two-certificate chain and a
// rule), whose decision is quoted; not a download.
const probeBodyLimit = 64 << 10

// Outcomes of a probe, for --json.
const (
	Accepted = "accepted"  // the request succeeded (exit 0)
	Rejected = "rejected"  // the server refused the handshake or the request (exit 1)
	NoAnswer = "no_answer" // the handshake worked but the server did not answer (exit 2)
	// The request succeeded, but --cacert does not trust the server (exit 1): a
	// client configured with that CA fails.
	ServerUntrusted = "server_untrusted"
)

// Report is what probe --json prints; the text output says the same in sentences.
type Report struct {
	Address    string    `json:"address"`
	ServerName string    `json:"server_name"`
	Versions   []Version `json:"versions"` // TLS 1.3 and TLS 1.2, tried one at a time
	// The connection that made the request, with --tls's version or the best both accept.
	Version     string `json:"version,omitempty"`
	CipherSuite string `json:"cipher_suite,omitempty"`
	ServerChain []Cert `json:"server_chain"`
	ServerTrust Trust  `json:"server_trust"`
	// What the server's CertificateRequest said, and what the client did with it.
	CertificateRequested bool               `json:"certificate_requested"`
	AcceptableCAs        []string           `json:"acceptable_cas"`
	ClientChain          []Cert             `json:"client_chain"`
	AcceptableCAsMatch   *bool              `json:"acceptable_cas_match,omitempty"` // nil unless a chain was given and the server named CAs
	CertificateSent      bool               `json:"certificate_sent"`
	Findings             []diagnose.Finding `json:"findings"` // on the given chain, without a truststore
	// What the server did.
	Handshake  string    `json:"handshake"`             // "ok", or how it failed
	Alert      string    `json:"alert,omitempty"`       // the alert the server sent
	AlertStage string    `json:"alert_stage,omitempty"` // "handshake" or "first read"
	HTTPStatus int       `json:"http_status,omitempty"`
	HTTPBody   string    `json:"http_body,omitempty"` // the start of the answer, on one line
	Decision   *Decision `json:"decision,omitempty"`  // when the server is an mtlsplay echo endpoint
	Outcome    string    `json:"outcome"`
	Verdict    string    `json:"verdict"`
}

type Version struct {
	Version  string `json:"version"`
	Accepted bool   `json:"accepted"`
	Detail   string `json:"detail,omitempty"` // why not, when not
}

type Cert struct {
	Subject  string    `json:"subject"`
	Issuer   string    `json:"issuer"`
	NotAfter time.Time `json:"not_after"`
	SHA256   string    `json:"sha256"`
}

type Trust struct {
	CheckedWith string `json:"checked_with"` // the --cacert file, or "system roots"
	Trusted     bool   `json:"trusted"`
	Detail      string `json:"detail,omitempty"`
}

type Decision struct {
	Code   int    `json:"code"`
	Reason string `json:"reason"`
}

// Options is one probe's input.
type Options struct {
	Addr       string        // HOST:PORT
	ServerName string        // SNI, Host and the name the server certificate is checked for; default the host
	Path       string        // what to GET after the handshake; default /
	Version    uint16        // tls.VersionTLS12 or 13 alone; 0 for the best both accept
	Timeout    time.Duration // for each connection (dial, handshake, request); default DefaultTimeout
	Client     *ClientCert   // nil: no client certificate
	Roots      *x509.CertPool
	RootsName  string // names Roots in the report; Roots nil means the system roots
	Now        time.Time
}

// ClientCert is the certificate the probe presents: its chain, parsed for the
// report, and the pair crypto/tls sends.
type ClientCert struct {
	Name  string // the chain's file, for messages
	Chain []*certinfo.Certificate
	Pair  tls.Certificate
}

// prober is one probe under way.
type prober struct {
	addr, host, port string
	serverName       string
	path             string
	version          uint16
	timeout          time.Duration
	cert             *tls.Certificate        // nil: no client certificate given
	chain            []*certinfo.Certificate // the given chain, parsed
	chainName        string
	roots            *x509.CertPool // nil: the system roots
	rootsName        string
	now              time.Time
}

// probeConn is what one connection saw.
type probeConn struct {
	dialErr     error
	serverHello bool // the server chose a version and sent its certificate
	version     uint16
	cipher      uint16
	peer        []*x509.Certificate
	requested   bool
	acceptable  [][]byte
	sent        bool
	hsErr       error
	requestErr  error // the GET could not be built (never sent)
	writeErr    error
	readErr     error
	resp        *http.Response
	body        []byte
}

// errProbeSeen stops a version-scan handshake once the server has answered.
var errProbeSeen = errors.New("mtlsplay probe: version seen")

// LoadClientCert reads a client chain (data, from the file name) and its key (from
// keyName). The chain file may also hold the key (as curl's --cert accepts); only
// its CERTIFICATE blocks are the chain.
func LoadClientCert(name string, data []byte, keyName string, keyData []byte) (*ClientCert, error) {
	// A Windows editor's byte order mark hides the first BEGIN line from
	// encoding/pem, which then reads on from the second block: the leaf was lost.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var ders [][]byte
	for rest := data; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			ders = append(ders, b.Bytes)
		}
	}
	if len(ders) == 0 { // DER or base64: the engine's decoder says what is wrong
		blocks, err := certinput.Decode(name, data)
		if err != nil {
			return nil, err
		}
		for _, b := range blocks {
			ders = append(ders, b.DER)
		}
	}
	if len(ders) == 0 {
		return nil, fmt.Errorf("%s: no certificate", name)
	}
	cc := &ClientCert{Name: name}
	var certPEM []byte
	for i, der := range ders {
		info, err := certinfo.Parse(der)
		if err != nil {
			return nil, fmt.Errorf("%s: certificate %d: %v", name, i, err)
		}
		cc.Chain = append(cc.Chain, info)
		certPEM = append(certPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	pair, err := tls.X509KeyPair(certPEM, bytes.TrimPrefix(keyData, []byte("\ufeff")))
	if err != nil {
		if k := diagnose.LeafIndex(cc.Chain); k > 0 {
			// The key is checked against the first certificate: an intermediate
			// pasted before the leaf reads as a key that does not match.
			return nil, fmt.Errorf("%s: the leaf is certificate %d (%s), but certificate 1 (%s), a CA, comes first: put the leaf first (cat client.pem intermediate.pem > chain.pem); TLS sends the first certificate as the client's and checks --key against it",
				name, k+1, cc.Chain[k].Subject.DN, cc.Chain[0].Subject.DN)
		}
		return nil, keyPairError(name, keyName, cc.Chain[0], err)
	}
	cc.Pair = pair
	return cc, nil
}

// keyPairError is crypto/tls's complaint about --cert and --key in the words of
// the probe's flags: which file, what it holds instead, what to give.
func keyPairError(name, keyName string, leaf *certinfo.Certificate, err error) error {
	msg := strings.TrimPrefix(err.Error(), "tls: ")
	switch {
	case strings.Contains(msg, "does not match public key"):
		return fmt.Errorf("%s: this private key does not match certificate 1 of %s (%s): give --key the key that certificate was issued for", keyName, name, leaf.Subject.DN)
	case strings.Contains(msg, "rather than a key"), strings.Contains(msg, "failed to find"):
		return fmt.Errorf("%s: no private key in it (a PEM block such as -----BEGIN PRIVATE KEY-----): give --key the key of %s", keyName, name)
	case name == keyName:
		return fmt.Errorf("%s: %s", name, msg)
	}
	return fmt.Errorf("%s with %s: %s", name, keyName, msg)
}

// Run makes the request connection and the version scan and returns the report.
// An error is the one line for a probe that could not get as far as a TLS
// server's answer: nothing listens, or what listens does not speak TLS.
func Run(ctx context.Context, o Options) (Report, error) {
	host, port, err := net.SplitHostPort(o.Addr)
	if err != nil {
		return Report{}, fmt.Errorf("%q is not HOST:PORT", o.Addr)
	}
	p := &prober{addr: o.Addr, host: host, port: port, serverName: cmp.Or(o.ServerName, host), path: cmp.Or(o.Path, "/"),
		version: o.Version, timeout: cmp.Or(o.Timeout, DefaultTimeout), roots: o.Roots, rootsName: o.RootsName, now: o.Now}
	if o.Client != nil {
		p.cert, p.chain, p.chainName = &o.Client.Pair, o.Client.Chain, o.Client.Name
	}
	return p.run(ctx)
}

func (p *prober) run(ctx context.Context) (rep Report, failure error) {
	rep = Report{Address: p.addr, ServerName: p.serverName, ServerChain: []Cert{}, AcceptableCAs: []string{}, ClientChain: []Cert{}, Findings: []diagnose.Finding{}}
	for _, c := range p.chain {
		rep.ClientChain = append(rep.ClientChain, Cert{Subject: c.Subject.DN, Issuer: c.Issuer.DN, NotAfter: c.NotAfter, SHA256: c.SHA256})
	}
	if len(p.chain) > 0 {
		rep.Findings = diagnose.Findings(p.chain, nil, p.now)
	}

	conn := p.connect(ctx, p.version, p.version, true)
	if conn.dialErr != nil {
		return rep, fmt.Errorf("cannot connect to %s: %s", p.addr, netError(conn.dialErr, p.timeout))
	}
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		rep.Versions = append(rep.Versions, p.scan(ctx, v))
	}
	if isTimeout(conn.hsErr) {
		return rep, fmt.Errorf("%s did not complete a TLS handshake within %s", p.addr, p.timeout)
	}
	if !conn.serverHello && conn.hsErr != nil && remoteAlert(conn.hsErr) == "" {
		// No TLS server answered: a plain-text port, a server that hangs up, a timeout.
		return rep, fmt.Errorf("%s accepted the connection but did not complete a TLS handshake: %s", p.addr, netError(conn.hsErr, p.timeout))
	}

	rep.Version, rep.CipherSuite = versionName(conn.version), ""
	if conn.cipher != 0 {
		rep.CipherSuite = tls.CipherSuiteName(conn.cipher)
	}
	for _, x := range conn.peer {
		rep.ServerChain = append(rep.ServerChain, describeX509(x))
	}
	rep.ServerTrust = p.serverTrust(conn.peer)
	rep.CertificateRequested = conn.requested
	for _, ca := range conn.acceptable {
		rep.AcceptableCAs = append(rep.AcceptableCAs, formatName(ca))
	}
	if conn.requested && len(conn.acceptable) > 0 && len(p.chain) > 0 {
		m := chainMatches(p.chain, conn.acceptable)
		rep.AcceptableCAsMatch = &m
	}
	rep.CertificateSent = conn.sent

	switch {
	case conn.hsErr != nil:
		rep.Handshake = "failed: " + tlsError(conn.hsErr)
		if a := remoteAlert(conn.hsErr); a != "" {
			rep.Alert, rep.AlertStage = a, "handshake"
		}
	default:
		rep.Handshake = "ok"
		if a := remoteAlert(conn.readErr); a != "" {
			rep.Alert, rep.AlertStage = a, "first read"
		}
	}
	if conn.resp != nil {
		rep.HTTPStatus = conn.resp.StatusCode
		rep.HTTPBody = oneLine(string(conn.body), 200)
		rep.Decision = echoDecisionOf(conn.body)
	}
	rep.Verdict, rep.Outcome = p.verdict(&rep, conn)
	return rep, nil
}

// config is the client's TLS configuration. It never verifies the server itself
// (serverTrust does, to report rather than stop), and it always sends the given
// certificate when asked: with tls.Config.Certificates, Go sends none when the
// server's acceptable CAs do not match, and the probe must show what the server
// does with the certificate, then say that a CA-filtering client would send none.
func (p *prober) config(minV, maxV uint16, seen *probeConn) *tls.Config {
	if minV == 0 {
		minV, maxV = tls.VersionTLS12, tls.VersionTLS13
	}
	return &tls.Config{
		ServerName:         p.serverName,
		InsecureSkipVerify: true, // verified in serverTrust, so that an untrusted server is reported, not fatal
		MinVersion:         minV,
		MaxVersion:         maxV,
		NextProtos:         []string{"http/1.1"},
		VerifyConnection: func(cs tls.ConnectionState) error {
			seen.serverHello, seen.version, seen.cipher, seen.peer = true, cs.Version, cs.CipherSuite, cs.PeerCertificates
			return nil
		},
		GetClientCertificate: func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			seen.requested, seen.acceptable = true, cri.AcceptableCAs
			if p.cert == nil {
				return &tls.Certificate{}, nil
			}
			seen.sent = true
			return p.cert, nil
		},
	}
}

// connect makes one connection: dial, handshake and, when request is set, GET path.
func (p *prober) connect(ctx context.Context, minV, maxV uint16, request bool) *probeConn {
	seen := &probeConn{}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	d := net.Dialer{Timeout: p.timeout}
	raw, err := d.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		seen.dialErr = err
		return seen
	}
	defer raw.Close()
	_ = raw.SetDeadline(time.Now().Add(p.timeout))
	tc := tls.Client(raw, p.config(minV, maxV, seen))
	if seen.hsErr = tc.HandshakeContext(ctx); seen.hsErr != nil || !request {
		return seen
	}
	_ = raw.SetDeadline(time.Now().Add(p.timeout))
	hostHeader := net.JoinHostPort(p.serverName, p.port)
	if p.port == "443" {
		hostHeader = strings.TrimSuffix(hostHeader, ":443")
	}
	req, err := http.NewRequest(http.MethodGet, "https://"+hostHeader+p.path, nil)
	if err != nil {
		seen.requestErr = err
		return seen
	}
	req.Host = hostHeader
	req.Header.Set("User-Agent", "mtlsplay-probe")
	req.Header.Set("Accept", "application/json, */*;q=0.5")
	req.Close = true
	// A write error is kept, and the read still made: under TLS 1.3 the server's
	// alert about the certificate may be waiting there.
	seen.writeErr = req.Write(tc)
	resp, err := http.ReadResponse(bufio.NewReader(tc), req)
	if err != nil {
		seen.readErr = err
		return seen
	}
	defer resp.Body.Close()
	seen.resp = resp
	seen.body, _ = io.ReadAll(io.LimitReader(resp.Body, probeBodyLimit))
	return seen
}

// scan reports whether the server accepts one TLS version. The handshake stops as
// soon as the server has chosen the version and sent its certificate, by closing
// the connection, so the server sees a client that went away rather than a client
// certificate it must judge (and log).
func (p *prober) scan(ctx context.Context, v uint16) Version {
	out := Version{Version: versionName(v)}
	seen := &probeConn{}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	d := net.Dialer{Timeout: p.timeout}
	raw, err := d.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		out.Detail = "cannot connect: " + netError(err, p.timeout)
		return out
	}
	defer raw.Close()
	_ = raw.SetDeadline(time.Now().Add(p.timeout))
	cfg := p.config(v, v, seen)
	cfg.VerifyConnection = func(tls.ConnectionState) error {
		seen.serverHello = true
		raw.Close()
		return errProbeSeen
	}
	err = tls.Client(raw, cfg).HandshakeContext(ctx)
	switch {
	case seen.serverHello:
		out.Accepted = true
	case remoteAlert(err) != "":
		out.Detail = "the server answered with the alert \"" + remoteAlert(err) + "\""
	case err != nil:
		out.Detail = netError(err, p.timeout)
	}
	return out
}

// serverTrust checks the server's chain for its name, with --cacert or the system
// roots, as curl would; the probe reports the result and goes on either way.
func (p *prober) serverTrust(peer []*x509.Certificate) Trust {
	t := Trust{CheckedWith: p.rootsName}
	if p.roots == nil {
		t.CheckedWith = "system roots"
	}
	if len(peer) == 0 {
		t.Detail = "the server sent no certificate"
		return t
	}
	opts := x509.VerifyOptions{Roots: p.roots, Intermediates: x509.NewCertPool(), DNSName: p.serverName, CurrentTime: p.now}
	for _, x := range peer[1:] {
		opts.Intermediates.AddCert(x)
	}
	if _, err := peer[0].Verify(opts); err != nil {
		t.Detail = strings.TrimPrefix(err.Error(), "x509: ")
		return t
	}
	t.Trusted = true
	return t
}

// verdict names the one cause of what happened, and the outcome.
func (p *prober) verdict(rep *Report, conn *probeConn) (string, string) {
	accepted := func() []string {
		var vs []string
		for _, v := range rep.Versions {
			if v.Accepted {
				vs = append(vs, v.Version)
			}
		}
		return vs
	}()
	if conn.hsErr != nil {
		alert := remoteAlert(conn.hsErr)
		if !conn.serverHello {
			if p.version != 0 && !versionAccepted(rep.Versions, p.version) {
				if len(accepted) == 0 {
					return fmt.Sprintf("the server does not accept %s, nor any TLS version this probe offers (alert %q)", versionName(p.version), alert), Rejected
				}
				return fmt.Sprintf("the server does not accept %s; it accepts %s", versionName(p.version), strings.Join(accepted, " and ")), Rejected
			}
			if len(accepted) == 0 {
				return fmt.Sprintf("the server accepts neither TLS 1.3 nor TLS 1.2 (alert %q): it needs an older version or other cipher suites than a current client offers", alert), Rejected
			}
			return fmt.Sprintf("the server refused the handshake before sending its certificate (alert %q): no cipher suite, curve or extension in common with this client", alert), Rejected
		}
		if alert == "" {
			// Some servers hang up instead of sending an alert.
			if conn.requested {
				return p.certificateCause("closed the connection during the handshake ("+tlsError(conn.hsErr)+")", rep, conn), Rejected
			}
			return "the handshake failed on the client side: " + tlsError(conn.hsErr), Rejected
		}
		return p.certificateCause(fmt.Sprintf("sent the alert %q during the handshake", alert), rep, conn), Rejected
	}
	if alert := remoteAlert(conn.readErr); alert != "" {
		return p.certificateCause(fmt.Sprintf("sent the alert %q on the first read, after the handshake had succeeded (TLS 1.3 reports a rejected client certificate only then)", alert), rep, conn), Rejected
	}
	if conn.requestErr != nil {
		return fmt.Sprintf("the handshake succeeded, but GET %s could not be sent: %v", p.path, conn.requestErr), NoAnswer
	}
	if conn.resp == nil {
		err := conn.readErr
		if err == nil {
			err = conn.writeErr
		}
		if isTimeout(err) {
			return fmt.Sprintf("the handshake succeeded, but the server did not answer GET %s within %s", p.path, p.timeout), NoAnswer
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isReset(err) {
			if conn.requested && conn.version == tls.VersionTLS13 {
				return p.certificateCause("closed the connection after the handshake without an answer or an alert", rep, conn), Rejected
			}
			return fmt.Sprintf("the handshake succeeded, but the server closed the connection without answering GET %s", p.path), Rejected
		}
		return fmt.Sprintf("the handshake succeeded and the server accepted the TLS session; its answer to GET %s is not HTTP (%s)", p.path, tlsError(err)), Accepted
	}

	status := conn.resp.StatusCode
	statusText := fmt.Sprintf("%d %s", status, http.StatusText(status))
	body := string(conn.body)
	switch {
	case status < 400:
		v := fmt.Sprintf("the request succeeded: the server answered %s to GET %s", statusText, p.path)
		if !conn.requested && p.cert != nil {
			v += "; it did not ask for a client certificate, so none was sent"
		}
		if p.roots != nil && !rep.ServerTrust.Trusted {
			// --cacert asked for the server to be checked: a client using it stops here.
			return fmt.Sprintf("%s does not trust the server's certificate (%s): a client that verifies the server with it stops before sending a request, although this one (which did not verify) got %s", p.rootsName, rep.ServerTrust.Detail, statusText), ServerUntrusted
		}
		return v, Accepted
	case status == 400 && strings.Contains(body, "No required SSL certificate was sent"):
		return p.certificateCause("answered 400 \"No required SSL certificate was sent\" after the handshake (nginx checks the client certificate after TLS; ssl_verify_client on)", rep, conn), Rejected
	case status == 400 && strings.Contains(body, "The SSL certificate error"):
		return p.certificateCause("answered 400 \"The SSL certificate error\" after the handshake (nginx verifies the client certificate after TLS; its error log names the cause)", rep, conn), Rejected
	case status == 495 || status == 496:
		return p.certificateCause(fmt.Sprintf("answered %d after the handshake (nginx's code for a client certificate error)", status), rep, conn), Rejected
	}
	v := fmt.Sprintf("the handshake succeeded; the server answered %d, ", status)
	switch {
	case rep.Decision != nil:
		v = fmt.Sprintf("the handshake succeeded; the server answered %d with decision %d (%s), an application decision, not TLS", status, rep.Decision.Code, rep.Decision.Reason)
	case status == 401 || status == 403:
		v += "an application decision, not TLS"
	case status == 404:
		v += fmt.Sprintf("not found: TLS and the certificate were accepted; check --path (%s)", p.path)
	case status >= 500:
		v += "an error on the server side (or behind a proxy), not TLS"
	default:
		v += "an HTTP error, not TLS"
	}
	return v, Rejected
}

// certificateCause explains a rejection that happened at or after the client
// certificate: none given, one the server's CA list excludes, a leaf without its
// intermediate, or a finding on the certificate. what says what the server did.
func (p *prober) certificateCause(what string, rep *Report, conn *probeConn) string {
	cas := rep.AcceptableCAs
	accepts := ""
	if len(cas) > 0 {
		accepts = "; it accepts " + joinNames(cas)
	}
	if !conn.requested {
		return "the server " + what + " without asking for a client certificate"
	}
	if p.cert == nil {
		return "the server requires a client certificate and none was given (use --cert and --key)" + accepts
	}
	leaf, top := p.chain[0], p.chain[len(p.chain)-1]
	if rep.AcceptableCAsMatch != nil && !*rep.AcceptableCAsMatch {
		if len(p.chain) == 1 && !leaf.SelfIssued {
			// The leaf's issuer may be an intermediate under a named CA, or a root
			// of another PKI: only the first is fixed by sending it.
			return fmt.Sprintf("only the leaf was sent, and its issuer %s is not a CA the server names%s: if %s is an intermediate CA issued by one of those, send it after the leaf in --cert; if not, the certificate comes from a CA this server does not accept (check you picked the right certificate, or ask for %s to be trusted)", leaf.Issuer.DN, accepts, leaf.Issuer.DN, leaf.Issuer.DN)
		}
		return fmt.Sprintf("the server does not accept certificates issued by %s%s", top.Issuer.DN, accepts)
	}
	for _, f := range rep.Findings {
		if f.Severity == diagnose.Error {
			return "the server " + what + ": " + f.Message
		}
	}
	if len(p.chain) == 1 && !leaf.SelfIssued {
		return fmt.Sprintf("the server %s; only the leaf was sent: if the server does not hold %s, send it after the leaf in --cert", what, leaf.Issuer.DN)
	}
	if len(cas) == 0 {
		return fmt.Sprintf("the server %s; it named no acceptable CAs, so check that its truststore holds %s", what, top.Issuer.DN)
	}
	return fmt.Sprintf("the server %s although it names the chain's issuer; check its truststore, its revocation checks and its logs", what)
}

// chainMatches says whether the server's acceptable CA names allow the chain, as
// Go's client and OpenSSL's decide: some certificate of the chain was issued by one
// of them (byte-equal names, or the same DN where the encodings differ).
func chainMatches(chain []*certinfo.Certificate, cas [][]byte) bool {
	for _, c := range chain {
		for _, ca := range cas {
			if x := c.X509(); x != nil && bytes.Equal(x.RawIssuer, ca) {
				return true
			}
			if dn, err := certinfo.FormatDN(ca); err == nil && dn == c.Issuer.DN {
				return true
			}
		}
	}
	return false
}

// echoDecisionOf reads the decision from an mtlsplay echo answer ({"decision":
// {"code", "reason"}}) or any JSON with a top-level decision code and a reason
// (or message): a gateway that passes the echo's code on in its own body.
func echoDecisionOf(body []byte) *Decision {
	var v struct {
		Decision *Decision `json:"decision"`
		Code     int       `json:"code"`
		Reason   string    `json:"reason"`
		Message  string    `json:"message"`
	}
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	if v.Reason == "" {
		v.Reason = v.Message
	}
	switch {
	case v.Decision != nil && v.Decision.Reason != "":
		return v.Decision
	case slices.Contains(policy.Codes, v.Code) && v.Code != policy.Accepted && v.Reason != "":
		return &Decision{Code: v.Code, Reason: oneLine(v.Reason, 200)}
	}
	return nil
}

func describeX509(x *x509.Certificate) Cert {
	if c, err := certinfo.Parse(x.Raw); err == nil {
		return Cert{Subject: c.Subject.DN, Issuer: c.Issuer.DN, NotAfter: c.NotAfter, SHA256: c.SHA256}
	}
	return Cert{Subject: x.Subject.String(), Issuer: x.Issuer.String(), NotAfter: x.NotAfter}
}

// formatName shows a DER Name from the CertificateRequest as docs/design.md's DN.
func formatName(der []byte) string {
	if dn, err := certinfo.FormatDN(der); err == nil {
		if dn == "" {
			return "(empty name)"
		}
		return dn
	}
	return fmt.Sprintf("#%X", der)
}

func joinNames(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], "; ") + " or " + names[len(names)-1]
}

func versionAccepted(vs []Version, v uint16) bool {
	for _, pv := range vs {
		if pv.Version == versionName(v) {
			return pv.Accepted
		}
	}
	return false
}

func versionName(v uint16) string {
	switch v {
	case 0:
		return ""
	case tls.VersionTLS13:
		return "TLS 1.3"
	case tls.VersionTLS12:
		return "TLS 1.2"
	}
	return tls.VersionName(v)
}

// remoteAlert is the name of the alert the server sent ("bad certificate"), or "".
// crypto/tls reports a received alert as a net.OpError "remote error".
func remoteAlert(err error) string {
	var op *net.OpError
	if err == nil || !errors.As(err, &op) || op.Op != "remote error" || op.Err == nil {
		return ""
	}
	return strings.TrimPrefix(op.Err.Error(), "tls: ")
}

// tlsError is an error as a message fragment: the alert, or what went wrong.
func tlsError(err error) string {
	if a := remoteAlert(err); a != "" {
		return "the server sent the alert \"" + a + "\""
	}
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the server closed the connection"
	case isReset(err):
		return "the server reset the connection"
	case isTimeout(err):
		return "no answer in time"
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": tls: "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

// netError is a dial or handshake error as a message fragment.
func netError(err error, timeout time.Duration) string {
	if isTimeout(err) {
		return "no answer within " + timeout.String()
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "cannot resolve " + dnsErr.Name + ": " + dnsErr.Err
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil && op.Op == "dial" {
		var sys *os.SyscallError
		if errors.As(op.Err, &sys) {
			return sys.Err.Error()
		}
		return op.Err.Error()
	}
	if strings.Contains(err.Error(), "first record does not look like a TLS handshake") {
		return "it does not speak TLS (its first bytes are not a TLS record; plain HTTP?)"
	}
	return tlsError(err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return err != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()))
}

func isReset(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "broken pipe"))
}

// oneLine folds s onto one line of at most max runes.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}
