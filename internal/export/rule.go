package export

import (
	"fmt"
	"strings"

	"cel.dev/cel-go/common"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/parser"

	"github.com/mtlsplay/mtlsplay/internal/rule"
)

// kind is what one condition of a rule tests.
type kind int

const (
	cnEq        kind = iota // CN == value
	cnPrefix                // CN.startsWith(value)
	cnSuffix                // CN.endsWith(value)
	cnContains              // CN.contains(value)
	dnEq                    // DN == value
	attrHas                 // value in cert.subject.<field> (field: O, OU, C, …)
	sanHas                  // an entry of type field equals value
	sanPrefix               // an entry of type field starts with value
	sanSuffix               // … ends with value
	sanContains             // … contains value
	sanMatches              // … matches the RE2 pattern value
	opaque                  // anything else: never expressible
)

// atom is one condition of a rule, the leaves of its boolean structure.
type atom struct {
	kind  kind
	field string // attrHas: the OpenSSL short name (O, OU, …); san*: dns, email, uri, ip, upn, other
	value string
	src   string // the condition as the rule writes it, for comments
}

// node is a rule's boolean structure: and, or, not over atoms and constants.
type node struct {
	op   string // "and", "or", "not", "atom", "const"
	args []*node
	atom *atom
	val  bool // const
}

// subjectLists maps cert.subject's list fields to the attribute they hold.
var subjectLists = map[string]string{
	"organization": "O", "organizational_unit": "OU", "country": "C", "locality": "L",
	"province": "ST", "street_address": "street", "postal_code": "postalCode",
	"email_address": "emailAddress", "domain_component": "DC",
}

// sanLists maps cert.san's fields to an entry type; sanPrefixes the SAN entry
// prefixes (docs/design.md 2.4) to the same names.
var (
	sanLists    = map[string]string{"dns": "dns", "email": "email", "uri": "uri", "ip": "ip", "upn": "upn"}
	sanPrefixes = []struct{ prefix, field string }{{"DNS:", "dns"}, {"Email:", "email"}, {"URI:", "uri"}, {"IP:", "ip"}, {"UPN:", "upn"}}
)

// parseRule reads the CEL of a compiled rule into its boolean structure. The
// rule has compiled, so it is a bool expression within rule's limits; macros are
// not expanded, so SAN.exists(s, …) is read as written.
func parseRule(cel string) (*node, error) {
	p, err := parser.NewParser(parser.MaxRecursionDepth(rule.MaxNesting), parser.PopulateMacroCalls(false))
	if err != nil {
		return nil, err
	}
	if len(cel) == 0 || isBlank(cel) {
		return &node{op: "const", val: true}, nil
	}
	a, errs := p.Parse(common.NewTextSource(cel))
	if errs != nil && len(errs.GetErrors()) > 0 {
		return nil, fmt.Errorf("rule: %s", errs.GetErrors()[0].Message)
	}
	r := reader{info: a.SourceInfo()}
	return r.read(a.Expr()), nil
}

