package pki

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedFilesUpToDate regenerates the test PKI into a temporary directory and
// compares it with testdata/pki: the generator is deterministic, so any difference
// means someone edited a file by hand or changed the generator without running
// go generate ./internal/pki.
func TestGeneratedFilesUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the generator")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool in PATH")
	}
	tmp := t.TempDir()
	cmd := exec.Command(goTool, "run", "./gentestdata", "-out", tmp)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gentestdata: %v\n%s", err, out)
	}
	const committed = "../../testdata/pki"
	fresh, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadDir(committed)
	if err != nil {
		t.Fatal(err)
	}
	if len(fresh) != len(old) {
		t.Errorf("generator writes %d files, %s holds %d; run go generate ./internal/pki", len(fresh), committed, len(old))
	}
	for _, e := range fresh {
		want, _ := os.ReadFile(filepath.Join(tmp, e.Name()))
		got, err := os.ReadFile(filepath.Join(committed, e.Name()))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s/%s differs from what the generator writes; run go generate ./internal/pki", committed, e.Name())
		}
	}
}
