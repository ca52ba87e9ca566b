package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/mtlsplay/mtlsplay/internal/dialect"
)

// The flags and messages that eval and verify share.

// maxRule bounds a --rule-file; the rule package bounds the source again.
const maxRule = 64 << 10

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// ruleFlags adds --rule and --rule-file, and returns a function that reads the rule.
// Giving both is a usage error (usage true); a file that cannot be read is not.
func (c *cli) ruleFlags(fs *flag.FlagSet) func() (src string, given, usage bool, err error) {
	expr := fs.String("rule", "", "the rule, a CEL expression")
	file := fs.String("rule-file", "", "read the rule from this file (- for standard input)")
	return func() (string, bool, bool, error) {
		switch {
		case *expr != "" && *file != "":
			return "", false, true, errors.New("give --rule or --rule-file, not both")
		case *file != "":
			b, err := c.readInput(*file, maxRule)
			// Windows editors (Notepad) start a UTF-8 file with a byte order mark,
			// which is no part of the rule; CEL would stop at it.
			b = bytes.TrimPrefix(b, []byte("\ufeff"))
			return string(b), true, false, err
		}
		return *expr, *expr != "", false, nil
	}
}

// warnRule prints the rule's lint warnings to stderr, one "warning:" line each with
// its fix, and says so when a formula was translated to CEL.
func (c *cli) warnRule(info *dialect.Info) {
	if info == nil {
		return
	}
	if info.Dialect == dialect.Workato {
		fmt.Fprintf(c.stderr, "note: read as a Workato formula; as CEL: %s\n", terminalSafe(info.CEL))
	}
	for _, w := range info.Warnings {
		line := "warning: " + w.String()
		if w.Fix != "" {
			line += "; fix: " + w.Fix
		}
		fmt.Fprintln(c.stderr, terminalSafe(line))
	}
}
