//go:build inspector

package engine

// The inspector's part of package engine (-tags inspector): the page's first
// engine, which does not link cel-go. It answers inspect, read and decide; a
// decide with a rule stops where the rule would be evaluated, with
// policy.RulePending when the chain is trusted, and the rule engine (built
// without the tag, rules.go) answers it in full once it has loaded
// (docs/design.md §5.4).

import (
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/rule/ruletypes"
)

// Client is an API client as a decision needs it. In the inspector its rule is
// policy.Pending and nothing is written (Written is always nil).
type Client struct {
	policy.Client
	Written *unwritten
}

// unwritten stands for the dialect's rule, which the inspector never has.
type unwritten struct{}

func (*unwritten) MapDecision(*policy.Decision)              {}
func (*unwritten) Info(*certinfo.Certificate) ruletypes.Info { return ruletypes.Info{} }

// setRule gives c a rule the inspector cannot evaluate.
func setRule(c *Client, _, _ string) error {
	c.Rule = policy.Pending
	return nil
}

// compileErrorOf: the inspector compiles nothing.
func compileErrorOf(error) (Error, bool) { return Error{}, false }

// ruleOperations: compile, eval, export and declarations are the rule engine's.
var ruleOperations = []operation{refused("compile"), refused("eval"), refused("export"), refused("declarations")}

// refused is a rule operation the inspector answers with where it is answered.
func refused(op string) operation {
	return operation{op, func([]byte, func() time.Time) (any, error) {
		return nil, &Error{Code: CodeUnknownOp, Message: "operation " + op + " is the rule engine's: the inspector does not evaluate rules"}
	}}
}
