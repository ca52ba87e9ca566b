package engine

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/diagnose"
	"github.com/mtlsplay/mtlsplay/internal/gateway"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/rule/ruletypes"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

// MaxRequestBytes bounds one JSON request at the largest a legitimate one can be
// (about 6.5 MiB): the chain and policy.MaxBundles bundles at certinput.MaxBytes
// each, as PEM whose line ends JSON escapes ("\r\n" is 4 bytes, under 1/16 more
// on a 66-byte line); a rule of ruletypes.MaxSourceBytes with every character escaped
// as \u00XX (6 bytes, as Go escapes & < >); and 64 KiB for the other members
// (names, time, dialect, client, TLS facts) and the JSON around them.
const MaxRequestBytes = (policy.MaxBundles+1)*certinput.MaxBytes*17/16 + 6*ruletypes.MaxSourceBytes + 64<<10

// Error codes of the JSON error shape.
const (
	CodeBadRequest   = "bad_request"
	CodeBadTime      = "bad_time"
	CodeCompileError = "compile_error"
	CodeUnknownOp    = "unknown_operation"
)

// verified remembers chains that verified, for the page: it decides again on every
// keystroke, with the same certificate and bundles, and verification in WebAssembly
// is most of a decision's cost. Results are exactly trust.Verify's.
var verified = trust.NewCache(64)

// ParseChain decodes and parses every certificate in data, leaf first. It fails on
// input that holds no certificate at all, and names the block of any failure.
func ParseChain(source string, data []byte) ([]*certinfo.Certificate, error) {
	return parseCerts(source, data, certinput.Decode)
}

// parseCerts parses every certificate decode finds in data.
func parseCerts(source string, data []byte, decode func(string, []byte) ([]certinput.Block, error)) ([]*certinfo.Certificate, error) {
	blocks, err := decode(source, data)
	if err != nil {
		return nil, err
	}
	certs := make([]*certinfo.Certificate, 0, len(blocks))
	var parser certinfo.Parser
	for _, b := range blocks {
		c, err := parser.Parse(b.DER)
		if err != nil {
			return nil, &certinput.Error{Source: source, Where: b.Where, Kind: certinput.KindNotCert, Msg: err.Error()}
		}
		certs = append(certs, c)
	}
	return certs, nil
}

// ParseTime reads an RFC 3339 time, or a date alone (2026-06-01) as its midnight
// UTC, as people type a day; empty means now. The result is in UTC and in whole
// seconds (policy.DecisionTime), so a finding, a rule's now and the decision all
// see the same time.
func ParseTime(s string, now func() time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return policy.DecisionTime(now().UTC()), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		d, dateErr := time.Parse(time.DateOnly, s)
		if dateErr != nil {
			return time.Time{}, &Error{Code: CodeBadTime, Message: fmt.Sprintf("time %q is neither RFC 3339 (2026-06-01T00:00:00Z) nor a date (2026-06-01, midnight UTC)", s)}
		}
		t = d
	}
	if t.UTC().Year() < 1950 { // crypto/x509 would read the zero time as now
		return time.Time{}, &Error{Code: CodeBadTime, Message: fmt.Sprintf("time %q is before 1950, when no certificate's validity can start (RFC 5280 writes dates from 1950 on)", s)}
	}
	return policy.DecisionTime(t.UTC()), nil
}

// Inspect parses the certificates of a request and reports their findings.
func Inspect(req InspectRequest, now func() time.Time) (*InspectResponse, error) {
	at, err := ParseTime(req.At, now)
	if err != nil {
		return nil, err
	}
	profiles, err := gatewayProfiles(req.Gateway)
	if err != nil {
		return nil, err
	}
	decode := certinput.Decode
	if req.Bundle {
		decode = certinput.DecodeBundle
	}
	certs, err := parseNonEmpty(req.Source, req.Certificates, decode)
	if err != nil {
		return nil, inputError(err, "certificate", 0)
	}
	resp := &InspectResponse{At: at, Certificates: certs, Findings: diagnose.Findings(certs, nil, at), Header: Header([]byte(req.Certificates), certs), Gateways: gatewayViews(profiles, certs)}
	if !req.Bundle {
		resp.Leaf = diagnose.LeafIndex(certs)
	}
	return resp, nil
}

