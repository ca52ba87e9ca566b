package cli

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current output")

// TestGolden pins what a person reads for every certificate of the test PKI: the
// inspect fields and the verify decision against root.pem, with the root-b bundle
// as a second choice and a rule over SAN. A change in a DN, a SAN string, a reason
// or the layout shows up here as a diff.
func TestGolden(t *testing.T) {
	pkiDir := filepath.Join("..", "..", "testdata", "pki")
	files, err := filepath.Glob(filepath.Join(pkiDir, "*.pem"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test PKI in %s (go generate ./internal/pki): %v", pkiDir, err)
	}
	at := pki.TestNowRFC3339
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".pem")
		if strings.HasPrefix(name, "bundle-") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			rel := filepath.ToSlash(filepath.Join("testdata", "pki", filepath.Base(file)))
			for _, args := range [][]string{
				{"inspect", "--at", at, file},
				{"verify", "--bundle", filepath.Join(pkiDir, "root.pem"), "--bundle", filepath.Join(pkiDir, "root-b.pem"),
					"--rule", `SAN.exists(s, s.startsWith("DNS:") && s.endsWith(".example.com"))`, "--at", at, file},
			} {
				code, stdout, stderr := runCLI(t, "", args...)
				fmt.Fprintf(&out, "$ mtlsplay %s\n", strings.Join(args[:len(args)-1], " ")+" "+rel)
				out.WriteString(stdout)
				out.WriteString(stderr)
				fmt.Fprintf(&out, "exit %d\n\n", code)
			}
			got := strings.ReplaceAll(out.String(), pkiDir+string(filepath.Separator), "testdata/pki/")
			golden := filepath.Join("testdata", "golden", name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./server/cli -run TestGolden -update)", err)
			}
			if got != string(want) {
				t.Errorf("output for %s differs from %s (go test ./server/cli -run TestGolden -update to accept):\n%s", name, golden, diff(string(want), got))
			}
		})
	}
}

// diff shows the first differing lines, enough to see what changed.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, wl, gl)
		}
	}
	return "(no line differs)"
}
