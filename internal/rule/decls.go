package rule

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/decls"
	"cel.dev/cel-go/common/types"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/rule/celtext"
)

// Decl is one name of the rule language: a variable, a field of a certificate (or
// of tls), a function, a macro or an operator. The editor completes from these and
// the rule reference is generated from them; every Example evaluates to true on a
// typical client certificate (the test PKI's client-good chain at its test clock),
// which a test checks.
type Decl struct {
	Kind  string `json:"kind"`            // variable, field, function, macro, operator
	Name  string `json:"name"`            // CN, dn, endsWith, exists, ==
	Owner string `json:"owner,omitempty"` // fields: the CEL type that has the field, e.g. certinfo.Name
	// Paths are where a field is reached from a variable, e.g. cert.subject.dn and
	// cert.issuer.dn; "[]" marks an element of a list (cert.extensions[].oid).
	Paths []string `json:"paths,omitempty"`
	Type  string   `json:"type,omitempty"` // variables and fields: the CEL type
	// Signature lists functions' overloads, one per line:
	// "string.endsWith(string) -> bool".
	Signature string `json:"signature,omitempty"`
	Member    bool   `json:"member,omitempty"` // called on a receiver: x.name(…)
	Doc       string `json:"doc"`
	Example   string `json:"example"`
}

// Declarations returns every variable, field, function, macro and operator of the
// rule language, in that order, each group sorted by name.
func (e *Env) Declarations() []Decl {
	e.declsOnce.Do(func() { e.decls = e.buildDecls() })
	out := make([]Decl, len(e.decls))
	copy(out, e.decls)
	return out
}

func (e *Env) buildDecls() []Decl {
	var out []Decl
	for _, v := range e.cel.Variables() {
		d, _ := splitDoc(v.Description())
		out = append(out, Decl{Kind: "variable", Name: v.Name(), Type: celtext.Type(v.Type()), Doc: d.doc, Example: d.example})
	}
	sortDecls(out)

	var fields []Decl
	for _, f := range walkFields() {
		ft, ok := e.cel.CELTypeProvider().FindStructFieldType(f.owner, f.name)
		t := "dyn"
		if ok {
			t = celtext.Type(ft.Type)
		}
		d := fieldDocs[f.owner+"."+f.name]
		fields = append(fields, Decl{Kind: "field", Name: f.name, Owner: f.owner, Paths: f.paths, Type: t, Doc: d.doc, Example: d.example})
	}
	sort.SliceStable(fields, func(i, j int) bool {
		if fields[i].Owner != fields[j].Owner {
			return ownerOrder(fields[i].Owner) < ownerOrder(fields[j].Owner)
		}
		return false // struct order within a type, as the view declares them
	})
	out = append(out, fields...)

	var fns, ops []Decl
	byOp := map[string]int{}
	for name, f := range e.cel.Functions() {
		if hiddenFunction(name) {
			continue
		}
		var sigs []string
		member := false
		for _, o := range f.OverloadDecls() {
			sigs = append(sigs, signature(name, o.IsMemberFunction(), o.ArgTypes(), o.ResultType()))
			member = member || o.IsMemberFunction()
		}
		if disp, isOp := operator(name); isOp {
			d, _ := splitDoc(f.Description())
			if i, ok := byOp[disp]; ok {
				ops[i].Signature += "\n" + strings.Join(sigs, "\n")
				continue
			}
			byOp[disp] = len(ops)
			ops = append(ops, Decl{Kind: "operator", Name: disp, Signature: strings.Join(sigs, "\n"), Doc: d.doc, Example: d.example})
			continue
		}
		d, ok := splitDoc(f.Description())
		if !ok {
			d.doc = firstSentence(f.Description())
		}
		fns = append(fns, Decl{Kind: "function", Name: name, Signature: strings.Join(sigs, "\n"), Member: member, Doc: d.doc, Example: d.example})
	}
	sortDecls(fns)
	out = append(out, fns...)

	var macros []Decl
	for _, m := range macroDocs {
		macros = append(macros, Decl{Kind: "macro", Name: m.name, Signature: m.signature, Member: m.name != "has", Doc: m.doc, Example: m.example})
	}
	out = append(out, macros...)
	for i := range ops {
		lines := strings.Split(ops[i].Signature, "\n")
		sort.Strings(lines)
		ops[i].Signature = strings.Join(lines, "\n")
	}
	sortDecls(ops)
	out = append(out, ops...)
	return out
}

func sortDecls(ds []Decl) {
	sort.Slice(ds, func(i, j int) bool { return ds[i].Name < ds[j].Name })
}

func ownerOrder(owner string) int {
	for i, o := range []string{certTypeName, "certinfo.Name", "certinfo.Attribute", "certinfo.SAN", "certinfo.PublicKey", "certinfo.Extension", tlsTypeName} {
		if o == owner {
			return i
		}
	}
	return 100
}

// exampleMark starts the example in a description: cel-go v0.33 keeps one
// description for a variable or a function, and examples only on overloads, which
// for the standard library's functions cannot be set without changing its shared
// declarations, so the example goes on a line of its own after the doc line.
const exampleMark = "\nExample: "

// documented is the description of a declaration: its doc line and its example.
func documented(doc, example string) string {
	return doc + exampleMark + example
}

// splitDoc reads a description that documented wrote; ok is false for one that it
// did not (cel-go's own, or none).
func splitDoc(desc string) (d docEntry, ok bool) {
	d.doc, d.example, ok = strings.Cut(desc, exampleMark)
	if !ok {
		return docEntry{}, false
	}
	return d, true
}

