package export

import (
	"fmt"
	"strings"
)

// maxTerms bounds the disjunctive form HAProxy's condition is written in.
const maxTerms = 64

// renderHAProxy writes a frontend: one ACL per condition over
// ssl_c_s_dn(,0,rfc2253), and "http-request deny unless" the rule in
// disjunctive form (HAProxy's conditions have no parentheses: terms of
// implicitly and-ed ACLs joined by ||).
func renderHAProxy(tree *node, opt Options, res *Result) string {
	var b strings.Builder
	b.WriteString(header("# ", res, opt, "HAProxy 2.6 with OpenSSL 3.0, Debian 12; tested"))
	b.WriteString("# ssl_c_s_dn(,0,rfc2253) is the subject in OpenSSL's RFC 2253 form, the same string\n")
	b.WriteString("# as nginx's $ssl_client_s_dn (ssl_c_s_dn and ssl_c_s_dn(CN) copy raw bytes instead).\n\n")
	terms := dnf(tree)
	if len(terms) > maxTerms {
		res.Complete = false
		res.Missing = append(res.Missing, fmt.Sprintf("the rule's disjunctive form has %d terms; export writes at most %d for HAProxy", len(terms), maxTerms))
		terms = nil
		tree = &node{op: "const", val: false}
	}
	var conds []string
	collect(tree, &conds)
	src := map[string][]string{}
	sources(tree, src)
	bundle := caFile(opt, res, "HAProxy reads one ca-file")
	fmt.Fprintf(&b, `global
    maxconn 4096

defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend %s
    # crt: the server certificate and its key in one PEM file
    bind %s ssl crt %s ca-file %s verify required
`, opt.Name, opt.Listen, opt.ServerCert, bundle)
	for i, c := range conds {
		for _, s := range src[c] {
			fmt.Fprintf(&b, "    # %s\n", oneLine(s))
		}
		fmt.Fprintf(&b, "    acl %s_c%d ssl_c_s_dn(,0,rfc2253) -m reg '%s'\n", opt.Name, i+1, c)
	}
	switch {
	case tree.op == "const" && tree.val:
	case tree.op == "const":
		b.WriteString("    http-request deny deny_status 403 # no certificate can satisfy the exported part of the rule\n")
	default:
		parts := make([]string, len(terms))
		for i, t := range terms {
			lits := make([]string, len(t))
			for j, l := range t {
				lits[j] = fmt.Sprintf("%s_c%d", opt.Name, index(conds, l.expr)+1)
				if l.neg {
					lits[j] = "!" + lits[j]
				}
			}
			parts[i] = strings.Join(lits, " ")
		}
		fmt.Fprintf(&b, "    http-request deny deny_status 403 unless %s\n", strings.Join(parts, " || "))
	}
	if tree.op == "const" && !tree.val {
		// nothing is accepted, so nothing is forwarded
	} else if opt.Upstream == "" {
		b.WriteString("    http-request return status 200 content-type text/plain string \"accepted\"\n")
	} else {
		fmt.Fprintf(&b, "    default_backend %[1]s_app\n\nbackend %[1]s_app\n    server app %[2]s\n", opt.Name, opt.Upstream)
	}
	res.Notes = append(res.Notes, "verify required: HAProxy ends the handshake for a certificate the ca-file does not trust; the rule's 403 comes only for trusted ones")
	return b.String()
}

type literalTerm struct {
	expr string
	neg  bool
}

// dnf is an NNF tree as a disjunction of conjunctions of literals; nil for false,
// one empty term for true. It stops growing past maxTerms.
func dnf(n *node) [][]literalTerm {
	switch n.op {
	case "const":
		if n.val {
			return [][]literalTerm{{}}
		}
		return nil
	case "expr":
		return [][]literalTerm{{{expr: n.atom.value}}}
	case "not":
		return [][]literalTerm{{{expr: n.args[0].atom.value, neg: true}}}
	case "or":
		var out [][]literalTerm
		for _, a := range n.args {
			out = append(out, dnf(a)...)
			if len(out) > maxTerms {
				return out
			}
		}
		return out
	}
	out := [][]literalTerm{{}}
	for _, a := range n.args {
		var next [][]literalTerm
		for _, x := range out {
			for _, y := range dnf(a) {
				next = append(next, append(append([]literalTerm{}, x...), y...))
				if len(next) > maxTerms {
					return next
				}
			}
		}
		out = next
	}
	return out
}
