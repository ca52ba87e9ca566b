package explain

import (
	"math/rand/v2"
	"testing"
)

// TestDiff: the runs diff marks cover exactly the characters that differ: taking
// the unmarked characters of both strings gives the same text, and the marked
// ones are no more than the edit distance on each side.
func TestDiff(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("ab: /é")
	gen := func() []rune {
		r := make([]rune, rnd.IntN(12))
		for i := range r {
			r[i] = alphabet[rnd.IntN(len(alphabet))]
		}
		return r
	}
	for range 2000 {
		a, b := gen(), gen()
		ops := diff(a, b)
		keep := func(s []rune, rs func(edit) Range) string {
			out := []rune{}
			at := 0
			for _, o := range ops {
				r := rs(o)
				if r.Start < at || r.End > len(s) || r.Start > r.End {
					t.Fatalf("diff(%q, %q) = %+v: range %v out of order or bounds", string(a), string(b), ops, r)
				}
				out = append(out, s[at:r.Start]...)
				at = r.End
			}
			return string(append(out, s[at:]...))
		}
		if ka, kb := keep(a, func(e edit) Range { return e.lit }), keep(b, func(e edit) Range { return e.val }); ka != kb {
			t.Fatalf("diff(%q, %q) = %+v leaves %q and %q", string(a), string(b), ops, ka, kb)
		}
		d, marked := distance(a, b, len(a)+len(b)+1), 0
		for _, o := range ops {
			marked += max(o.lit.End-o.lit.Start, o.val.End-o.val.Start)
		}
		if marked != d {
			t.Fatalf("diff(%q, %q) = %+v marks %d characters; the distance is %d", string(a), string(b), ops, marked, d)
		}
	}
}

// BenchmarkNearMissWorstCase: contains() with a long literal against the most and
// longest values a certificate may give, bounded by maxNearMissCells.
func BenchmarkNearMissWorstCase(b *testing.B) {
	long := make([]rune, maxNearMissRunes)
	for i := range long {
		long[i] = rune('a' + i%26)
	}
	fields := make([]Field, maxNearMissFields)
	for i := range fields {
		fields[i] = Field{Of: "SAN", Value: string(long)}
	}
	c := comparison{fn: "contains", literal: string(long[:100]) + "zz"}
	for b.Loop() {
		budget := maxNearMissCells
		nearMiss(c, fields, &budget)
	}
}