// documentFunctions is the environment option that puts fnDocs and opDocs on the
// declarations of cel-go's functions, so that Declarations, and any cel-go tool,
// read them from the environment. cel-go merges a declaration into the one of the
// same name; the one overload it must have repeats an existing overload exactly
// (id, signature, strictness), so merging adds nothing but the description.
func documentFunctions(e *cel.Env) (*cel.Env, error) {
	var fns []*decls.FunctionDecl
	for name, f := range e.Functions() {
		d, ok := fnDocs[name]
		if disp, isOp := operator(name); isOp {
			d, ok = opDocs[disp]
		}
		if !ok || hiddenFunction(name) || len(f.OverloadDecls()) == 0 {
			continue
		}
		o := f.OverloadDecls()[0]
		overload := decls.Overload
		if o.IsMemberFunction() {
			overload = decls.MemberOverload
		}
		var oopts []decls.OverloadOpt
		if o.IsNonStrict() {
			oopts = append(oopts, decls.OverloadIsNonStrict())
		}
		fn, err := decls.NewFunction(name,
			decls.FunctionDocs(documented(d.doc, d.example)),
			// The merge keeps type guards disabled only when both declarations do.
			decls.DisableTypeGuards(true),
			overload(o.ID(), o.ArgTypes(), o.ResultType(), oopts...))
		if err != nil {
			return nil, fmt.Errorf("documenting %s: %w", name, err)
		}
		fns = append(fns, fn)
	}
	return cel.FunctionDecls(fns...)(e)
}

// operator returns how an operator's function is written ("==" for _==_), and
// false for other functions.
func operator(name string) (string, bool) {
	disp := celtext.Function(name)
	return disp, disp != name || strings.HasPrefix(name, "_") || strings.HasPrefix(name, "@")
}

// hiddenFunction reports the functions a rule author never writes: internal
// helpers of macro expansion and the old spellings of operators.
func hiddenFunction(name string) bool {
	switch name {
	case "@not_strictly_false", "__not_strictly_false__", "_in_", "in":
		return true
	}
	return false
}

func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i+1]
	}
	return s
}

// signature formats an overload as a rule author reads it:
// "string.endsWith(string) -> bool", "size(list(A)) -> int", "A == A -> bool".
func signature(name string, member bool, args []*types.Type, result *types.Type) string {
	ts := make([]string, len(args))
	for i, a := range args {
		ts[i] = sigType(a)
	}
	res := sigType(result)
	if disp, isOp := operator(name); isOp {
		switch {
		case name == "_[_]" && len(ts) == 2:
			return ts[0] + "[" + ts[1] + "] -> " + res
		case name == "_?_:_" && len(ts) == 3:
			return ts[0] + " ? " + ts[1] + " : " + ts[2] + " -> " + res
		case len(ts) == 1:
			return disp + ts[0] + " -> " + res
		case len(ts) == 2:
			return ts[0] + " " + disp + " " + ts[1] + " -> " + res
		}
	}
	if member && len(ts) > 0 {
		return ts[0] + "." + name + "(" + strings.Join(ts[1:], ", ") + ") -> " + res
	}
	return name + "(" + strings.Join(ts, ", ") + ") -> " + res
}

func sigType(t *types.Type) string {
	if t == nil {
		return "dyn"
	}
	switch t.Kind() {
	case types.TypeParamKind:
		return t.DeclaredTypeName()
	case types.ListKind:
		if p := t.Parameters(); len(p) == 1 {
			return "list(" + sigType(p[0]) + ")"
		}
	case types.MapKind:
		if p := t.Parameters(); len(p) == 2 {
			return "map(" + sigType(p[0]) + ", " + sigType(p[1]) + ")"
		}
	case types.TypeKind:
		if p := t.Parameters(); len(p) == 1 {
			return "type(" + sigType(p[0]) + ")"
		}
	}
	return celtext.Type(t)
}

type fieldPaths struct {
	owner, name string
	paths       []string
}

// walkFields lists every field reachable from cert and tls, once per owning type,
// with every path that reaches it (subject before issuer, as people look there
// first).
var walkFields = sync.OnceValue(func() []fieldPaths {
	var out []fieldPaths
	at := map[string]int{}
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		owner := celtext.TypeName(t)
		for _, f := range celtext.Fields(t) {
			ft := t.FieldByIndex(f.Index).Type
			path := prefix + "." + f.Name
			key := owner + "." + f.Name
			if i, ok := at[key]; ok {
				out[i].paths = append(out[i].paths, path)
			} else {
				at[key] = len(out)
				out = append(out, fieldPaths{owner: owner, name: f.Name, paths: []string{path}})
			}
			elem, suffix := ft, ""
			if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct {
				elem, suffix = ft.Elem(), "[]"
			}
			if elem.Kind() == reflect.Struct && elem != reflect.TypeFor[time.Time]() {
				walk(elem, path+suffix)
			}
		}
	}
	walk(reflect.TypeFor[certinfo.Certificate](), "cert")
	walk(reflect.TypeFor[TLS](), "tls")
	for i := range out {
		sort.SliceStable(out[i].paths, func(a, b int) bool {
			return strings.Contains(out[i].paths[a], ".subject") && !strings.Contains(out[i].paths[b], ".subject")
		})
	}
	return out
})

// allFieldNames is every field name a rule can write, for "did you mean".
var allFieldNames = sync.OnceValue(func() []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range walkFields() {
		if !seen[f.name] {
			seen[f.name] = true
			out = append(out, f.name)
		}
	}
	return out
})
