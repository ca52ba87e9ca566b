package dialect

import (
	"errors"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/rule"
)

// FuzzCompile: whatever the rule, Compile in any dialect returns a rule or a
// CompileError (plainError's issues included) with positions inside the source;
// it never panics.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{`CN = "x"`, `CN == “x”`, `CN == "client”`, `SAN.include?(DNS:x)`, `CN == client.example.com`, `"a" = "b"`, `'“'`, `=`, `“`, `DNS:`} {
		f.Add(s)
	}
	env, err := rule.NewEnv()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4096 {
			return
		}
		for _, d := range []string{Auto, CEL, Workato} {
			_, err := Compile(env, src, d)
			var ce *rule.CompileError
			if err == nil || !errors.As(err, &ce) {
				continue
			}
			n := len([]rune(src))
			for _, is := range ce.Issues {
				for _, e := range is.Edits {
					if e.Start < 0 || e.End > n || e.Start > e.End {
						t.Fatalf("Compile(%q, %s): edit %+v outside the source", src, d, e)
					}
				}
			}
		}
	})
}
