package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSiteOutputNotAFolder: -o naming a file is one line naming it, without
// Go's "mkdir " before it, and exit 2.
func TestSiteOutputNotAFolder(t *testing.T) {
	file := filepath.Join(t.TempDir(), "site")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "", "site", "-o", file)
	if want := "mtlsplay site: " + file + ": not a directory\n"; code != exitBadInput || out != "" || errs != want {
		t.Errorf("site -o FILE = %d, stdout %q, stderr %q; want 2 and %q", code, out, errs, want)
	}
}