// gatewayProfiles reads a request's gateway: "" is none, "all" every profile in
// gateway.Profiles' order, else the one named.
func gatewayProfiles(name string) ([]gateway.Profile, error) {
	switch name {
	case "":
		return nil, nil
	case "all":
		return gateway.Profiles(), nil
	}
	p, ok := gateway.Lookup(name)
	if !ok {
		return nil, &Error{Code: CodeBadRequest, Message: fmt.Sprintf("unknown gateway %q (known: %s, all)", name, strings.Join(gateway.Names(), ", "))}
	}
	return []gateway.Profile{p}, nil
}

// gatewayViews shows each certificate as each profile does; nil without profiles.
func gatewayViews(profiles []gateway.Profile, certs []*certinfo.Certificate) [][]gateway.View {
	if len(profiles) == 0 {
		return nil
	}
	out := make([][]gateway.View, len(certs))
	for i, c := range certs {
		out[i] = make([]gateway.View, len(profiles))
		for j, p := range profiles {
			out[i][j] = p.View(c)
		}
	}
	return out
}

// gatewayTrust is the trust verdict of each profile that has a trust model, on
// the chain Go verified with res; empty when no chain was verified (no
// certificate, no bundle): a gateway then has nothing to decide either.
func gatewayTrust(profiles []gateway.Profile, certs []*certinfo.Certificate, bundles []*trust.Bundle, res *trust.Result, at time.Time) []gateway.TrustVerdict {
	out := []gateway.TrustVerdict{}
	if res == nil {
		return out
	}
	for _, p := range profiles {
		if v, ok := gateway.Trust(p.Name, certs, bundles, *res, at); ok {
			out = append(out, v)
		}
	}
	return out
}

// Read finds the certificates in a file's bytes as every input is read (PEM, DER,
// base64, up to a bundle's count) and writes them as PEM. A private key, an
// encrypted one or a PKCS#12 file is the private_key error: the page then keeps
// nothing of the file.
func Read(req ReadRequest) (*ReadResponse, error) {
	source := sourceName(req.Source, "file")
	blocks, err := certinput.DecodeBundle(source, req.Data)
	if err != nil {
		return nil, err
	}
	if len(blocks) == 0 {
		return nil, &certinput.Error{Source: source, Kind: certinput.KindNoCertificate, Msg: "no certificate: the file is empty"}
	}
	var b strings.Builder
	for _, bl := range blocks {
		b.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: bl.DER}))
	}
	return &ReadResponse{PEM: b.String()}, nil
}

// parseNonEmpty is parseCerts for inputs that must hold a certificate.
func parseNonEmpty(source, text string, decode func(string, []byte) ([]certinput.Block, error)) ([]*certinfo.Certificate, error) {
	source = sourceName(source, "certificate")
	certs, err := parseCerts(source, []byte(text), decode)
	if err == nil && len(certs) == 0 {
		err = &certinput.Error{Source: source, Kind: certinput.KindNoCertificate, Msg: "no certificate: the input is empty"}
	}
	return certs, err
}

// Verifier verifies a presented chain against bundles, as trust.Verify does.
type Verifier = func(presented []*certinfo.Certificate, bundles []*trust.Bundle, now time.Time) trust.Result

// DecideFor is the one composition of a decision, shared by the browser, the CLI,
// POST /api/decide and the echo endpoint: policy.Decide for client c (nil: no
// configured client matched) on chain (leaf first; empty: none presented) with the
// TLS facts a rule reads, at time at; the outcome in the rule's own dialect; and the
// findings to show beside it whatever the code. verify nil is trust.Verify.
func DecideFor(c *Client, chain []*certinfo.Certificate, facts ruletypes.TLS, at time.Time, verify Verifier) (policy.Decision, []diagnose.Finding) {
	return decideFor(c, chain, 0, facts, at, verify)
}

