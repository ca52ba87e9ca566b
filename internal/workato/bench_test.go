package workato_test

import (
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/workato"
)

// The page translates on every keystroke; this is the formula's share of that.
func BenchmarkTranslate(b *testing.B) {
	const f = `SAN.any? { |s| s.start_with?("DNS:") && s.end_with?(".example.com") } and not CN.empty? or SAN.include?("Email:ops@example.com")`
	for b.Loop() {
		if _, err := workato.Translate(f); err != nil {
			b.Fatal(err)
		}
	}
}
