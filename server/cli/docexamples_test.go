package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeExamples runs the README's command lines (its sh blocks, from the
// repository root, as a newcomer copies them) and wants each to succeed: an
// example that names a file the repository does not have fails here, not for
// the reader.
func TestReadmeExamples(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var commands [][]string
	for _, block := range fencedBlocks(string(readme))["sh"] {
		for _, line := range strings.Split(strings.ReplaceAll(block, "\\\n", " "), "\n") {
			if rest, ok := strings.CutPrefix(line, "bin/mtlsplay "); ok {
				args, err := shellWords(rest)
				if err != nil {
					t.Fatalf("README.md: %q: %v", line, err)
				}
				commands = append(commands, args)
			}
		}
	}
	if len(commands) < 3 {
		t.Fatalf("README.md: %d bin/mtlsplay examples, want the 3 of the CLI section", len(commands))
	}
	t.Chdir(filepath.Join("..", ".."))
	for _, args := range commands {
		if code, out, errs := runCLI(t, "", args...); code != exitOK {
			t.Errorf("README example mtlsplay %q = %d, want 0\n%s%s", args, code, clip(out), errs)
		}
	}
}

// shellWords splits a command line as a POSIX shell would for the quoting the
// documents use: 'single', "double" (with \" and \\) and blanks between words.
func shellWords(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == ' ' || ch == '\t':
			if inWord {
				words, inWord = append(words, w.String()), false
				w.Reset()
			}
		case ch == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errUnclosedQuote
			}
			w.WriteString(s[i+1 : i+1+j])
			i, inWord = i+1+j, true
		case ch == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`"\$`+"`", s[i+1]) >= 0 {
					i++
				}
				w.WriteByte(s[i])
			}
			if i == len(s) {
				return nil, errUnclosedQuote
			}
			inWord = true
		default:
			w.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

var errUnclosedQuote = errors.New("unclosed quote")

// TestReadmeExitStatuses: every command exits 2 on a usage mistake, so every row
// of the README's Commands table lists 2 (site's said "0 ok" alone).
func TestReadmeExitStatuses(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, line := range strings.Split(string(readme), "\n") {
		rest, ok := strings.CutPrefix(line, "| `mtlsplay ")
		if !ok {
			continue
		}
		rows++
		cmd := strings.Fields(rest)[0]
		cells := strings.Split(line, " | ")
		status := cells[len(cells)-1]
		if code, _, _ := runCLI(t, "", cmd, "--no-such-flag"); code != exitBadInput {
			t.Errorf("mtlsplay %s --no-such-flag = %d, want %d", cmd, code, exitBadInput)
		}
		if !strings.Contains(status, "2 ") {
			t.Errorf("README.md: mtlsplay %s exits %q; it exits 2 on bad input too", cmd, status)
		}
	}
	if rows < 9 {
		t.Errorf("README.md's Commands table has %d rows, want a row per command (9)", rows)
	}
}
