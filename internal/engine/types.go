package engine

import (
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/diagnose"
	"github.com/mtlsplay/mtlsplay/internal/gateway"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/rule/ruletypes"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

// InspectRequest asks for the view of every certificate in a PEM, DER (base64) or
// text input.
type InspectRequest struct {
	Certificates string `json:"certificates"`
	Source       string `json:"source,omitempty"` // names the input in messages; default "certificate"
	At           string `json:"at,omitempty"`     // RFC 3339, for expiry findings; empty means now
	// Bundle reads the input as a truststore bundle (up to certinput.MaxBundleCertificates)
	// rather than a chain (up to certinput.MaxCertificates): a file to inspect may be either.
	Bundle bool `json:"bundle,omitempty"`
	// Gateway asks for each certificate as a gateway shows it (a gateway.Names
	// name, or "all"); empty asks for none.
	Gateway string `json:"gateway,omitempty"`
}

// InspectResponse lists the parsed certificates, in the order given, and what is
// wrong with them on their own (without bundles, a missing intermediate cannot be
// told). At and Leaf are as a decision's, so a page that shows the certificate while
// the rule does not compile shows the same certificate and "days left" as it would
// beside a decision.
type InspectResponse struct {
	At           time.Time               `json:"at"`
	Certificates []*certinfo.Certificate `json:"certificates"`
	Leaf         int                     `json:"leaf,omitempty"` // as DecideResponse.Leaf; never for a bundle
	Findings     []diagnose.Finding      `json:"findings"`
	Header       *HeaderView             `json:"header,omitempty"`   // when the input was a forwarded header
	Gateways     [][]gateway.View        `json:"gateways,omitempty"` // with Gateway: per certificate, its views
}

// ReadRequest is a file as the page opened or was dropped one: its bytes, which may
// be binary (DER, PKCS#12), so that the engine, not the page, tells a certificate
// from a private key before anything of it is shown or put in a share link.
type ReadRequest struct {
	Data   []byte `json:"data"`             // base64 in JSON
	Source string `json:"source,omitempty"` // names the file in messages; default "file"
}

// ReadResponse is the file's certificates as PEM, for the page's text boxes.
type ReadResponse struct {
	PEM string `json:"pem"`
}

// CompileRequest checks a rule without evaluating it.
type CompileRequest struct {
	Rule    string `json:"rule"`
	Dialect string `json:"dialect,omitempty"` // cel, workato or auto (the default)
}

// CompileResponse is ok, or the rule's issues with their positions. When ok, the
// dialect the rule was read in, its CEL translation and its lint warnings.
type CompileResponse struct {
	OK     bool              `json:"ok"`
	Issues []ruletypes.Issue `json:"issues"`
	*ruletypes.Info
}

// BundleInput is one truststore bundle as text.
type BundleInput struct {
	Name string `json:"name"`
	PEM  string `json:"pem"`
}

// DecideRequest is everything one decision needs. An empty Certificates is a client
// that presented no certificate; an empty Rule accepts every trusted certificate;
// an empty At means now.
type DecideRequest struct {
	Certificates string        `json:"certificates"`
	Source       string        `json:"source,omitempty"` // names Certificates in messages; default "certificate"
	Bundles      []BundleInput `json:"bundles"`
	Rule         string        `json:"rule"`
	Dialect      string        `json:"dialect,omitempty"` // cel, workato or auto (the default)
	At           string        `json:"at,omitempty"`      // RFC 3339
	Client       string        `json:"client,omitempty"`  // shown in the steps; default "playground"
	TLS          ruletypes.TLS `json:"tls"`
	Gateway      string        `json:"gateway,omitempty"` // as InspectRequest.Gateway
}

// DecideResponse carries the decision's fields at the top level ("code", "reason",
// "steps", "verification", "rule") beside the inputs as the engine understood them,
// and, when there is a rule, its dialect, CEL translation and warnings.
type DecideResponse struct {
	policy.Decision
	*ruletypes.Info
	At           time.Time               `json:"at"`
	Certificates []*certinfo.Certificate `json:"certificates"`
	Bundles      []BundleView            `json:"bundles"`
	Findings     []diagnose.Finding      `json:"findings"`           // whatever the code: the causes to look at
	Header       *HeaderView             `json:"header,omitempty"`   // when Certificates was a forwarded header
	Leaf         int                     `json:"leaf,omitempty"`     // index in Certificates of the client certificate when not 0 (leaf_not_first)
	Gateways     [][]gateway.View        `json:"gateways,omitempty"` // with Gateway: per certificate, its views
	// GatewayTrust is, with Gateway, the trust verdict of each named gateway
	// that has a trust model (gateway.Trust): an empty list when none has or
	// no chain was verified, absent without Gateway.
	GatewayTrust []gateway.TrustVerdict `json:"gateway_trust,omitzero"`
}

// BundleView summarises a parsed bundle and its warnings.
type BundleView struct {
	Name         string          `json:"name"`
	Certificates []BundleCert    `json:"certificates"`
	Warnings     []trust.Warning `json:"warnings"`
}

// BundleCert is one CA certificate of a bundle, as a list shows it.
type BundleCert struct {
	Subject  string    `json:"subject"`
	CN       string    `json:"cn"` // the subject's last CN, as certinfo reads it: what the page names a bundle after
	SHA256   string    `json:"sha256"`
	NotAfter time.Time `json:"not_after"`
	IsCA     bool      `json:"is_ca"`
}

// Error is the one error shape at every boundary. Line and Column are 1-based and
// present when the error has a position (a rule's compile error).
type Error struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Line    int               `json:"line,omitempty"`
	Column  int               `json:"column,omitempty"`
	Issues  []ruletypes.Issue `json:"issues,omitempty"` // every compile issue, the first is Line:Column
	// Input is the part of a decide request the error is about: "certificate",
	// "bundle" (Bundle is then its position, from 1) or "rule"; empty when it is
	// about the request as a whole. A page clears or marks that input by it.
	Input  string `json:"input,omitempty"`
	Bundle int    `json:"bundle,omitempty"`
}

// ErrorResponse wraps Error as {"error": {...}}.
type ErrorResponse struct {
	Error Error `json:"error"`
}

func (e *Error) Error() string { return e.Message }