// decideFor is DecideFor on a chain whose client certificate is chain[leaf]: the
// decision is made on the chain with that certificate moved first, and says so;
// the findings are made on the chain as given, so that they number certificates
// as the person sent them.
func decideFor(c *Client, chain []*certinfo.Certificate, leaf int, facts ruletypes.TLS, at time.Time, verify Verifier) (policy.Decision, []diagnose.Finding) {
	var pc *policy.Client
	var bundles []*trust.Bundle
	if c != nil {
		pc, bundles = &c.Client, c.Bundles
	}
	decided := leafFirst(chain, leaf)
	d := policy.Decide(policy.Request{Client: pc, Presented: decided, Now: at, TLS: facts, Verify: verify})
	if c != nil && c.Written != nil {
		c.Written.MapDecision(&d)
	}
	if leaf > 0 {
		renumber(&d, leaf)
	}
	return d, diagnose.Findings(chain, bundles, at)
}

// leafFirst is chain with chain[leaf] moved to the front, the others in their order.
func leafFirst(chain []*certinfo.Certificate, leaf int) []*certinfo.Certificate {
	if leaf <= 0 || leaf >= len(chain) {
		return chain
	}
	out := make([]*certinfo.Certificate, 0, len(chain))
	out = append(out, chain[leaf])
	out = append(out, chain[:leaf]...)
	return append(out, chain[leaf+1:]...)
}

// renumberCertificates rewrites every "certificate N (" of s that starts a word,
// which is how trust and policy name a presented certificate in messages, as
// "certificate index(N-1)+1 (". It is written out rather than a regular
// expression, so that the page's inspector does not link package regexp (~60 KB
// of brotli).
func renumberCertificates(s string, index func(int) int) string {
	const word = "certificate "
	var b strings.Builder
	done := 0 // s[:done] is in b
	for at := 0; ; {
		i := strings.Index(s[at:], word)
		if i < 0 {
			break
		}
		start := at + i
		digits := start + len(word)
		end := digits
		for end < len(s) && '0' <= s[end] && s[end] <= '9' {
			end++
		}
		n, err := strconv.Atoi(s[digits:end])
		if end == digits || !strings.HasPrefix(s[end:], " (") || start > 0 && isWordByte(s[start-1]) || err != nil || n < 1 {
			at = start + 1
			continue
		}
		b.WriteString(s[done:start])
		fmt.Fprintf(&b, "certificate %d (", index(n-1)+1)
		done = end + len(" (")
		at = done
	}
	if done == 0 {
		return s
	}
	return b.String() + s[done:]
}

// isWordByte is regexp's \w: an ASCII letter, digit or underscore.
func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// renumber rewrites a decision made on leafFirst(chain, leaf) so that it numbers
// certificates as they were pasted (the verification failure's index and every
// "certificate N (" of its messages), and says in the certificate step which
// certificate it took for the client certificate.
func renumber(d *policy.Decision, leaf int) {
	index := func(i int) int { // in the decided chain → as pasted
		switch {
		case i == 0:
			return leaf
		case i <= leaf:
			return i - 1
		}
		return i
	}
	fix := func(s string) string { return renumberCertificates(s, index) }
	d.Reason = fix(d.Reason)
	for i := range d.Steps {
		d.Steps[i].Detail = fix(d.Steps[i].Detail)
		if d.Steps[i].Check == "certificate" {
			d.Steps[i].Detail += fmt.Sprintf("; certificate %d is the leaf, pasted after its issuer: it is decided on as the client certificate, as if sent first (finding %s)", leaf+1, diagnose.LeafNotFirst)
		}
	}
	if v := d.Verification; v != nil && v.Failure != nil {
		f := *v.Failure
		if f.Cert >= 0 {
			f.Cert = index(f.Cert)
		}
		f.Message = fix(f.Message)
		v.Failure = &f
		for i := range v.Tried {
			v.Tried[i].Reason = fix(v.Tried[i].Reason)
		}
	}
}

