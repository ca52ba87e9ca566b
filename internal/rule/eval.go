package rule

import (
	"errors"
	"fmt"
	"time"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/rule/celtext"
	"github.com/mtlsplay/mtlsplay/internal/rule/explain"
	"github.com/mtlsplay/mtlsplay/internal/rule/ruletypes"
	"github.com/mtlsplay/mtlsplay/internal/rule/span"
)

// Vars are the inputs of one evaluation. CN, SAN and DN are taken from Cert.
type Vars struct {
	Cert  *certinfo.Certificate   // the leaf; required
	Chain []*certinfo.Certificate // every certificate presented, leaf first; empty means just Cert
	Now   time.Time               // the evaluation time; injected so tests are deterministic
	TLS   TLS                     // the connection; zero in the playground

	prepared *prepared // CN, DN and SAN as CEL values; nil: converted on each evaluation
}

// prepared holds a certificate's rule variables already converted to CEL values, so
// that evaluating many rules, or one rule many times, on the same certificate does
// not box every SAN string again on each evaluation.
type prepared struct {
	cert        *certinfo.Certificate
	cn, dn, san ref.Val
}

// NewVars returns the variables of a certificate, converted to CEL values once.
// A Vars literal works too; NewVars is for variables evaluated more than once.
func NewVars(cert *certinfo.Certificate, chain []*certinfo.Certificate, now time.Time, tls TLS) Vars {
	v := Vars{Cert: cert, Chain: chain, Now: now, TLS: tls}
	if cert != nil {
		sans := make([]ref.Val, len(cert.SANEntries))
		for i, s := range cert.SANEntries {
			sans[i] = types.String(s)
		}
		v.prepared = &prepared{
			cert: cert,
			cn:   types.String(cert.Subject.CN),
			dn:   types.String(cert.Subject.DN),
			san:  types.NewRefValList(types.DefaultTypeAdapter, sans),
		}
	}
	return v
}

// ExplainDecision is Explain for a decision (policy.Rule).
func (p *Program) ExplainDecision(leaf *certinfo.Certificate, chain []*certinfo.Certificate, now time.Time, facts ruletypes.TLS) ruletypes.Result {
	return p.Explain(Vars{Cert: leaf, Chain: chain, Now: now, TLS: TLS(facts)})
}

// EvalError is a rule that compiled but failed while running: an index out of
// range, a map key that is not there, ip() of a string that is not an address,
// or the cost limit. Line and Column (1-based, in characters) point at the
// sub-expression that failed when cel-go says which one did.
type EvalError struct {
	Line, Column int // 0 when unknown
	Message      string
	err          error
}

func (e *EvalError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("rule:%d:%d: %s", e.Line, e.Column, e.Message)
	}
	return "rule: " + e.Message
}

func (e *EvalError) Unwrap() error { return e.err }

// ErrCostLimit is wrapped by the EvalError of a rule stopped at CostLimit.
var ErrCostLimit = errors.New("rule exceeded its cost limit")

// errNoCert is returned when Vars has no certificate: a decision without a client
// certificate ends before its rule runs (code 4017), so this is a caller's bug.
var errNoCert = &EvalError{Message: "no certificate to evaluate the rule on"}

// Eval runs the rule on one certificate. It is the fast path: no state is kept, so
// it is what a server calls for every connection. An error means the rule did not
// produce a value; a decision treats that as "rule failed" (4019).
func (p *Program) Eval(v Vars) (bool, error) {
	if v.Cert == nil {
		return false, errNoCert
	}
	act := &activation{vars: v}
	prog := p.tracked
	if p.bounded != nil && p.within(&act.vars) {
		prog = p.bounded
	}
	out, _, err := prog.Eval(act)
	if err != nil {
		return false, p.evalError(err)
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, &EvalError{Message: fmt.Sprintf("rule evaluated to %s, not to true or false", celtext.Value(out))}
	}
	return bool(b), nil
}

