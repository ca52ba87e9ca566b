package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestReadmeCommands runs the README's CLI examples ("The CLI, on the generated
// test certificates") as printed, from the top of the checkout: each must exit 0
// (inspect reads, the rule is true, the chain is accepted), so a renamed test
// file or flag cannot leave the first commands a newcomer copies broken.
func TestReadmeCommands(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "The CLI, on the generated test certificates:\n\n```sh\n")
	if !ok {
		t.Fatal("README.md has no CLI example block")
	}
	block, _, _ = strings.Cut(block, "```")
	block = strings.ReplaceAll(block, "\\\n", " ")
	t.Chdir("../..")
	n := 0
	for _, line := range strings.Split(block, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		words := shellWords(t, line)
		if len(words) < 2 || words[0] != "bin/mtlsplay" {
			t.Fatalf("README.md: %q is not a bin/mtlsplay command", line)
		}
		var stdout, stderr bytes.Buffer
		if code := Main(words[1:], strings.NewReader(""), &stdout, &stderr); code != exitOK {
			t.Errorf("README.md: %s: exit %d, want 0; stderr %q", line, code, stderr.String())
		}
		n++
	}
	if n < 3 {
		t.Errorf("README.md: %d commands run, want the three of inspect, eval and verify", n)
	}
}

// shellWords splits a command line as a POSIX shell does for what the README
// writes: words separated by blanks, single-quoted text taken as is.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	var w strings.Builder
	inWord, quoted := false, false
	for _, r := range line {
		switch {
		case quoted && r == '\'':
			quoted = false
		case quoted:
			w.WriteRune(r)
		case r == '\'':
			quoted, inWord = true, true
		case r == ' ' || r == '\t':
			if inWord {
				words, inWord = append(words, w.String()), false
				w.Reset()
			}
		case r == '"' || r == '\\' || r == '$':
			t.Fatalf("README.md: %q: write the example with single quotes only", line)
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("README.md: %q: an unclosed quote", line)
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}
