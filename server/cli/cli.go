// Package cli is the mtlsplay command line: one file per command, its usage beside
// it, and the text rendering of certificates, rules and decisions. Main is the
// whole program; server/main.go only calls it.
package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/engine"
)

// Exit statuses shared by every command.
const (
	exitOK       = 0
	exitRejected = 1 // the rule was false, or the decision was not "accepted"
	exitBadInput = 2
)

const usage = `usage: mtlsplay <command> [flags] [args]

commands:
  inspect [--json] [--at TIME] [--gateway NAME|all] FILE…
                                              parse certificates and print their fields
  eval --rule EXPR [--json] [--at TIME] CERT  evaluate a rule (or --rule-file F)
  verify --bundle CA.pem […] [--rule EXPR] [--at TIME] [--gateway NAME] [--json] CHAIN
                                              the full decision, with its code
  serve [--config FILE] [--http ADDR] [--mtls ADDR] [--authz ADDR]
                                              the page, the API, the mTLS echo endpoint and
                                              the authorization endpoint for proxies
  probe HOST:PORT [--cert C --key K] [--cacert CA] [--json] …
                                              connect to a TLS server and explain what it did
  test [--format text|json|junit|tap] [--at TIME] [--gateway NAME] FILE…
                                              run rule test suites (cases with expected codes)
  site -o DIR                                 export the static site (playground + docs)
  export --gateway NAME (--config F --client NAME | --bundle CA.pem […] --rule EXPR) [-o FILE]
                                              the rule as nginx, HAProxy, Caddy or Envoy config
  export --gateway NAME --delegate [--client NAME] [-o FILE]
                                              a proxy's configuration that asks mtlsplay
                                              for every request
FILE, CERT and CHAIN may be - for standard input. TIME is RFC 3339 (2026-06-01T00:00:00Z) or a date (2026-06-01, midnight UTC).
Run 'mtlsplay <command> -h' for a command's flags.
`

// cli carries what every command reads and writes, so tests run commands in-process.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	now            func() time.Time
}

// Main runs the command in args (without the program name) and returns its exit
// status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now}
	return c.run(args)
}

func (c *cli) run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, usage)
		return exitBadInput
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "inspect":
		return c.inspect(rest)
	case "eval":
		return c.eval(rest)
	case "verify":
		return c.verify(rest)
	case "serve":
		return c.serveCmd(rest)
	case "probe":
		return c.probeCmd(rest)
	case "site":
		return c.siteCmd(rest)
	case "export":
		if wantsDelegate(rest) {
			return c.exportDelegateCmd(rest)
		}
		return c.exportCmd(rest)
	case "test":
		return c.test(rest)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(c.stdout, usage)
		return exitOK
	}
	fmt.Fprintf(c.stderr, "mtlsplay: unknown command %q\n%s", cmd, usage)
	return exitBadInput
}

// flags returns a FlagSet that reports to stderr and does not exit.
func (c *cli) flags(name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: mtlsplay %s %s\n", name, args)
		printFlags(fs)
	}
	return fs
}

// printFlags is flag.PrintDefaults with each flag written as the usage line and
// the documents write it, --name (-o for a one-letter flag), and a repeatable
// file flag's argument as FILE rather than the flag package's "value".
func printFlags(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		if arg == "value" {
			arg = "FILE"
		}
		dashes := "--"
		if len(f.Name) == 1 {
			dashes = "-"
		}
		line := "  " + dashes + f.Name
		if arg != "" {
			line += " " + arg
		}
		line += "\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t")
		switch f.DefValue {
		case "", "false", "0", "0s", "[]":
		default:
			if g, ok := f.Value.(flag.Getter); ok && isString(g.Get()) {
				line += fmt.Sprintf(" (default %q)", f.DefValue)
			} else {
				line += fmt.Sprintf(" (default %v)", f.DefValue)
			}
		}
		fmt.Fprintln(fs.Output(), line)
	})
}

func isString(v any) bool { _, ok := v.(string); return ok }

// parse lets flags and operands come in any order (mtlsplay verify chain.pem
// --bundle ca.pem), as people type them; "--" ends the flags. Asked for help
// (-h, -help), the usage goes to standard output, and parseFailed makes it exit 0.
func (c *cli) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var tail []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, tail = args[:i], args[i+1:]
	}
	if slices.ContainsFunc(args, func(a string) bool { return a == "-h" || a == "--h" || a == "-help" || a == "--help" }) {
		fs.SetOutput(c.stdout)
	}
	var operands []string
	for {
		if err := c.parseFlags(fs, args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return append(operands, tail...), nil
		}
		operands = append(operands, args[0]) // Parse stopped at a non-flag
		args = args[1:]
	}
}

