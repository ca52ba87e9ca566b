package export

import (
	"fmt"
	"sort"
	"strings"
)

// Gateways lists the gateways a rule exports to, in the order the page shows them.
func Gateways() []string { return []string{"nginx", "haproxy", "caddy", "envoy"} }

// DelegateHint is what a partial export tells its reader to do for the whole
// rule: the command that writes the gateway's configuration asking mtlsplay
// (server/authz's recipes; HAProxy has none, so it is not offered a command that
// fails).
func DelegateHint(gateway string) string {
	if gateway == "haproxy" {
		return "mtlsplay has no delegate recipe for HAProxy: to decide with the whole rule, put nginx, Caddy, Traefik or Envoy in front (mtlsplay export --delegate writes their configuration)"
	}
	return "to decide with the whole rule, let mtlsplay decide: mtlsplay export --gateway " + gateway + " --delegate"
}

// Options are the parts of the exported config that are not the rule: where the
// files are and where accepted requests go. Zero values give placeholders the
// output names.
type Options struct {
	Bundles    []string // the truststore PEM files (the client's bundles)
	ServerCert string   // the server certificate (PEM); HAProxy wants certificate and key in this one file
	ServerKey  string
	Listen     string // host:port; default 0.0.0.0:443
	ServerName string // the site's name (Caddy's site address); default example.com
	Upstream   string // host:port accepted requests go to; "" answers 200 "accepted" instead
	Rule       string // the rule as written, repeated in the header comment
	// Name prefixes the config's own names (nginx variables, HAProxy ACLs and
	// frontend, Caddy matcher), so several exports fit in one config; default mtls.
	Name string
}

// Result is one exported config.
type Result struct {
	Gateway string `json:"gateway"`
	Config  string `json:"config"`
	// Complete is true when the config decides exactly as the rule does (for
	// a certificate the truststore trusts). When false, every part in Missing was
	// replaced by "refuse", so the config accepts fewer certificates than the
	// rule, never more.
	Complete bool     `json:"complete"`
	Missing  []string `json:"missing"`
	Notes    []string `json:"notes"`
	// Source is "tested" when TestExportLive runs the gateway's config,
	// "documented" when it follows the gateway's documentation only.
	Source string `json:"source"`
	// Delegate, when the config is partial, says how to decide with the whole
	// rule (DelegateHint): the page shows it as the CLI prints it.
	Delegate string `json:"delegate,omitempty"`
}

// maxConditions bounds the conditions one export combines: nginx's truth table
// and HAProxy's disjunctive form grow exponentially with them.
const maxConditions = 10

// Export translates a rule (its CEL: a formula's translation, or the CEL as
// written) into gateway's configuration.
func Export(gateway, cel string, opt Options) (*Result, error) {
	var t translator
	switch gateway {
	case "nginx":
		t = rfcTranslator{gateway: "nginx", noSAN: "nginx has no variable for subjectAltName (use the delegate recipe: auth_request)"}
	case "haproxy":
		t = rfcTranslator{gateway: "haproxy", noSAN: "HAProxy 2.6 has no fetch for subjectAltName (ssl_c_san is new in 3.1)"}
	case "envoy":
		t = rfcTranslator{gateway: "envoy", noSAN: "Envoy's CEL attributes hold only the first DNS and the first URI SAN, and no IP or email SAN"}
	case "caddy":
		t = caddyTranslator{}
	default:
		return nil, fmt.Errorf("unknown gateway %q: use %s", gateway, strings.Join(Gateways(), ", "))
	}
	if opt.Name == "" {
		opt.Name = "mtls"
	}
	for _, c := range opt.Name {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return nil, fmt.Errorf("name %q: use lower-case letters, digits and _", opt.Name)
		}
	}
	for _, v := range append([]string{opt.ServerCert, opt.ServerKey, opt.Listen, opt.ServerName, opt.Upstream}, opt.Bundles...) {
		if err := configSafe(v); err != nil {
			return nil, err
		}
	}
	tree, err := parseRule(cel)
	if err != nil {
		return nil, err
	}
	res := &Result{Gateway: gateway, Complete: true, Missing: []string{}, Notes: []string{}, Source: "tested"}
	if gateway == "envoy" {
		res.Source = "documented"
	}
	seen := map[string]bool{}
	missing := func(s string) {
		if !seen[s] {
			seen[s] = true
			res.Missing = append(res.Missing, s)
		}
		res.Complete = false
	}
	tree = simplify(translate(nnf(tree, false), t, missing))
	var conds []string
	collect(tree, &conds)
	if len(conds) > maxConditions && gateway != "caddy" && gateway != "envoy" {
		missing(fmt.Sprintf("the rule has %d distinct conditions; export combines at most %d for %s", len(conds), maxConditions, gateway))
		tree = &node{op: "const", val: false}
	}
	opt = withDefaults(opt)
	res.Config = t.render(tree, opt, res)
	sort.Strings(res.Notes)
	if !res.Complete {
		res.Delegate = DelegateHint(gateway)
	}
	return res, nil
}

func withDefaults(o Options) Options {
	if o.Listen == "" {
		o.Listen = "0.0.0.0:443"
	}
	if o.ServerName == "" {
		o.ServerName = "example.com"
	}
	if o.ServerCert == "" {
		o.ServerCert = "/etc/ssl/server.pem"
	}
	if o.ServerKey == "" {
		o.ServerKey = "/etc/ssl/server.key"
	}
	if len(o.Bundles) == 0 {
		o.Bundles = []string{"/etc/ssl/client-ca.pem"}
	}
	return o
}

// translator turns conditions into one gateway's expressions.
type translator interface {
	// condition is a's expression in the gateway's language, or why it has none.
	condition(a *atom) (expr string, cannot string)
	render(tree *node, opt Options, res *Result) string
}

