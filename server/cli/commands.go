package cli

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/diagnose"
	"github.com/mtlsplay/mtlsplay/internal/dialect"
	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/policy"
)

// maxRule bounds a --rule-file; the rule package bounds the source again.
const maxRule = 64 << 10

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// inspectOutput is inspect --json: every file's certificates.
type inspectOutput struct {
	Files []inspectFile `json:"files"`
}

type inspectFile struct {
	Name         string                  `json:"name"`
	Certificates []*certinfo.Certificate `json:"certificates"`
	Findings     []diagnose.Finding      `json:"findings"`
}

func (c *cli) inspect(args []string) int {
	fs := c.flags("inspect", "[--json] [--at TIME] FILE…")
	asJSON := fs.Bool("json", false, "print the certificates as JSON")
	at := fs.String("at", "", "the time for 'days left' (RFC 3339; default now)")
	files, err := parse(fs, args)
	if err != nil {
		return exitBadInput
	}
	if len(files) == 0 {
		return c.usageError(fs, "no FILE given (use - for standard input)")
	}
	now, err := engine.ParseTime(*at, c.now)
	if err != nil {
		return c.fail(*asJSON, err)
	}
	instant := now.Format(time.RFC3339Nano) // one instant for every file
	var out inspectOutput
	for _, name := range files {
		data, err := c.readInput(name, certinput.MaxBytes)
		if err != nil {
			return c.fail(*asJSON, err)
		}
		res, err := engine.Inspect(engine.InspectRequest{Certificates: string(data), Source: displayName(name), At: instant}, c.now)
		if err != nil {
			return c.fail(*asJSON, err)
		}
		out.Files = append(out.Files, inspectFile{Name: displayName(name), Certificates: res.Certificates, Findings: res.Findings})
	}
	if *asJSON {
		c.writeJSON(out)
		return exitOK
	}
	for i, f := range out.Files {
		if i > 0 {
			fmt.Fprintln(c.stdout)
		}
		for j, cert := range f.Certificates {
			if j > 0 {
				fmt.Fprintln(c.stdout)
			}
			fmt.Fprintf(c.stdout, "%s: certificate %d of %d\n", f.Name, j+1, len(f.Certificates))
			writeCertificate(c.stdout, cert, now)
		}
		writeFindings(c.stdout, f.Findings)
	}
	return exitOK
}

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

func (c *cli) eval(args []string) int {
	fs := c.flags("eval", "--rule EXPR | --rule-file F [--dialect cel|workato|auto] [--json] [--at TIME] CERT")
	asJSON := fs.Bool("json", false, "print the value and the explanation as JSON")
	at := fs.String("at", "", "the time the rule sees as now (RFC 3339; default now)")
	dialectName := fs.String("dialect", "auto", "the rule's language: cel, workato (Ruby-style formulas) or auto")
	readRule := c.ruleFlags(fs)
	operands, err := parse(fs, args)
	if err != nil {
		return exitBadInput
	}
	src, given, usage, err := readRule()
	switch {
	case usage:
		return c.usageError(fs, "%v", err)
	case err != nil:
		return c.fail(*asJSON, err)
	case !given:
		return c.usageError(fs, "no rule: give --rule EXPR or --rule-file F")
	case len(operands) != 1:
		return c.usageError(fs, "want exactly one CERT (use - for standard input), got %d", len(operands))
	}
	data, err := c.readInput(operands[0], certinput.MaxBytes)
	if err != nil {
		return c.fail(*asJSON, err)
	}
	res, err := engine.Eval(engine.EvalRequest{Rule: src, Dialect: *dialectName, Certificates: string(data), Source: displayName(operands[0]), At: *at}, c.now)
	if err != nil {
		return c.fail(*asJSON, err)
	}
	if *asJSON {
		c.writeJSON(res)
	} else {
		writeRuleResult(c.stdout, res.Rule)
	}
	// A rule that cannot be evaluated (cost limit, bad index) is a broken rule, not a
	// certificate that failed it: bad input, like a compile error, said in one line.
	if res.Rule.Error != "" {
		fmt.Fprintf(c.stderr, "mtlsplay: %s\n", terminalSafe(res.Rule.Error))
		return exitBadInput
	}
	c.warnRule(res.Info)
	if !res.Value {
		return exitRejected
	}
	return exitOK
}

func (c *cli) verify(args []string) int {
	fs := c.flags("verify", "--bundle CA.pem [--bundle …] [--rule EXPR] [--at TIME] [--json] CHAIN")
	asJSON := fs.Bool("json", false, "print the decision as JSON")
	at := fs.String("at", "", "the time of the verification (RFC 3339; default now)")
	client := fs.String("client", "cli", "the client name shown in the decision")
	dialectName := fs.String("dialect", "auto", "the rule's language: cel, workato (Ruby-style formulas) or auto")
	var bundles stringList
	fs.Var(&bundles, "bundle", "a truststore bundle: a PEM file of CA certificates (repeat, up to 5)")
	readRule := c.ruleFlags(fs)
	operands, err := parse(fs, args)
	if err != nil {
		return exitBadInput
	}
	src, _, usage, err := readRule()
	switch {
	case usage:
		return c.usageError(fs, "%v", err)
	case err != nil:
		return c.fail(*asJSON, err)
	case len(operands) != 1:
		return c.usageError(fs, "want exactly one CHAIN (use - for standard input), got %d", len(operands))
	case len(bundles) > policy.MaxBundles:
		return c.usageError(fs, "%d --bundle flags; a client selects at most %d bundles", len(bundles), policy.MaxBundles)
	}
	req := engine.DecideRequest{Rule: src, Dialect: *dialectName, At: *at, Client: *client}
	for _, name := range bundles {
		data, err := c.readInput(name, certinput.MaxBytes)
		if err != nil {
			return c.fail(*asJSON, err)
		}
		req.Bundles = append(req.Bundles, engine.BundleInput{Name: name, PEM: string(data)})
	}
	data, err := c.readInput(operands[0], certinput.MaxBytes)
	if err != nil {
		return c.fail(*asJSON, err)
	}
	req.Certificates, req.Source = string(data), displayName(operands[0])
	res, err := engine.Decide(req, c.now)
	if err != nil {
		return c.fail(*asJSON, err)
	}
	c.warnRule(res.Info)
	if *asJSON {
		c.writeJSON(res)
	} else {
		writeDecision(c.stdout, res)
	}
	if !res.Accepted() {
		return exitRejected
	}
	return exitOK
}
