package rule

import (
	"slices"
	"strings"
	"testing"
)

// TestDeclarationExamples evaluates every example of the rule reference on the
// client-good chain: each must compile and be true.
func TestDeclarationExamples(t *testing.T) {
	decls := testEnv(t).Declarations()
	for _, d := range decls {
		t.Run(d.Kind+" "+d.Owner+" "+d.Name, func(t *testing.T) {
			if d.Doc == "" || d.Example == "" {
				t.Fatalf("%s %s%s: doc %q, example %q; want both", d.Kind, d.Owner, d.Name, d.Doc, d.Example)
			}
			p, err := testEnv(t).Compile(d.Example)
			if err != nil {
				t.Fatalf("Compile(%s) = %v", d.Example, err)
			}
			if got, err := p.Eval(goodVars()); err != nil || !got {
				t.Errorf("Eval(%s) = %v, %v; want true", d.Example, got, err)
			}
			if d.Kind == "field" && !strings.Contains(d.Example, "."+d.Name) {
				t.Errorf("example %s does not use field %s", d.Example, d.Name)
			}
			if (d.Kind == "function" || d.Kind == "macro") && !strings.Contains(d.Example, d.Name) {
				t.Errorf("example %s does not use %s", d.Example, d.Name)
			}
		})
	}
}

// TestDeclarationsComplete: the reference covers every name, every variable is
// documented on its declaration, and every doc entry names something that exists.
func TestDeclarationsComplete(t *testing.T) {
	decls := testEnv(t).Declarations()
	has := map[string]bool{}
	for _, d := range decls {
		has[d.Kind+":"+d.Owner+"."+d.Name] = true
	}
	for _, v := range testEnv(t).cel.Variables() {
		if _, ok := splitDoc(v.Description()); !ok || !has["variable:."+v.Name()] {
			t.Errorf("variable %s: no documentation on its declaration", v.Name())
		}
	}
	for key := range fieldDocs {
		if !has["field:"+key] {
			t.Errorf("fieldDocs[%s] names no field", key)
		}
	}
	for name := range fnDocs {
		if !has["function:."+name] {
			t.Errorf("fnDocs[%s] names no function", name)
		}
	}
	for name := range opDocs {
		if !has["operator:."+name] {
			t.Errorf("opDocs[%s] names no operator", name)
		}
	}
	kinds := map[string]int{}
	for _, d := range decls {
		kinds[d.Kind]++
	}
	if kinds["variable"] != 7 || kinds["macro"] != 6 || kinds["field"] < 50 || kinds["function"] < 50 || kinds["operator"] != len(opDocs) {
		t.Errorf("Declarations() kinds = %v", kinds)
	}
}

func TestDeclarationShapes(t *testing.T) {
	decls := testEnv(t).Declarations()
	find := func(kind, owner, name string) Decl {
		t.Helper()
		i := slices.IndexFunc(decls, func(d Decl) bool { return d.Kind == kind && d.Owner == owner && d.Name == name })
		if i < 0 {
			t.Fatalf("no %s %s.%s", kind, owner, name)
		}
		return decls[i]
	}
	if d := find("variable", "", "SAN"); d.Type != "list(string)" {
		t.Errorf("SAN type %q", d.Type)
	}
	if d := find("variable", "", "cert"); d.Type != "certinfo.Certificate" {
		t.Errorf("cert type %q", d.Type)
	}
	if d := find("field", "certinfo.Name", "dn"); d.Type != "string" || !slices.Equal(d.Paths, []string{"cert.subject.dn", "cert.issuer.dn"}) {
		t.Errorf("dn = %+v", d)
	}
	if d := find("field", "certinfo.Attribute", "value"); d.Paths[0] != "cert.subject.attributes[].value" {
		t.Errorf("attribute value paths = %q", d.Paths)
	}
	if d := find("field", "rule.TLS", "alpn"); d.Paths[0] != "tls.alpn" {
		t.Errorf("alpn paths = %q", d.Paths)
	}
	if d := find("function", "", "endsWith"); !d.Member || d.Signature != "string.endsWith(string) -> bool" {
		t.Errorf("endsWith = %+v", d)
	}
	if d := find("function", "", "size"); !strings.Contains(d.Signature, "size(list(A)) -> int") || !strings.Contains(d.Signature, "string.size() -> int") {
		t.Errorf("size signature = %q", d.Signature)
	}
	if d := find("operator", "", "in"); !strings.Contains(d.Signature, "A in list(A) -> bool") {
		t.Errorf("in signature = %q", d.Signature)
	}
	if d := find("macro", "", "exists"); !d.Member {
		t.Errorf("exists = %+v", d)
	}
	for _, d := range decls {
		if d.Kind == "function" && (strings.HasPrefix(d.Name, "_") || strings.HasPrefix(d.Name, "@")) {
			t.Errorf("internal function %q declared", d.Name)
		}
	}
}