// nnf pushes negations down to the conditions: "not" remains only directly
// above an atom.
func nnf(n *node, neg bool) *node {
	switch n.op {
	case "const":
		return &node{op: "const", val: n.val != neg}
	case "not":
		return nnf(n.args[0], !neg)
	case "and", "or":
		op := n.op
		if neg {
			op = map[string]string{"and": "or", "or": "and"}[op]
		}
		out := &node{op: op}
		for _, a := range n.args {
			out.args = append(out.args, nnf(a, neg))
		}
		return out
	}
	if neg {
		return &node{op: "not", args: []*node{n}}
	}
	return n
}

// translate replaces each condition by an "expr" node holding the gateway's
// expression in atom.value, and each one the gateway cannot express by false
// (under a "not" too), so that the config refuses what it cannot decide.
func translate(n *node, t translator, missing func(string)) *node {
	switch n.op {
	case "and", "or":
		out := &node{op: n.op}
		for _, a := range n.args {
			out.args = append(out.args, translate(a, t, missing))
		}
		return out
	case "not":
		inner := translate(n.args[0], t, missing)
		if inner.op == "const" {
			// The condition could not be expressed: refuse, whatever the polarity.
			return inner
		}
		return &node{op: "not", args: []*node{inner}}
	case "atom":
		expr, cannot := t.condition(n.atom)
		if cannot != "" {
			missing(n.atom.src + ": " + cannot)
			return &node{op: "const", val: false}
		}
		return &node{op: "expr", atom: &atom{kind: n.atom.kind, value: expr, src: n.atom.src}}
	}
	return n
}

// simplify folds constants.
func simplify(n *node) *node {
	if n.op != "and" && n.op != "or" {
		return n
	}
	absorb := n.op == "or" // true absorbs an or, false an and
	out := &node{op: n.op}
	for _, a := range n.args {
		a = simplify(a)
		if a.op == "const" {
			if a.val == absorb {
				return a
			}
			continue
		}
		if a.op == n.op {
			out.args = append(out.args, a.args...)
			continue
		}
		out.args = append(out.args, a)
	}
	switch len(out.args) {
	case 0:
		return &node{op: "const", val: !absorb}
	case 1:
		return out.args[0]
	}
	return out
}

// collect lists the distinct gateway expressions of a tree in order.
func collect(n *node, out *[]string) {
	switch n.op {
	case "expr":
		for _, s := range *out {
			if s == n.atom.value {
				return
			}
		}
		*out = append(*out, n.atom.value)
	case "and", "or", "not":
		for _, a := range n.args {
			collect(a, out)
		}
	}
}

// sources maps each expression of a tree to the rule conditions it came from.
func sources(n *node, m map[string][]string) {
	if n.op == "expr" {
		for _, s := range m[n.atom.value] {
			if s == n.atom.src {
				return
			}
		}
		m[n.atom.value] = append(m[n.atom.value], n.atom.src)
	}
	for _, a := range n.args {
		sources(a, m)
	}
}

// eval is the tree's value when the expressions in truth are true.
func eval(n *node, truth map[string]bool) bool {
	switch n.op {
	case "const":
		return n.val
	case "expr":
		return truth[n.atom.value]
	case "not":
		return !eval(n.args[0], truth)
	case "and":
		for _, a := range n.args {
			if !eval(a, truth) {
				return false
			}
		}
		return true
	case "or":
		for _, a := range n.args {
			if eval(a, truth) {
				return true
			}
		}
		return false
	}
	return false
}

// celText writes a tree as a CEL expression, each condition by expr.
func celText(n *node, expr func(string) string) string {
	switch n.op {
	case "const":
		return fmt.Sprint(n.val)
	case "expr":
		return expr(n.atom.value)
	case "not":
		return "!(" + celText(n.args[0], expr) + ")"
	}
	parts := make([]string, len(n.args))
	for i, a := range n.args {
		parts[i] = celText(a, expr)
	}
	op := map[string]string{"and": " && ", "or": " || "}[n.op]
	return "(" + strings.Join(parts, op) + ")"
}

// header is the comment every config starts with: the rule, the verdict, what
// is missing and the fallback.
func header(comment string, res *Result, opt Options, title string) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(comment + commentSafe(s) + "\n") }
	line("mtlsplay export --gateway " + res.Gateway + " (" + title + ")")
	if opt.Rule != "" {
		line("rule:")
		for _, l := range strings.Split(strings.TrimSpace(opt.Rule), "\n") {
			line("  " + l)
		}
	}
	if res.Complete {
		line("fully expressed: this config accepts exactly the certificates the rule accepts")
	} else {
		line("PARTIAL: these parts of the rule cannot be expressed here; the config refuses")
		line("certificates that need them (it never accepts one the rule refuses):")
		for _, m := range res.Missing {
			line("  - " + m)
		}
		line(DelegateHint(res.Gateway))
	}
	return b.String()
}

// configSafe refuses a file name or address that a config would have to quote
// (each gateway differently) or that could end a directive.
func configSafe(v string) error {
	if len(v) > 1024 {
		return fmt.Errorf("%.40q…: longer than 1024 bytes", v)
	}
	for _, r := range v {
		if r <= ' ' || r == 0x7f || strings.ContainsRune("\"'`;{}#$\\", r) {
			return fmt.Errorf("%q: a path or address in the exported config cannot hold %q", v, r)
		}
	}
	return nil
}

// commentSafe keeps a line of the rule one comment line: control characters
// become "?".
func commentSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 {
			return '?'
		}
		return r
	}, s)
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || r == '`' || r == '{' || r == '}':
			fmt.Fprintf(&b, `\x%02X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
