package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/server/serve"
)

// TestProbeDesignExample runs the probe design.md shows in 5.6 (against the
// zero-config demo, without a client certificate) and finds the document's
// members, in its order, and the CA names it says the demo lists.
func TestProbeDesignExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "design.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "### 5.6 probe --json\n\n```json\n")
	if !ok {
		t.Fatal("design.md has no 5.6 probe --json example")
	}
	example, _, _ := strings.Cut(section, "```")
	var wantKeys []string
	for _, m := range regexp.MustCompile(`(?m)^  "(\w+)":`).FindAllStringSubmatch(example, -1) {
		wantKeys = append(wantKeys, m[1])
	}
	wantCAs := regexp.MustCompile(`(?m)^  "acceptable_cas": (.*),$`).FindStringSubmatch(example)
	if len(wantKeys) < 10 || wantCAs == nil {
		t.Fatalf("design.md's probe example: members %q, acceptable_cas %q", wantKeys, wantCAs)
	}

	state := t.TempDir()
	s, _ := startServe(t, serve.Options{StateDir: state}, io.Discard, io.Discard, func() string { return "" })
	t.Chdir(filepath.Join(state, "demo"))
	var out, errb bytes.Buffer
	c := &cli{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, now: time.Now}
	code := c.run([]string{"probe", s.MTLSAddr(), "--cacert", "ca/root.pem", "--path", "/c/demo/", "--json"})
	if code != exitRejected {
		t.Fatalf("probe = %d, want %d\n%s%s", code, exitRejected, out.String(), errb.String())
	}
	var gotKeys []string
	for _, m := range regexp.MustCompile(`(?m)^  "(\w+)":`).FindAllStringSubmatch(out.String(), -1) {
		gotKeys = append(gotKeys, m[1])
	}
	if strings.Join(gotKeys, " ") != strings.Join(wantKeys, " ") {
		t.Errorf("probe --json members\n %q\nwant design.md's\n %q", gotKeys, wantKeys)
	}
	var rep struct {
		AcceptableCAs []string `json:"acceptable_cas"`
	}
	var want []string
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(wantCAs[1]), &want); err != nil {
		t.Fatalf("design.md's acceptable_cas %s: %v", wantCAs[1], err)
	}
	if strings.Join(rep.AcceptableCAs, "|") != strings.Join(want, "|") {
		t.Errorf("the demo's acceptable CAs are %q; design.md shows %q", rep.AcceptableCAs, want)
	}
}