func isBlank(s string) bool {
	for _, c := range s {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

type reader struct{ info *ast.SourceInfo }

func (r reader) text(e ast.Expr) string {
	s, err := parser.Unparse(e, r.info)
	if err != nil {
		return "(a condition)"
	}
	return s
}

func (r reader) read(e ast.Expr) *node {
	switch e.Kind() {
	case ast.LiteralKind:
		if b, ok := e.AsLiteral().(types.Bool); ok {
			return &node{op: "const", val: bool(b)}
		}
	case ast.CallKind:
		c := e.AsCall()
		args := c.Args()
		switch c.FunctionName() {
		case "_&&_", "_||_":
			op := map[string]string{"_&&_": "and", "_||_": "or"}[c.FunctionName()]
			n := &node{op: op}
			for _, a := range args {
				n.args = append(n.args, r.read(a))
			}
			return n
		case "!_":
			return &node{op: "not", args: []*node{r.read(args[0])}}
		case "_!=_":
			return &node{op: "not", args: []*node{r.compare(e, args[0], args[1])}}
		case "_==_":
			return r.compare(e, args[0], args[1])
		case "@in":
			return r.in(e, args[0], args[1])
		case "startsWith", "endsWith", "contains":
			if c.IsMemberFunction() && len(args) == 1 && r.variable(c.Target()) == "CN" {
				if v, ok := str(args[0]); ok {
					k := map[string]kind{"startsWith": cnPrefix, "endsWith": cnSuffix, "contains": cnContains}[c.FunctionName()]
					return r.leaf(e, k, "", v)
				}
			}
		case "exists":
			if c.IsMemberFunction() && len(args) == 2 && args[0].Kind() == ast.IdentKind {
				if n := r.exists(e, c.Target(), args[0].AsIdent(), args[1]); n != nil {
					return n
				}
			}
		}
	}
	return r.leaf(e, opaque, "", "")
}

func (r reader) leaf(e ast.Expr, k kind, field, value string) *node {
	return &node{op: "atom", atom: &atom{kind: k, field: field, value: value, src: r.text(e)}}
}

// compare reads x == y with one side a variable and the other a string.
func (r reader) compare(e, x, y ast.Expr) *node {
	if _, ok := str(x); ok {
		x, y = y, x
	}
	v, ok := str(y)
	if !ok {
		return r.leaf(e, opaque, "", "")
	}
	switch r.variable(x) {
	case "CN":
		return r.leaf(e, cnEq, "", v)
	case "DN":
		return r.leaf(e, dnEq, "", v)
	}
	return r.leaf(e, opaque, "", "")
}

// in reads "v" in LIST (a SAN or subject list) and VAR in ["a", "b"].
func (r reader) in(e, x, list ast.Expr) *node {
	if v, ok := str(x); ok {
		name := r.variable(list)
		switch {
		case name == "SAN":
			for _, p := range sanPrefixes {
				if len(v) >= len(p.prefix) && v[:len(p.prefix)] == p.prefix {
					return r.leaf(e, sanHas, p.field, v[len(p.prefix):])
				}
			}
			return r.leaf(e, opaque, "", "")
		case sanLists[name] != "":
			return r.leaf(e, sanHas, sanLists[name], v)
		case subjectLists[name] != "":
			return r.leaf(e, attrHas, subjectLists[name], v)
		}
		return r.leaf(e, opaque, "", "")
	}
	if list.Kind() != ast.ListKind {
		return r.leaf(e, opaque, "", "")
	}
	k := map[string]kind{"CN": cnEq, "DN": dnEq}[r.variable(x)]
	if r.variable(x) != "CN" && r.variable(x) != "DN" {
		return r.leaf(e, opaque, "", "")
	}
	n := &node{op: "or"}
	for _, el := range list.AsList().Elements() {
		v, ok := str(el)
		if !ok {
			return r.leaf(e, opaque, "", "")
		}
		n.args = append(n.args, &node{op: "atom", atom: &atom{kind: k, value: v, src: r.text(x) + " == " + quote(v)}})
	}
	if len(n.args) == 0 {
		return &node{op: "const", val: false}
	}
	return n
}

// exists reads LIST.exists(s, s == "v") and, on a typed SAN list, s.startsWith,
// endsWith, contains and matches; on SAN, s.startsWith("TYPE:…"); and on a
// subject list, s == "v".
func (r reader) exists(e, list ast.Expr, iter string, body ast.Expr) *node {
	if body.Kind() != ast.CallKind {
		return nil
	}
	c := body.AsCall()
	name := r.variable(list)
	args := c.Args()
	isIter := func(x ast.Expr) bool { return x.Kind() == ast.IdentKind && x.AsIdent() == iter }
	if c.FunctionName() == "_==_" && len(args) == 2 {
		x, y := args[0], args[1]
		if isIter(y) {
			x, y = y, x
		}
		v, ok := str(y)
		if !ok || !isIter(x) {
			return nil
		}
		switch {
		case name == "SAN":
			for _, p := range sanPrefixes {
				if len(v) >= len(p.prefix) && v[:len(p.prefix)] == p.prefix {
					return r.leaf(e, sanHas, p.field, v[len(p.prefix):])
				}
			}
		case sanLists[name] != "":
			return r.leaf(e, sanHas, sanLists[name], v)
		case subjectLists[name] != "":
			return r.leaf(e, attrHas, subjectLists[name], v)
		}
		return nil
	}
	if name == "SAN" && c.FunctionName() == "startsWith" && c.IsMemberFunction() && len(args) == 1 && isIter(c.Target()) {
		// SAN.exists(s, s.startsWith("URI:spiffe://…")) is a prefix of one type's
		// entries (the playground's default rule): as cert.san.uri.exists(u,
		// u.startsWith("spiffe://…")). A prefix shorter than a type's reaches
		// across types, which no gateway list holds.
		v, ok := str(args[0])
		if !ok {
			return nil
		}
		for _, p := range sanPrefixes {
			if rest, found := strings.CutPrefix(v, p.prefix); found {
				return r.leaf(e, sanPrefix, p.field, rest)
			}
		}
		return nil
	}
	k, ok := map[string]kind{"startsWith": sanPrefix, "endsWith": sanSuffix, "contains": sanContains, "matches": sanMatches}[c.FunctionName()]
	if !ok || !c.IsMemberFunction() || len(args) != 1 || !isIter(c.Target()) || sanLists[name] == "" {
		return nil
	}
	v, ok := str(args[0])
	if !ok {
		return nil
	}
	return r.leaf(e, k, sanLists[name], v)
}

// variable names what x reads: CN, DN, SAN, a cert.san field (dns, …), a
// cert.subject list field (organization, …); "" for anything else.
func (r reader) variable(x ast.Expr) string {
	switch x.Kind() {
	case ast.IdentKind:
		switch x.AsIdent() {
		case "CN", "DN", "SAN":
			return x.AsIdent()
		}
	case ast.SelectKind:
		s := x.AsSelect()
		path := selectPath(s.Operand())
		switch path {
		case "cert.subject":
			switch s.FieldName() {
			case "cn":
				return "CN"
			case "dn":
				return "DN"
			}
			if subjectLists[s.FieldName()] != "" {
				return s.FieldName()
			}
		case "cert":
			if s.FieldName() == "san_entries" {
				return "SAN"
			}
		case "cert.san":
			if sanLists[s.FieldName()] != "" {
				return s.FieldName()
			}
		}
	}
	return ""
}

func selectPath(x ast.Expr) string {
	switch x.Kind() {
	case ast.IdentKind:
		return x.AsIdent()
	case ast.SelectKind:
		s := x.AsSelect()
		if s.IsTestOnly() {
			return ""
		}
		if p := selectPath(s.Operand()); p != "" {
			return p + "." + s.FieldName()
		}
	}
	return ""
}

func str(x ast.Expr) (string, bool) {
	if x.Kind() != ast.LiteralKind {
		return "", false
	}
	s, ok := x.AsLiteral().(types.String)
	return string(s), ok
}
