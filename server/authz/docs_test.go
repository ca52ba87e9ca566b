package authz

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/delegate.md's recipes from Recipe")

// TestDocsRecipes: docs/delegate.md shows each recipe exactly as Recipe writes it
// with DefaultRecipeOptions (what `mtlsplay export --delegate` prints), so the docs
// and the live test cannot drift apart. -update rewrites the docs' blocks.
func TestDocsRecipes(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "delegate.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, gw := range RecipeGateways {
		want, err := Recipe(gw, RecipeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		marker := "<!-- recipe: " + gw + " -->\n"
		i := strings.Index(doc, marker)
		if i < 0 {
			t.Errorf("%s has no %q", path, strings.TrimSpace(marker))
			continue
		}
		start := strings.Index(doc[i+len(marker):], "\n") + i + len(marker) + 1 // after the opening fence
		end := strings.Index(doc[start:], "```\n") + start
		if end < start {
			t.Fatalf("%s: the %s block is not closed", path, gw)
		}
		if got := doc[start:end]; got != want {
			if *update {
				doc = doc[:start] + want + doc[end:]
				continue
			}
			t.Errorf("%s: the %s recipe differs from Recipe's; run go test ./server/authz -run TestDocsRecipes -update", path, gw)
		}
	}
	if *update {
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