// Decide parses every input of the request and makes the decision.
func Decide(req DecideRequest, now func() time.Time) (*DecideResponse, error) {
	at, err := ParseTime(req.At, now)
	if err != nil {
		return nil, err
	}
	profiles, err := gatewayProfiles(req.Gateway)
	if err != nil {
		return nil, err
	}
	if len(req.Bundles) > policy.MaxBundles {
		return nil, &Error{Code: CodeBadRequest, Message: fmt.Sprintf("%d bundles given; a client selects at most %d", len(req.Bundles), policy.MaxBundles)}
	}
	client := &Client{Client: policy.Client{Name: sourceName(req.Client, "playground")}}
	views := make([]BundleView, 0, len(req.Bundles))
	for i, in := range req.Bundles {
		name := sourceName(in.Name, fmt.Sprintf("bundle %d", i+1))
		b, err := trust.ParseBundle(name, []byte(in.PEM), at)
		if err != nil {
			return nil, inputError(err, "bundle", i+1)
		}
		client.Bundles = append(client.Bundles, b)
		views = append(views, bundleView(b))
	}
	if strings.TrimSpace(req.Rule) != "" {
		if err := setRule(client, req.Rule, req.Dialect); err != nil {
			return nil, inputError(err, "rule", 0)
		}
	}
	certs, err := ParseChain(sourceName(req.Source, "certificate"), []byte(req.Certificates))
	if err != nil {
		return nil, inputError(err, "certificate", 0)
	}
	resp := &DecideResponse{At: at, Certificates: certs, Bundles: views, Header: Header([]byte(req.Certificates), certs), Gateways: gatewayViews(profiles, certs)}
	// Pasted text, not a handshake: a leaf pasted after its issuer is the one meant.
	resp.Leaf = diagnose.LeafIndex(certs)
	resp.Decision, resp.Findings = decideFor(client, certs, resp.Leaf, req.TLS, at, verified.Verify)
	if profiles != nil {
		resp.GatewayTrust = gatewayTrust(profiles, certs, client.Bundles, resp.Verification, at)
	}
	if r := client.Written; r != nil {
		var leaf *certinfo.Certificate
		if len(certs) > 0 {
			leaf = certs[resp.Leaf]
		}
		info := r.Info(leaf)
		resp.Info = &info
	}
	return resp, nil
}

func bundleView(b *trust.Bundle) BundleView {
	v := BundleView{Name: b.Name, Certificates: make([]BundleCert, 0, len(b.Certs)), Warnings: b.Warnings}
	if v.Warnings == nil {
		v.Warnings = []trust.Warning{}
	}
	for _, c := range b.Certs {
		v.Certificates = append(v.Certificates, BundleCert{Subject: c.Subject.DN, CN: c.Subject.CN, SHA256: c.SHA256, NotAfter: c.NotAfter, IsCA: c.IsCA})
	}
	return v
}

