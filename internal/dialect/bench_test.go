package dialect

import "testing"

// A keystroke in the playground in formula mode: CEL fails, the formula
// translates, its CEL compiles (cached after the first time), lints run.
func BenchmarkCompileAutoFormula(b *testing.B) {
	env := testEnv(b)
	const f = `SAN.any? { |s| s.end_with?(".example.com") } and SAN.include?("test")`
	for b.Loop() {
		r, err := Compile(env, f, Auto)
		if err != nil {
			b.Fatal(err)
		}
		r.Warnings(nil)
	}
}
