package cli

import (
	"strings"
	"testing"
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
		{[]string{"inspect", "--no-such-flag", "x.pem"}, "mtlsplay inspect: flag provided but not defined: -no-such-flag"},
		{[]string{"eval", "--rule", "true", "--jsn", "x.pem"}, "mtlsplay eval: flag provided but not defined: -jsn"},
		{[]string{"verify", "x.pem", "--bundel", "ca.pem"}, "mtlsplay verify: flag provided but not defined: -bundel"},
		{[]string{"probe", "127.0.0.1:9", "--timeout", "soon"}, `mtlsplay probe: invalid value "soon" for flag -timeout: parse error`},
		{[]string{"test", "--fromat", "json", "x.yaml"}, "mtlsplay test: flag provided but not defined: -fromat"},
		{[]string{"site", "-o"}, "mtlsplay site: flag needs an argument: -o"},
		{[]string{"export", "--gateway", "nginx", "--json"}, "mtlsplay export: flag provided but not defined: -json"},
		{[]string{"export", "--delegate", "--bundle", "ca.pem"}, "mtlsplay export: flag provided but not defined: -bundle"},
		{[]string{"serve", "--max-conns", "many"}, `mtlsplay serve: invalid value "many" for flag -max-conns: parse error`},
		{[]string{"eval", "--\x1b[2J"}, `mtlsplay eval: flag provided but not defined: -\1B[2J`},
	} {
		code, out, errs := runCLI(t, "", tt.args...)
		lines := strings.SplitN(errs, "\n", 3)
		if code != exitBadInput || out != "" || len(lines) < 3 || lines[0] != tt.want || !strings.HasPrefix(lines[1], "usage: mtlsplay "+tt.args[0]+" ") {
			t.Errorf("mtlsplay %q = %d, stdout %q, stderr %.200q; want 2, %q and the usage", tt.args, code, clip(out), errs, tt.want)
		}
	}
}
