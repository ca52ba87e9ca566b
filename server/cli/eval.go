package cli

import (
	"flag"
	"fmt"
	"strings"

	"github.com/mtlsplay/mtlsplay/internal/engine"
)

// eval: evaluate a rule on a certificate and explain it.

func (c *cli) eval(args []string) int {
	fs := c.flags("eval", "(--rule EXPR | --rule-file F) [--dialect cel|workato|auto] [--json] [--at TIME] CERT")
	asJSON := fs.Bool("json", false, "print the value and the explanation as JSON")
	at := fs.String("at", "", "the time the rule sees as now (RFC 3339, or a date for midnight UTC; default now)")
	dialectName := fs.String("dialect", "auto", "the rule's language: cel, workato (Ruby-style formulas) or auto")
	readRule := c.ruleFlags(fs)
	operands, err := c.parse(fs, args)
	if err != nil {
		return parseFailed(err)
	}
	src, given, usage, err := readRule()
	ruleSet := false
	fs.Visit(func(f *flag.Flag) { ruleSet = ruleSet || f.Name == "rule" || f.Name == "rule-file" })
	switch {
	case usage:
		return c.usageError(fs, "%v", err)
	case err != nil:
		return c.fail(*asJSON, err)
	case ruleSet && strings.TrimSpace(src) == "" && fs.Lookup("rule-file").Value.String() != "":
		fmt.Fprintf(c.stderr, "mtlsplay eval: %s: the rule is empty: write the rule to evaluate in it, e.g. CN == \"client.example.com\"\n", terminalSafe(displayName(fs.Lookup("rule-file").Value.String())))
		return exitBadInput
	case ruleSet && strings.TrimSpace(src) == "":
		// The flag was given, empty (a shell variable that was not set): say that,
		// not the whole flag list.
		fmt.Fprintln(c.stderr, `mtlsplay eval: the rule is empty: give the rule to evaluate, e.g. --rule 'CN == "client.example.com"'`)
		return exitBadInput
	case !given:
		return c.usageError(fs, "no rule: give --rule EXPR or --rule-file F")
	case len(operands) != 1:
		return c.usageError(fs, "want exactly one CERT (use - for standard input), got %d", len(operands))
	case stdinTwice(operands[0], fs.Lookup("rule-file").Value.String()):
		return c.usageError(fs, stdinOnce)
	}
	data, err := c.readCertificates(operands[0])
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
