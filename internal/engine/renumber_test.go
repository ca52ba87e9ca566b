package engine

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"
)

// TestRenumberCertificates: renumberCertificates rewrites exactly what the regular
// expression \bcertificate (\d+) \( matches, as the engine did with it.
func TestRenumberCertificates(t *testing.T) {
	re := regexp.MustCompile(`\bcertificate (\d+) \(`)
	index := func(i int) int { return i + 10 }
	viaRegexp := func(s string) string {
		return re.ReplaceAllStringFunc(s, func(m string) string {
			n, err := strconv.Atoi(re.FindStringSubmatch(m)[1])
			if err != nil || n < 1 {
				return m
			}
			return fmt.Sprintf("certificate %d (", index(n-1)+1)
		})
	}
	for _, s := range []string{
		"",
		"certificate 1 (CN=a) expired",
		"the certificate 2 (CN=b) and certificate 3 (CN=c)",
		"xcertificate 2 (CN=b)",
		"_certificate 2 (CN=b)",
		"é certificate 2 (CN=b)",
		"certificate 0 (CN=z)",
		"certificate 99999999999999999999 (CN=z)",
		"certificate  2 (", "certificate 2(", "certificate 2 (", "certificate certificate 4 (x",
		"certificate 12 (certificate 3 (", "certificate 1 (", "no number here",
	} {
		if got, want := renumberCertificates(s, index), viaRegexp(s); got != want {
			t.Errorf("renumberCertificates(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzRenumberCertificates(f *testing.F) {
	re := regexp.MustCompile(`\bcertificate (\d+) \(`)
	f.Add("the certificate 2 (CN=b) and certificate 3 (CN=c)")
	f.Fuzz(func(t *testing.T, s string) {
		index := func(i int) int { return i*2 + 1 }
		want := re.ReplaceAllStringFunc(s, func(m string) string {
			n, err := strconv.Atoi(re.FindStringSubmatch(m)[1])
			if err != nil || n < 1 {
				return m
			}
			return fmt.Sprintf("certificate %d (", index(n-1)+1)
		})
		if got := renumberCertificates(s, index); got != want {
			t.Errorf("renumberCertificates(%q) = %q, want %q", s, got, want)
		}
	})
}