// Explain evaluates the rule and explains it. Value and Error come from the same
// fast evaluation as Eval, so the verdict never depends on the explanation; the
// node values come from a second evaluation that evaluates every branch (both
// sides of && and ||), and predicates are evaluated once more per element.
func (p *Program) Explain(v Vars) explain.Result {
	val, err := p.Eval(v)
	res := explain.NewResult(val, err)
	if v.Cert == nil {
		return res
	}
	ex, exErr := p.explain()
	if exErr != nil {
		return res // planning the explanation failed; the verdict still stands
	}
	if errors.Is(err, ErrCostLimit) {
		ex.OverCost(&res)
		return res
	}
	ex.Explain(&activation{vars: v}, &res)
	ex.NearMisses(&res, nearMissFields(v))
	return res
}

// nearMissFields are the values a near miss is looked for in: what the rule's
// variables hold, and the names of the CAs above the certificate (a DN copied from
// the wrong certificate is a common mistake: the Workato docs' own example is a
// root's DN).
func nearMissFields(v Vars) []explain.Field {
	c := v.Cert
	fs := []explain.Field{{Of: "CN", Value: c.Subject.CN}, {Of: "DN", Value: c.Subject.DN}}
	for i, s := range c.SANEntries {
		fs = append(fs, explain.Field{Of: fmt.Sprintf("SAN[%d]", i), Value: s})
	}
	fs = append(fs, explain.Field{Of: "issuer DN", Value: c.Issuer.DN}, explain.Field{Of: "issuer CN", Value: c.Issuer.CN})
	for i, ca := range v.Chain {
		if i == 0 || ca == nil || ca == c {
			continue
		}
		fs = append(fs, explain.Field{Of: fmt.Sprintf("chain[%d].subject.dn", i), Value: ca.Subject.DN}, explain.Field{Of: fmt.Sprintf("chain[%d].issuer.dn", i), Value: ca.Issuer.DN})
	}
	return fs
}

// explain plans, once per program, the static part of its explanation.
func (p *Program) explain() (*explain.Explainer, error) {
	p.explainOnce.Do(func() {
		p.explainer, p.explainErr = explain.New(p.env.cel, p.checked, p.src, CostLimit)
	})
	return p.explainer, p.explainErr
}

// within reports whether the inputs the rule reads are small enough for the
// untracked program.
func (p *Program) within(v *Vars) bool {
	for _, c := range p.checks {
		if !c(v) {
			return false
		}
	}
	return true
}

// evalError turns cel-go's runtime error into an EvalError with the position of
// the failing sub-expression.
func (p *Program) evalError(err error) *EvalError {
	var cancelled interpreter.EvalCancelledError
	if errors.As(err, &cancelled) && cancelled.Cause == interpreter.CostLimitExceeded {
		return &EvalError{
			Message: fmt.Sprintf("rule is too expensive: it exceeded the cost limit of %d (each nested exists/all/map multiplies the work; simplify the rule)", CostLimit),
			err:     ErrCostLimit,
		}
	}
	e := &EvalError{Message: err.Error(), err: err}
	var celErr *types.Err
	if errors.As(err, &celErr) {
		if id := celErr.NodeID(); id != 0 {
			sp := span.New(p.src, p.checked.NativeRep())
			if start, end := sp.Span(id); end > start {
				e.Line, e.Column = sp.LineCol(start)
			}
		}
	}
	return e
}

// activation resolves the rule's variables. It is a switch rather than a map so
// that one evaluation allocates only for the variables the rule uses.
type activation struct {
	vars Vars
}

func (a *activation) ResolveName(name string) (any, bool) {
	c := a.vars.Cert
	if p := a.vars.prepared; p != nil && p.cert == c { // Cert may have been replaced after NewVars
		switch name {
		case "CN":
			return p.cn, true
		case "SAN":
			return p.san, true
		case "DN":
			return p.dn, true
		}
	}
	switch name {
	case "CN":
		return types.String(c.Subject.CN), true
	case "SAN":
		return types.NewStringList(types.DefaultTypeAdapter, c.SANEntries), true
	case "DN":
		return types.String(c.Subject.DN), true
	case "cert":
		return c, true
	case "chain":
		if len(a.vars.Chain) == 0 {
			return []*certinfo.Certificate{c}, true
		}
		return a.vars.Chain, true
	case "now":
		return types.Timestamp{Time: a.vars.Now}, true
	case "tls":
		return &a.vars.TLS, true
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }
