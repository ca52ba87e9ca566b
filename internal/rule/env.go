package rule

import (
	"fmt"
	"reflect"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/ext"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/rule/ruletypes"
)

// Limits. Each one keeps hostile input (a 20 MB paste, 5,000 nested parentheses,
// exponential comprehensions) answered quickly with one clear error, in the browser
// as well as on the server.
const (
	// MaxSourceBytes bounds a rule's source (ruletypes.MaxSourceBytes).
	MaxSourceBytes = ruletypes.MaxSourceBytes

	// MaxNesting bounds parser recursion (nested parentheses, calls, operators).
	// Hand-written rules nest a dozen levels at most; 64 keeps deep input a clean
	// compile error far away from any stack limit.
	MaxNesting = 64

	// MaxNodes bounds the expression nodes after macro expansion, which bounds
	// the checker's and planner's work on a rule that is short but macro-heavy.
	MaxNodes = 8192

	// CostLimit bounds one evaluation in CEL's abstract cost units (about one
	// per operation; string, list and regex work scaled by size). It is
	// deterministic, unlike a timeout, so the browser and the server stop the
	// same rules. Measured on this 2-core machine, a rule that exhausts it
	// (nested exists/all/map) stops within about 0.5 ms natively and 5 ms in
	// js/wasm under Node; realistic rules cost far less: under 500 for SAN, DN
	// and chain checks on a 66-SAN certificate, about 4,000 for a
	// filter().map().all() pipeline over those SANs.
	CostLimit = 10_000

	// MaxRegexProgramSize bounds the compiled size of a regular expression, so
	// a pathological pattern cannot take long to compile in every evaluation.
	MaxRegexProgramSize = 2048
)

// TLS is the connection as the server saw it: the rule variable `tls`. It is its
// own type over ruletypes.TLS (the decision's, declared without cel-go) because
// CEL names it after its Go package: rule.TLS.
type TLS ruletypes.TLS

// Env compiles rules. It is safe for concurrent use; create one and share it, as
// creating it costs a few milliseconds.
type Env struct {
	cel   *cel.Env
	cache *programCache

	declsOnce sync.Once
	decls     []Decl
}

// CEL names of the native types, as ext.NativeTypes derives them from the Go
// package and type names.
const (
	certTypeName = "certinfo.Certificate"
	tlsTypeName  = "rule.TLS"
)

// NewEnv returns the rule environment of docs/design.md ("2. The rule language").
func NewEnv() (*Env, error) {
	e, err := cel.NewEnv(envOptions()...)
	if err != nil {
		return nil, fmt.Errorf("rule: building the CEL environment: %w", err)
	}
	return &Env{cel: e, cache: newProgramCache(cacheEntries, cacheBytes)}, nil
}

func envOptions() []cel.EnvOption {
	certType := cel.ObjectType(certTypeName)
	return []cel.EnvOption{
		// The json tags of certinfo's view are the CEL field names, so the page,
		// the CLI's --json and the rules all spell a field the same way.
		ext.NativeTypes(
			reflect.TypeFor[certinfo.Certificate](),
			reflect.TypeFor[TLS](),
			ext.ParseStructTag("json"),
		),
		// Each variable carries its line of the rule reference (see documented).
		cel.VariableWithDoc("CN", cel.StringType, documented(
			"The subject common name (the last CN attribute); \"\" if there is none.",
			`CN.endsWith(".example.com")`)),
		cel.VariableWithDoc("SAN", cel.ListType(cel.StringType), documented(
			"Every subjectAltName entry in certificate order, each with its type prefix: DNS:, IP:, URI:, Email:, UPN:, OtherName:<oid>:, RID:, DirName:.",
			`SAN.exists(s, s == "DNS:client.example.com")`)),
		cel.VariableWithDoc("DN", cel.StringType, documented(
			"The subject distinguished name as an RFC 4514 string, last RDN first: CN=b+OU=a,O=Acme\\, Inc.,C=US.",
			`DN.startsWith("CN=")`)),
		cel.VariableWithDoc("cert", certType, documented(
			"The leaf certificate, structured: subject, issuer, san, validity, key, usages, fingerprints.",
			`cert.not_after > now && "clientAuth" in cert.ext_key_usage`)),
		cel.VariableWithDoc("chain", cel.ListType(certType), documented(
			"Every certificate presented, leaf first, each shaped like cert.",
			`chain[0].sha256 == cert.sha256`)),
		cel.VariableWithDoc("now", cel.TimestampType, documented(
			"The evaluation time (the playground's clock, or --at).",
			`now >= cert.not_before && now <= cert.not_after`)),
		cel.VariableWithDoc("tls", cel.ObjectType(tlsTypeName), documented(
			"The connection as the server saw it (version, cipher_suite, server_name, alpn); every field is \"\" in the playground.",
			`tls.version == "" || tls.version == "TLS 1.3"`)),
		// Pinned versions: a cel-go upgrade must not silently change the language.
		ext.Strings(ext.StringsVersion(5)),
		ext.Network(ext.NetworkVersion(ext.Version1)),
		// After every library, so that every function is there to document.
		documentFunctions,
		// Explain maps an expanded exists/all/map back to the call the person wrote.
		cel.EnableMacroCallTracking(),
		// A rule cannot name a macro's accumulator (__result__) and depend on how
		// exists() happens to be expanded.
		cel.EnableHiddenAccumulatorName(true),
		cel.ParserExpressionSizeLimit(MaxSourceBytes),
		cel.ParserRecursionLimit(MaxNesting),
		cel.ExpressionNodeLimit(MaxNodes),
		cel.RegexProgramSizeLimit(MaxRegexProgramSize),
	}
}
