package suite

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/diagnose"
	"github.com/mtlsplay/mtlsplay/internal/policy"
)

// TestFindingIDs: FindingIDs is every finding id diagnose declares, read from
// its source, so a finding added there cannot be refused by suites.
func TestFindingIDs(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "diagnose", "finding.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	ast.Inspect(f, func(n ast.Node) bool {
		g, ok := n.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			return true
		}
		for _, s := range g.Specs {
			for _, v := range s.(*ast.ValueSpec).Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					id, _ := strconv.Unquote(lit.Value)
					if id != "error" && id != "warning" && id != "info" { // the severities
						declared = append(declared, id)
					}
				}
			}
		}
		return false
	})
	slices.Sort(declared)
	got := slices.Sorted(slices.Values(FindingIDs))
	if !slices.Equal(got, declared) {
		t.Errorf("FindingIDs = %v\ndiagnose declares %v", got, declared)
	}
}

func TestExpectCheck(t *testing.T) {
	d := policy.Decision{Code: 4018, Reason: "invalid client certificate: certificate 0 (CN=a) expired at …"}
	fs := []diagnose.Finding{{ID: diagnose.Expired}, {ID: diagnose.NoSAN}}
	tests := []struct {
		e    Expect
		want []string
	}{
		{Expect{Code: 4018}, nil},
		{Expect{Code: 4018, Reason: "expired at", Finding: diagnose.Expired}, nil},
		{Expect{Code: 0}, []string{"expected code 0, got 4018"}},
		{Expect{Code: 4018, Reason: "Expired"}, []string{`expected the reason to contain "Expired"; it is "invalid client certificate: certificate 0 (CN=a) expired at …"`}},
		{Expect{Code: 0, Finding: diagnose.NotYetValid}, []string{"expected code 0, got 4018", "expected finding not_yet_valid; the findings are: expired, no_san"}},
	}
	for _, tt := range tests {
		if got := tt.e.Check(d, fs); !slices.Equal(got, tt.want) {
			t.Errorf("Expect{%s}.Check = %q, want %q", tt.e, got, tt.want)
		}
	}
	if got := (Expect{Code: 4017, Finding: "expired"}).Check(policy.Decision{Code: 4017}, nil); !slices.Equal(got, []string{"expected finding expired; the findings are: none"}) {
		t.Errorf("Check without findings = %q", got)
	}
}