func sourceName(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// inputError is err in the JSON error shape, naming the input it is about.
func inputError(err error, input string, bundle int) *Error {
	e := ErrorOf(err)
	e.Input, e.Bundle = input, bundle
	return &e
}

// ErrorOf turns any engine error into the one JSON error shape.
func ErrorOf(err error) Error {
	var (
		e  *Error
		ie *certinput.Error
	)
	if out, ok := compileErrorOf(err); ok {
		return out
	}
	switch {
	case errors.As(err, &e):
		return *e
	case errors.As(err, &ie):
		return Error{Code: ie.Kind, Message: ie.Error()}
	}
	return Error{Code: CodeBadRequest, Message: err.Error()}
}

// Call runs one operation on a JSON request and returns the JSON response, or the
// error shape. It is the whole surface of the WebAssembly bridge and the HTTP API.
func Call(op string, request []byte, now func() time.Time) []byte {
	out, err := call(op, request, now)
	if err != nil {
		out = ErrorResponse{Error: ErrorOf(err)}
	}
	b, err := json.Marshal(out)
	if err != nil {
		b, _ = json.Marshal(ErrorResponse{Error: Error{Code: CodeBadRequest, Message: "encoding the response: " + err.Error()}})
	}
	return b
}

func call(op string, request []byte, now func() time.Time) (any, error) {
	if len(request) > MaxRequestBytes {
		return nil, &Error{Code: CodeBadRequest, Message: fmt.Sprintf("request is %d bytes; at most %d are accepted", len(request), MaxRequestBytes)}
	}
	for _, o := range operations {
		if o.name == op {
			return o.run(request, now)
		}
	}
	return nil, UnknownOp(op, Ops())
}

// operation is one op Call answers.
type operation struct {
	name string
	run  func(request []byte, now func() time.Time) (any, error)
}

// operations are the ops Call answers, in the order its unknown-operation message
// lists them: the one list, so that message names exactly what Call does. The rule
// operations follow (ruleOperations: rules.go; the inspector's, inspector.go,
// answer that they are the rule engine's).
var operations = append([]operation{
	{"inspect", func(request []byte, now func() time.Time) (any, error) {
		var req InspectRequest
		if err := decode(request, &req); err != nil {
			return nil, err
		}
		return Inspect(req, now)
	}},
	{"read", func(request []byte, _ func() time.Time) (any, error) {
		var req ReadRequest
		if err := decode(request, &req); err != nil {
			return nil, err
		}
		return Read(req)
	}},
	{"decide", func(request []byte, now func() time.Time) (any, error) {
		var req DecideRequest
		if len(bytes.TrimSpace(request)) == 0 { // not a client with nothing to say: no request at all
			return nil, &Error{Code: CodeBadRequest, Message: "the request is empty; a decision needs a JSON object (docs/design.md §5.4)"}
		}
		if err := decode(request, &req); err != nil {
			return nil, err
		}
		return Decide(req, now)
	}},
}, ruleOperations...)

// Ops are the operations Call answers, in the order its unknown-operation message
// lists them; a caller that answers more (suite.Call) lists its own with them.
func Ops() []string {
	names := make([]string, len(operations))
	for i, o := range operations {
		names[i] = o.name
	}
	return names
}

// UnknownOp is the error for an operation that is none of ops.
func UnknownOp(op string, ops []string) *Error {
	use := strings.Join(ops, ", ")
	if n := len(ops); n > 1 {
		use = strings.Join(ops[:n-1], ", ") + " or " + ops[n-1]
	}
	return &Error{Code: CodeUnknownOp, Message: fmt.Sprintf("unknown operation %q; use %s", op, use)}
}

func decode(b []byte, v any) error {
	if len(b) == 0 {
		return nil
	}
	return DecodeRequest(b, v)
}

// DecodeRequest reads one JSON request into v. A member v does not have is
// bad_request: a misspelt "bundle" would otherwise be a decision without bundles
// (4016), with nothing to say why.
func DecodeRequest(b []byte, v any) error {
	if string(bytes.TrimSpace(b)) == "null" {
		return &Error{Code: CodeBadRequest, Message: "the request is null; it is a JSON object"}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && len(bytes.TrimSpace(b[dec.InputOffset():])) > 0 {
		err = errors.New("text after the JSON value")
	}
	if err == nil {
		return nil
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return &Error{Code: CodeBadRequest, Message: "request has an unknown member " + name + " (misspelt? docs/design.md §5 lists each operation's members)"}
	}
	return &Error{Code: CodeBadRequest, Message: "request is not valid JSON: " + err.Error()}
}
