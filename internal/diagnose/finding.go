package diagnose

// Finding is one thing wrong with, or worth knowing about, a presented chain.
type Finding struct {
	ID       string   `json:"id"`       // stable, snake_case: tests, docs and the page key on it
	Severity Severity `json:"severity"` // error, warning or info
	Message  string   `json:"message"`  // one lower-case sentence naming the certificate and the cause
	Cert     int      `json:"cert"`     // index in the presented chain; -1 for the chain as a whole or a bundle certificate
	Fix      string   `json:"fix"`      // what to do about it
}

// Severity says how much a finding matters.
type Severity string

// Severities. An error is something a standard server rejects (or will, at a known
// date); a warning is something some servers reject or that is about to break; info
// is worth knowing and breaks nothing by itself.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Finding IDs, stable for JSON, tests and docs/troubleshooting.md.
const (
	NoClientAuthEKU             = "no_client_auth_eku"              // the leaf's EKU lacks clientAuth
	IntermediateNoClientAuthEKU = "intermediate_no_client_auth_eku" // a CA on the leaf's path restricts EKU without clientAuth
	Expired                     = "expired"
	NotYetValid                 = "not_yet_valid"
	ExpiresSoon                 = "expires_soon" // within ExpiryWarning
	SelfSignedLeaf              = "self_signed_leaf"
	MissingIntermediate         = "missing_intermediate" // needs bundles
	WrongBundle                 = "wrong_bundle"         // the chain ends at a CA no bundle leads to; needs bundles
	LeafNotFirst                = "leaf_not_first"       // the client certificate comes after its issuer
	ChainOutOfOrder             = "chain_out_of_order"
	ChainDuplicate              = "chain_duplicate"
	ChainUnrelatedCertificate   = "chain_unrelated_certificate"
	CAAsClientCert              = "ca_as_client_cert"
	WeakRSAKey                  = "weak_rsa_key"
	WeakSignature               = "weak_signature"
	NoSAN                       = "no_san"
	UnhandledCriticalExtension  = "unhandled_critical_extension"
	MalformedSAN                = "malformed_san"
	MalformedCertificate        = "malformed_certificate"
	DeceptiveText               = "deceptive_text" // invisible or text-reordering characters in the subject or SAN
)

// IDs lists every finding id, in the order docs/design.md's table has them.
var IDs = []string{
	NoClientAuthEKU, IntermediateNoClientAuthEKU, Expired, NotYetValid, ExpiresSoon, SelfSignedLeaf,
	MissingIntermediate, WrongBundle, LeafNotFirst, ChainOutOfOrder, ChainDuplicate, ChainUnrelatedCertificate,
	CAAsClientCert, WeakRSAKey, WeakSignature, NoSAN, UnhandledCriticalExtension, MalformedSAN,
	MalformedCertificate, DeceptiveText,
}
