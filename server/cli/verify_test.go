package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestRuleWarningsAfterOutput: the rule's lint warnings follow the output on a
// terminal (design.md, section 4), for verify as for eval, so the decision is
// the first thing read.
func TestRuleWarningsAfterOutput(t *testing.T) {
	pki := filepath.Join("..", "..", "testdata", "pki")
	for _, args := range [][]string{
		{"eval", "--rule", `CN == "x"`, filepath.Join(pki, "client-good.pem")},
		{"verify", "--bundle", filepath.Join(pki, "root.pem"), "--rule", `CN == "x"`, filepath.Join(pki, "client-good-chain.pem")},
	} {
		var both bytes.Buffer // a terminal: standard output and error interleaved
		code := Main(append(args, "--at", "2026-06-01T00:00:00Z"), strings.NewReader(""), &both, &both)
		out := both.String()
		first := strings.SplitN(out, "\n", 2)[0]
		if code != exitRejected || !strings.Contains(out, "\nwarning: rule:1:1: ") || strings.HasPrefix(first, "warning:") {
			t.Errorf("mtlsplay %q = %d, output starts %q; want 1 and the rule's warning after the output\n%s", args, code, first, out)
		}
	}
}
