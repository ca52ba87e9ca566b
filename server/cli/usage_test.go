package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/engine"
)

// TestFlagMistakeLine: a flag a command does not know, or a value its flag
// cannot take, is said as every usage mistake is (design.md, section 4):
// "mtlsplay COMMAND: MESSAGE", then the usage; the flag's text is written
// terminal-safe, as it quotes what was typed.
func TestFlagMistakeLine(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"inspect", "--no-such-flag", "x.pem"}, "mtlsplay inspect: flag provided but not defined: --no-such-flag"},
		{[]string{"eval", "--rule", "true", "--jsn", "x.pem"}, "mtlsplay eval: flag provided but not defined: --jsn"},
		{[]string{"verify", "x.pem", "--bundel", "ca.pem"}, "mtlsplay verify: flag provided but not defined: --bundel"},
		{[]string{"probe", "127.0.0.1:9", "--timeout", "soon"}, `mtlsplay probe: invalid value "soon" for flag --timeout: parse error`},
		{[]string{"test", "--fromat", "json", "x.yaml"}, "mtlsplay test: flag provided but not defined: --fromat"},
		{[]string{"site", "-o"}, "mtlsplay site: flag needs an argument: -o"},
		{[]string{"export", "--gateway", "nginx", "--json"}, "mtlsplay export: flag provided but not defined: --json"},
		{[]string{"export", "--delegate", "--bundle", "ca.pem"}, "mtlsplay export: flag provided but not defined: --bundle"},
		{[]string{"serve", "--max-conns", "many"}, `mtlsplay serve: invalid value "many" for flag --max-conns: parse error`},
		{[]string{"eval", "--\x1b[2J"}, `mtlsplay eval: flag provided but not defined: --\1B[2J`},
	} {
		code, out, errs := runCLI(t, "", tt.args...)
		lines := strings.SplitN(errs, "\n", 3)
		if code != exitBadInput || out != "" || len(lines) < 3 || lines[0] != tt.want || !strings.HasPrefix(lines[1], "usage: mtlsplay "+tt.args[0]+" ") {
			t.Errorf("mtlsplay %q = %d, stdout %q, stderr %.200q; want 2, %q and the usage", tt.args, code, clip(out), errs, tt.want)
		}
	}
}

// TestUsageMatchesDesign: each command's usage line (its -h) is the synopsis
// design.md gives it, so the two cannot drift apart again (verify's lacked
// --rule-file, --dialect and --client; serve's six of its flags).
func TestUsageMatchesDesign(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "design.md"))
	if err != nil {
		t.Fatal(err)
	}
	synopses := regexp.MustCompile("(?m)^`mtlsplay ((\\w+) [^`\\n]*)`$").FindAllStringSubmatch(string(doc), -1)
	seen := map[string]bool{}
	for _, m := range synopses {
		args := []string{m[2], "-h"}
		if strings.Contains(m[1], " --delegate") {
			args = []string{m[2], "--delegate", "-h"}
		}
		seen[strings.Join(args, " ")] = true
		code, out, _ := runCLI(t, "", args...)
		if first := strings.SplitN(out, "\n", 2)[0]; code != exitOK || first != "usage: mtlsplay "+m[1] {
			t.Errorf("mtlsplay %q: %q, want design.md's %q", args, first, "usage: mtlsplay "+m[1])
		}
	}
	for _, cmd := range []string{"inspect", "eval", "verify", "probe", "serve", "export", "test", "export --delegate", "site"} {
		if !seen[cmd+" -h"] {
			t.Errorf("design.md has no synopsis line for %s", cmd)
		}
	}
}

// TestHelpFlagsAsDocumented: a command's -h lists its flags as its usage line
// and the documents write them, --name (-o for a one-letter flag), never the
// flag package's -name, and a repeatable file flag's argument as FILE.
func TestHelpFlagsAsDocumented(t *testing.T) {
	for _, args := range [][]string{{"inspect"}, {"eval"}, {"verify"}, {"probe"}, {"test"}, {"site"}, {"export"}, {"export", "--delegate"}, {"serve"}} {
		code, out, _ := runCLI(t, "", append(args, "-h")...)
		flags := 0
		for _, line := range strings.Split(out, "\n")[1:] {
			if !strings.HasPrefix(line, "  -") {
				continue
			}
			flags++
			name, _, _ := strings.Cut(strings.TrimPrefix(line, "  "), " ")
			if (len(name) == 2) == strings.HasPrefix(name, "--") || strings.HasSuffix(line, " value") {
				t.Errorf("mtlsplay %q -h: flag line %q; want --name (or -o) and no \"value\"", args, line)
			}
		}
		if code != exitOK || flags == 0 {
			t.Errorf("mtlsplay %q -h = %d with %d flags:\n%s", args, code, flags, out)
		}
	}
	if _, out, _ := runCLI(t, "", "verify", "-h"); !strings.Contains(out, "\n  --bundle FILE\n") || !strings.Contains(out, `(default "cli")`) {
		t.Errorf("verify -h:\n%s", out)
	}
}

// TestUsageErrorJSON: with --json a usage mistake is also the error shape on
// standard output, as every other error, wherever --json stands; without it,
// standard output stays empty.
func TestUsageErrorJSON(t *testing.T) {
	for _, tt := range []struct {
		args []string
		json bool
		want string
	}{
		{[]string{"verify", "--json"}, true, "want exactly one CHAIN"},
		{[]string{"verify", "--json", "--gateway", "nope", "x.pem"}, true, `no trust model for gateway "nope"`},
		{[]string{"eval", "--bogus", "--json"}, true, "flag provided but not defined: --bogus"},
		{[]string{"inspect", "--json", "--at"}, true, "flag needs an argument: --at"},
		{[]string{"verify"}, false, ""},
		{[]string{"eval", "--bogus"}, false, ""},
	} {
		code, stdout, stderr := runCLI(t, "", tt.args...)
		if code != exitBadInput || !strings.Contains(stderr, "usage") && !strings.Contains(stderr, "Usage") {
			t.Errorf("%q = %d, stderr %q; want 2 and the usage", tt.args, code, stderr)
			continue
		}
		if !tt.json {
			if stdout != "" {
				t.Errorf("%q without --json wrote %q to standard output", tt.args, stdout)
			}
			continue
		}
		var e engine.ErrorResponse
		if err := json.Unmarshal([]byte(stdout), &e); err != nil || e.Error.Code != engine.CodeBadRequest || !strings.Contains(e.Error.Message, tt.want) {
			t.Errorf("%q: standard output %q (%v); want the error shape, bad_request, with %q", tt.args, stdout, err, tt.want)
		}
	}
}