// parseFlags is fs.Parse with its mistakes said as every usage mistake is,
// "mtlsplay COMMAND: MESSAGE" and the usage, where the flag package writes
// its bare message ("flag provided but not defined: -bundel").
func (c *cli) parseFlags(fs *flag.FlagSet, args []string) error {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
	case err != nil:
		msg := flagNameRE.ReplaceAllString(err.Error(), "$1--$2") // as the usage writes it
		fmt.Fprintf(out, "mtlsplay %s: %s\n", fs.Name(), terminalSafe(msg))
		fs.Usage()
		// Parsing stopped at the mistake: a --json after it was not read.
		if fs.Lookup("json") != nil && slices.ContainsFunc(args, func(a string) bool {
			return a == "--json" || a == "-json" || a == "--json=true" || a == "-json=true"
		}) {
			c.writeJSON(engine.ErrorResponse{Error: engine.Error{Code: engine.CodeBadRequest, Message: msg}})
		}
	}
	return err
}

// flagNameRE finds a flag's name in the flag package's messages ("not
// defined: -jsn", "for flag -timeout:"), one-letter names aside.
var flagNameRE = regexp.MustCompile(`(: |flag )-([^-\s:][^\s:]+)`)

// parseFailed is a command's exit status when its flags could not be parsed: 0
// when help was asked for (the usage is printed), 2 otherwise.
func parseFailed(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitBadInput
}

// readInput reads a file, or standard input for "-", refusing more than the engine
// would accept so a 20 MB file is rejected without being held in memory.
func (c *cli) readInput(name string, limit int64) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = c.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, errors.New(strings.TrimPrefix(err.Error(), "open "))
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, fmt.Errorf("%s: is a directory, not a file", name)
		}
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", displayName(name), err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes, the most this input may be", displayName(name), limit)
	}
	return b, nil
}

// stdinTwice reports whether more than one of a command's inputs is "-":
// standard input can be read once, and a second reader would see it empty (an
// empty CHAIN is a decision, 4017, not an error), so that is a usage mistake.
func stdinTwice(inputs ...string) bool {
	n := 0
	for _, in := range inputs {
		if in == "-" {
			n++
		}
	}
	return n > 1
}

// stdinOnce is the usage message of stdinTwice.
const stdinOnce = "- (standard input) is given for more than one input; it can be read only once: give the others as files"

// readCertificates reads a certificate file (a chain, or a file to inspect). A file
// that also holds the certificates' private key (HAProxy's crt files, keycert.pem;
// curl --cert reads them too) is read for its certificates, and each key block is named
// in a warning on standard error; nothing of the key is printed. A forwarded header
// is read as its certificates, with notes on standard error (noteHeader).
func (c *cli) readCertificates(name string) ([]byte, error) {
	data, err := c.readInput(name, certinput.MaxBytes)
	if err != nil {
		return nil, err
	}
	data, keys := certinput.WithoutKeys(data)
	for _, k := range keys {
		fmt.Fprintf(c.stderr, "warning: %s: %s: the private key was ignored; only the certificates are read (never share this file)\n", displayName(name), k)
	}
	c.noteHeader(name, data)
	return data, nil
}

func displayName(name string) string {
	if name == "-" {
		return "standard input"
	}
	return name
}

// fail reports an error: one line on stderr and, with --json, the error shape on
// stdout so a script reading JSON sees it too.
func (c *cli) fail(asJSON bool, err error) int {
	e := engine.ErrorOf(err)
	// Messages quote their input (a rule's text, a file's name or content): each line
	// is written terminal-safe, as every other line of text output.
	msg := terminalSafe(e.Message)
	if e.Code == engine.CodeCompileError && len(e.Issues) > 0 {
		msg = terminalSafe(e.Issues[0].String())
		for _, is := range e.Issues[1:] {
			msg += "\n" + terminalSafe(is.String())
		}
	}
	fmt.Fprintf(c.stderr, "mtlsplay: %s\n", msg)
	if asJSON {
		c.writeJSON(engine.ErrorResponse{Error: e})
	}
	return exitBadInput
}

func (c *cli) writeJSON(v any) {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// usageError is a flag or operand mistake: its line and the usage on standard
// error, and with --json the error shape on standard output too, as every error
// (a script reading the output gets one).
func (c *cli) usageError(fs *flag.FlagSet, format string, args ...any) int {
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintf(c.stderr, "mtlsplay %s: %s\n", fs.Name(), msg)
	fs.Usage()
	if f := fs.Lookup("json"); f != nil && f.Value.String() == "true" {
		c.writeJSON(engine.ErrorResponse{Error: engine.Error{Code: engine.CodeBadRequest, Message: msg}})
	}
	return exitBadInput
}
