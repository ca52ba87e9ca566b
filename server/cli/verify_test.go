package cli

import (
	"bytes"
	"os"
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

// TestRuleFileByteOrderMark: a rule file saved by a Windows editor, with a
// UTF-8 byte order mark and CRLF line ends, is the rule it holds (CEL stopped
// at the mark: "token recognition error at: '<U+FEFF>'").
func TestRuleFileByteOrderMark(t *testing.T) {
	file := filepath.Join(t.TempDir(), "rule.cel")
	if err := os.WriteFile(file, []byte("\ufeffCN == \"client.example.com\" &&\r\n  \"DNS:api.example.com\" in SAN\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pki := filepath.Join("..", "..", "testdata", "pki")
	for _, args := range [][]string{
		{"eval", "--rule-file", file, filepath.Join(pki, "client-good.pem")},
		{"verify", "--bundle", filepath.Join(pki, "root.pem"), "--rule-file", file, filepath.Join(pki, "client-good-chain.pem")},
	} {
		if code, out, errs := runCLI(t, "", append(args, "--at", "2026-06-01T00:00:00Z")...); code != exitOK {
			t.Errorf("mtlsplay %q = %d\n%s%s", args, code, clip(out), errs)
		}
	}
}

// TestVerifyEmptyRule: --rule "$RULE" with RULE unset, or an empty rule file, is
// a mistake to say, not a decision without a rule (which accepts every trusted
// chain); leaving --rule out still decides without one.
func TestVerifyEmptyRule(t *testing.T) {
	pki := filepath.Join("..", "..", "testdata", "pki")
	empty := filepath.Join(t.TempDir(), "rule.cel")
	if err := os.WriteFile(empty, []byte(" \n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"verify", "--at", "2026-06-01T00:00:00Z", "--bundle", filepath.Join(pki, "root.pem")}
	chain := filepath.Join(pki, "client-good-chain.pem")
	for _, tt := range []struct {
		flags []string
		code  int
		err   string
	}{
		{[]string{"--rule", ""}, exitBadInput, "mtlsplay verify: --rule: the rule is empty: give the rule, or leave --rule out to accept every trusted chain\n"},
		{[]string{"--rule", "  "}, exitBadInput, "mtlsplay verify: --rule: the rule is empty"},
		{[]string{"--rule-file", empty}, exitBadInput, "mtlsplay verify: " + empty + ": the rule is empty"},
		{nil, exitOK, ""},
	} {
		code, _, stderr := runCLI(t, "", append(append(base, tt.flags...), chain)...)
		if code != tt.code || !strings.HasPrefix(stderr, tt.err) || tt.err == "" && stderr != "" {
			t.Errorf("verify %q = %d, stderr %q; want %d, %q", tt.flags, code, stderr, tt.code, tt.err)
		}
	}
}
