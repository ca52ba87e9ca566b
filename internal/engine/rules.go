//go:build !inspector

package engine

// The rule engine's part of package engine: compiling and evaluating rules (CEL,
// formulas), which links cel-go. The page's inspector engine is built without it
// (-tags inspector, inspector.go): docs/design.md §5.4.

import (
	"errors"
	"sync"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/diagnose"
	"github.com/mtlsplay/mtlsplay/internal/dialect"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/rule"
	"github.com/mtlsplay/mtlsplay/internal/rule/explain"
)

// Env returns the one rule environment, built on first use (building it costs a few
// milliseconds, which a CLI call that needs no rule should not pay).
var Env = sync.OnceValues(rule.NewEnv)

// Compile checks a rule and reports every issue with its position.
func Compile(req CompileRequest) (*CompileResponse, error) {
	r, err := CompileRule(req.Rule, req.Dialect)
	if err != nil {
		var ce *rule.CompileError
		if errors.As(err, &ce) {
			return &CompileResponse{OK: false, Issues: ce.Issues}, nil
		}
		return nil, err
	}
	info := r.Info(nil)
	return &CompileResponse{OK: true, Issues: []rule.Issue{}, Info: &info}, nil
}

// EvalRequest evaluates a rule on a certificate (or chain) without verifying it.
type EvalRequest struct {
	Rule         string   `json:"rule"`
	Dialect      string   `json:"dialect,omitempty"` // cel, workato or auto (the default)
	Certificates string   `json:"certificates"`
	Source       string   `json:"source,omitempty"` // names Certificates in messages
	At           string   `json:"at,omitempty"`
	TLS          rule.TLS `json:"tls"`
}

// EvalResponse is the rule's value and its explanation, in the rule's own dialect.
type EvalResponse struct {
	*dialect.Info
	Value        bool                    `json:"value"`
	Rule         explain.Result          `json:"rule"`
	At           time.Time               `json:"at"`
	Certificates []*certinfo.Certificate `json:"certificates"`
	Leaf         int                     `json:"leaf,omitempty"` // index in Certificates of the certificate evaluated, when not 0 (leaf_not_first)
}

// Eval compiles the rule and evaluates it on the leaf of the given chain.
func Eval(req EvalRequest, now func() time.Time) (*EvalResponse, error) {
	at, err := ParseTime(req.At, now)
	if err != nil {
		return nil, err
	}
	r, err := CompileRule(req.Rule, req.Dialect)
	if err != nil {
		return nil, err
	}
	certs, err := parseNonEmpty(req.Source, req.Certificates, certinput.Decode)
	if err != nil {
		return nil, err
	}
	k := diagnose.LeafIndex(certs) // a leaf pasted after its issuer is the one meant
	leaf := certs[k]
	res := r.Explain(rule.Vars{Cert: leaf, Chain: leafFirst(certs, k), Now: at, TLS: req.TLS})
	info := r.Info(leaf)
	return &EvalResponse{Info: &info, Value: res.Value && res.Error == "", Rule: res, At: at, Certificates: certs, Leaf: k}, nil
}

// Client is an API client as a decision needs it: the policy's client (name,
// bundles, compiled program) and its rule as written, so that a formula's
// explanation speaks the formula's terms.
type Client struct {
	policy.Client
	Written *dialect.Rule // nil: the client has no rule
}

// SetRule makes r the client's rule; nil removes it.
func (c *Client) SetRule(r *dialect.Rule) {
	c.Written, c.Rule = r, nil
	if r != nil {
		c.Rule = r.Program
	}
}

// CompileRule reads a rule in its dialect (cel, workato or auto) in the one rule
// environment, as the page, the CLI and the server all read rules.
func CompileRule(src, dialectName string) (*dialect.Rule, error) {
	env, err := Env()
	if err != nil {
		return nil, err
	}
	return dialect.Compile(env, src, dialectName)
}

// setRule compiles a request's rule for client c.
func setRule(c *Client, src, dialectName string) error {
	r, err := CompileRule(src, dialectName)
	if err != nil {
		return err
	}
	c.SetRule(r)
	return nil
}

// compileErrorOf is a *rule.CompileError in the JSON error shape.
func compileErrorOf(err error) (Error, bool) {
	var ce *rule.CompileError
	if !errors.As(err, &ce) {
		return Error{}, false
	}
	out := Error{Code: CodeCompileError, Message: ce.Error(), Issues: ce.Issues}
	if len(ce.Issues) > 0 {
		out.Line, out.Column = ce.Issues[0].Line, ce.Issues[0].Column
	}
	return out, true
}

// ruleOperations are the operations only the rule engine has; Call's table
// (operations) lists them after the inspector's.
var ruleOperations = []operation{
	{"compile", func(request []byte, _ func() time.Time) (any, error) {
		var req CompileRequest
		if err := decode(request, &req); err != nil {
			return nil, err
		}
		return Compile(req)
	}},
	{"eval", func(request []byte, now func() time.Time) (any, error) {
		var req EvalRequest
		if err := decode(request, &req); err != nil {
			return nil, err
		}
		return Eval(req, now)
	}},
	{"export", func(request []byte, _ func() time.Time) (any, error) {
		var req ExportRequest
		if err := decode(request, &req); err != nil {
			return nil, err
		}
		return Export(req)
	}},
	{"declarations", func([]byte, func() time.Time) (any, error) {
		env, err := Env()
		if err != nil {
			return nil, err
		}
		return env.Declarations(), nil
	}},
}
