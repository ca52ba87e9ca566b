package explain

import (
	"errors"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/interpreter"

	"github.com/mtlsplay/mtlsplay/internal/rule/celtext"
	"github.com/mtlsplay/mtlsplay/internal/rule/ruletypes"
	"github.com/mtlsplay/mtlsplay/internal/rule/span"
)

// Limits of an explanation, beyond the cost limit of each evaluation.
const (
	// maxIterations is how many elements of one list get per-element values.
	maxIterations = 64
	notEvaluated  = "not evaluated"
)

// NewResult is the explanation of a verdict alone, without nodes: what a rule
// that could not be explained shows (no certificate, or planning the explanation
// failed). Value and Error come from the fast evaluation, so the verdict never
// depends on the explanation.
func NewResult(value bool, err error) Result {
	res := Result{Value: value, Nodes: []Node{}, Matched: []Match{}}
	if err != nil {
		res.Error = err.Error()
	}
	return res
}

// Explainer is the static part of a rule's explanation: the nodes and their
// source ranges, a state-tracking program, and one program per macro predicate.
// Package rule builds one per compiled program, on first use, and keeps it with the
// program.
type Explainer struct {
	prog      cel.Program
	adapter   types.Adapter
	sp        *span.Spanner
	nodes     []nodeInfo
	byID      map[int64]int
	comps     []*compInfo  // macros at the top level (not inside another macro's predicate)
	compares  []comparison // string literals compared with what the rule reads, in source order
	root      ast.Expr     // the rule's whole expression
	costLimit uint64
}

type nodeInfo struct {
	Node
	depth int // how many macro predicates enclose the node
	expr  ast.Expr
	// global names a rule variable (not an iteration variable): its value is the
	// same everywhere, and cel-go does not record it when it starts a field
	// selection, so explain resolves it itself. Literals need no evaluation either.
	global  string
	literal bool
	// iterVar marks the iteration variable of the enclosing macro: its value in
	// each iteration is the element.
	iterVar bool
}

type compInfo struct {
	id       int64
	macro    string
	iterVar  string
	rangeID  int64
	bodies   []*bodyInfo // the predicate (and transform) as written
	argCount int
}

type bodyInfo struct {
	rootID int64
	prog   cel.Program
	nodes  []int // indexes into Explainer.nodes, depth 1, under this body
}

func explainOptions(costLimit uint64) []cel.ProgramOption {
	return []cel.ProgramOption{
		cel.CostLimit(costLimit),
		cel.EvalOptions(cel.OptTrackState, cel.OptExhaustiveEval),
	}
}

// New plans the explanation of a checked rule: env is the environment it was
// compiled in, src its source, and costLimit bounds each evaluation the
// explanation makes, as it bounds the rule's own.
func New(env *cel.Env, checked *cel.Ast, src string, costLimit uint64) (*Explainer, error) {
	a := checked.NativeRep()
	prog, err := env.Program(checked, explainOptions(costLimit)...)
	if err != nil {
		return nil, err
	}
	ex := &Explainer{prog: prog, adapter: env.CELTypeAdapter(), sp: span.New(src, a), byID: map[int64]int{}, costLimit: costLimit}
	// The rule's variables: their values are the same everywhere (see nodeInfo.global).
	globals := map[string]bool{}
	for _, v := range env.Variables() {
		globals[v.Name()] = true
	}
	index := map[int64]ast.Expr{}
	var indexAll func(ast.Expr)
	indexAll = func(e ast.Expr) {
		index[e.ID()] = e
		for _, c := range span.Children(e) {
			indexAll(c)
		}
	}
	indexAll(a.Expr())
	ex.root = a.Expr()

	info := a.SourceInfo()
	var walk func(e ast.Expr, depth int, body *bodyInfo, locals []string)
	add := func(e ast.Expr, depth int, body *bodyInfo, locals []string, kind, fn string) {
		start, end := ex.sp.Span(e.ID())
		if end <= start {
			return
		}
		line, col := ex.sp.LineCol(start)
		ni := nodeInfo{
			Node: Node{
				ID: e.ID(), Start: start, End: end, Line: line, Column: col,
				Text: ex.sp.Text(start, end), Kind: kind, Function: fn,
				Type: celtext.Type(a.GetType(e.ID())),
			},
			depth:   depth,
			expr:    e,
			literal: e.Kind() == ast.LiteralKind,
		}
		if e.Kind() == ast.IdentKind {
			switch name := e.AsIdent(); {
			case len(locals) > 0 && name == locals[len(locals)-1]:
				ni.iterVar = true
			case !slices.Contains(locals, name):
				if globals[name] {
					ni.global = name
				}
			}
		}
		ex.byID[e.ID()] = len(ex.nodes)
		if body != nil && depth == 1 && !ni.literal && ni.global == "" {
			body.nodes = append(body.nodes, len(ex.nodes))
		}
		ex.nodes = append(ex.nodes, ni)
	}
	walk = func(e ast.Expr, depth int, body *bodyInfo, locals []string) {
		switch e.Kind() {
		case ast.ComprehensionKind:
			c := e.AsComprehension()
			mc, ok := info.GetMacroCall(e.ID())
			fn := "comprehension"
			if ok && mc.Kind() == ast.CallKind {
				fn = mc.AsCall().FunctionName()
			}
			add(e, depth, body, locals, "macro", fn)
			walk(c.IterRange(), depth, body, locals)
			if !ok || mc.Kind() != ast.CallKind || len(mc.AsCall().Args()) < 2 {
				return
			}
			args := mc.AsCall().Args()
			ci := &compInfo{id: e.ID(), macro: fn, iterVar: c.IterVar(), rangeID: c.IterRange().ID(), argCount: len(args)}
			for _, arg := range args[1:] {
				be, found := index[arg.ID()]
				if !found {
					continue
				}
				bi := &bodyInfo{rootID: be.ID()}
				ci.bodies = append(ci.bodies, bi)
				walk(be, depth+1, bi, append(slices.Clip(locals), c.IterVar()))
				if depth == 0 {
					sub := ast.NewCheckedAST(ast.NewAST(be, info), a.TypeMap(), a.ReferenceMap())
					if bi.prog, err = env.PlanProgram(sub, explainOptions(costLimit)...); err != nil {
						bi.prog = nil
					}
				}
			}
			if depth == 0 {
				ex.comps = append(ex.comps, ci)
			}
			return
		case ast.SelectKind:
			if e.AsSelect().IsTestOnly() {
				add(e, depth, body, locals, "macro", "has")
			} else {
				add(e, depth, body, locals, "select", "")
			}
		case ast.CallKind:
			add(e, depth, body, locals, "call", celtext.Function(e.AsCall().FunctionName()))
			if c, ok := ex.comparisonOf(e); ok {
				ex.compares = append(ex.compares, c)
			}
		case ast.IdentKind:
			add(e, depth, body, locals, "ident", "")
		case ast.LiteralKind:
			add(e, depth, body, locals, "literal", "")
		case ast.ListKind:
			add(e, depth, body, locals, "list", "")
		case ast.MapKind:
			add(e, depth, body, locals, "map", "")
		case ast.StructKind:
			add(e, depth, body, locals, "struct", "")
		}
		for _, c := range span.Children(e) {
			walk(c, depth, body, locals)
		}
	}
	walk(a.Expr(), 0, nil, nil)
	return ex, nil
}

// Explain fills res, the verdict of the rule's fast evaluation on the variables
// act resolves, with node values and matches.
func (ex *Explainer) Explain(act interpreter.Activation, res *Result) {
	_, det, err := ex.prog.Eval(act)
	stopped := ""
	var cancelled interpreter.EvalCancelledError
	if errors.As(err, &cancelled) {
		stopped = notEvaluated + ": the explanation stopped at the cost limit"
	}
	var state interpreter.EvalState
	if det != nil {
		state = det.State()
	}
	value := func(id int64) (ref.Val, bool) {
		if i, ok := ex.byID[id]; ok {
			switch n := ex.nodes[i]; {
			case n.literal:
				return n.expr.AsLiteral(), true
			case n.global != "":
				if v, ok := act.ResolveName(n.global); ok {
					return ex.adapter.NativeToValue(v), true
				}
			}
		}
		if state == nil {
			return nil, false
		}
		return state.Value(id)
	}

	nodes := make([]Node, len(ex.nodes))
	for i, n := range ex.nodes {
		nodes[i] = n.Node
		switch {
		case n.literal || n.global != "":
			if val, ok := value(n.ID); ok {
				setValue(&nodes[i], val)
			}
		case n.depth == 0:
			if val, ok := value(n.ID); ok {
				setValue(&nodes[i], val)
			} else if stopped != "" {
				nodes[i].Error = stopped
			} else {
				nodes[i].Error = notEvaluated
			}
		case n.depth > 1:
			nodes[i].Error = "evaluated for each element of an inner list; values not shown"
		default:
			nodes[i].Error = notEvaluated // replaced below by per-element values
		}
	}

	// Per-element values of top-level macro predicates, within one more cost limit
	// in total.
	budget := ex.costLimit
	preds := map[int64][]ref.Val{} // comprehension id → predicate value per element
	for _, c := range ex.comps {
		rv, ok := value(c.rangeID)
		if !ok || stopped != "" {
			continue
		}
		elems := elements(rv)
		for bi, b := range c.bodies {
			if b.prog == nil {
				continue
			}
			for _, ni := range b.nodes {
				nodes[ni].Error = ""
				nodes[ni].Iterations = make([]Iteration, 0, len(elems))
				if len(elems) == 0 {
					nodes[ni].Error = notEvaluated + ": there are no elements"
				}
			}
			var rootVals []ref.Val
			for i, el := range elems {
				if bi == 1 && c.macro == operators.Map && c.argCount == 3 && i < len(preds[c.id]) && preds[c.id][i] != types.True {
					// map(x, filter, transform) transforms only what the filter keeps.
					for _, ni := range b.nodes {
						nodes[ni].Iterations = append(nodes[ni].Iterations, Iteration{Error: notEvaluated + ": the filter is not true for this element"})
					}
					rootVals = append(rootVals, nil)
					continue
				}
				if budget == 0 {
					for _, ni := range b.nodes {
						nodes[ni].Iterations = append(nodes[ni].Iterations, Iteration{Error: notEvaluated + ": the explanation reached its cost limit"})
					}
					rootVals = append(rootVals, nil)
					continue
				}
				_, d, _ := b.prog.Eval(&iterActivation{name: c.iterVar, val: el, parent: act})
				var st interpreter.EvalState
				if d != nil {
					st = d.State()
					if c := d.ActualCost(); c != nil {
						budget -= min(budget, *c)
					}
				}
				for _, ni := range b.nodes {
					it := Iteration{Error: notEvaluated}
					if ex.nodes[ni].iterVar {
						it = iteration(el)
					} else if st != nil {
						if val, ok := st.Value(nodes[ni].ID); ok {
							it = iteration(val)
						}
					}
					nodes[ni].Iterations = append(nodes[ni].Iterations, it)
				}
				rootVals = append(rootVals, ex.rootValue(b, st, el, value))
			}
			if bi == 0 {
				preds[c.id] = rootVals
			}
		}
	}

	res.Matched = ex.matches(value, preds)
	sortNodes(nodes)
	res.Nodes = nodes
}

// rootValue is a predicate's value for one element.
func (ex *Explainer) rootValue(b *bodyInfo, st interpreter.EvalState, el ref.Val, value func(int64) (ref.Val, bool)) ref.Val {
	if i, ok := ex.byID[b.rootID]; ok {
		n := ex.nodes[i]
		switch {
		case n.iterVar:
			return el
		case n.literal || n.global != "":
			v, _ := value(b.rootID)
			return v
		}
	}
	if st != nil {
		if v, ok := st.Value(b.rootID); ok {
			return v
		}
	}
	return nil
}

// OverCost lists the nodes without values, for a rule whose fast evaluation
// exceeded its cost limit: evaluating every branch would cost at least as much
// again.
func (ex *Explainer) OverCost(res *Result) {
	ex.unexplained(res, notEvaluated+": the rule exceeded its cost limit")
}

// unexplained lists the nodes without values.
func (ex *Explainer) unexplained(res *Result, why string) {
	res.Nodes = make([]Node, len(ex.nodes))
	for i, n := range ex.nodes {
		res.Nodes[i] = n.Node
		res.Nodes[i].Error = why
	}
	sortNodes(res.Nodes)
}

func sortNodes(nodes []Node) {
	sort.SliceStable(nodes, func(i, j int) bool {
		if nodes[i].Start != nodes[j].Start {
			return nodes[i].Start < nodes[j].Start
		}
		if nodes[i].End != nodes[j].End {
			return nodes[i].End > nodes[j].End
		}
		return nodes[i].ID < nodes[j].ID
	})
}

func setValue(n *Node, val ref.Val) {
	if e, ok := val.(*types.Err); ok {
		n.Error = e.Error()
		return
	}
	if types.IsUnknown(val) {
		n.Error = notEvaluated
		return
	}
	n.Value = celtext.Value(val)
}

func iteration(val ref.Val) Iteration {
	var n Node
	setValue(&n, val)
	return Iteration{Value: n.Value, Error: n.Error}
}

// elements lists what a macro iterates over: a list's elements or a map's keys,
// at most maxIterations of them.
func elements(v ref.Val) []ref.Val {
	var out []ref.Val
	if l, ok := v.(traits.Lister); ok {
		n, _ := l.Size().(types.Int)
		for i := types.Int(0); i < n && len(out) < maxIterations; i++ {
			out = append(out, l.Get(i))
		}
		return out
	}
	if it, ok := v.(traits.Iterable); ok {
		for i := it.Iterator(); i.HasNext() == types.True && len(out) < maxIterations; {
			out = append(out, i.Next())
		}
	}
	return out
}

// matches finds what decided the rule, from the values of the top-level nodes and
// the per-element predicate values.
func (ex *Explainer) matches(value func(int64) (ref.Val, bool), preds map[int64][]ref.Val) []Match {
	out := []Match{}
	text := func(id int64) string {
		return ex.sp.Text(ex.sp.Span(id))
	}
	isTrue := func(id int64) bool {
		v, ok := value(id)
		return ok && v == types.True
	}
	decided := ex.deciding(value)
	for _, c := range ex.comps {
		if !decided[c.id] {
			continue
		}
		rv, ok := value(c.rangeID)
		if !ok {
			continue
		}
		list, isList := rv.(traits.Lister)
		vals := preds[c.id]
		if !isList || vals == nil {
			continue
		}
		result, _ := value(c.id)
		want := func(v ref.Val) bool { return v == types.True }
		switch c.macro {
		case operators.Exists, operators.ExistsOne, operators.Filter:
			if c.macro != operators.Filter && result != types.True {
				continue
			}
		case operators.All:
			if result == types.False {
				want = func(v ref.Val) bool { return v != types.True }
			} else if result != types.True {
				continue
			}
		case operators.Map:
			if c.argCount != 3 {
				continue
			}
		default:
			continue
		}
		for i, v := range vals {
			if v != nil && want(v) {
				out = append(out, Match{Node: c.id, Of: text(c.rangeID), Index: i, Value: celtext.Value(list.Get(types.Int(i)))})
			}
		}
	}
	for _, n := range ex.nodes {
		if n.depth != 0 || n.expr.Kind() != ast.CallKind || !decided[n.ID] {
			continue
		}
		call := n.expr.AsCall()
		args := call.Args()
		switch fn := call.FunctionName(); {
		case fn == operators.In && len(args) == 2 && isTrue(n.ID):
			x, _ := value(args[0].ID())
			lv, _ := value(args[1].ID())
			if l, ok := lv.(traits.Lister); ok && x != nil {
				size, _ := l.Size().(types.Int)
				for i := types.Int(0); i < size; i++ {
					if l.Get(i).Equal(x) == types.True {
						out = append(out, Match{Node: n.ID, Of: text(args[1].ID()), Index: int(i), Value: celtext.Value(l.Get(i))})
						break
					}
				}
			}
		case fn == operators.Index && len(args) == 2:
			lv, _ := value(args[0].ID())
			iv, _ := value(args[1].ID())
			l, ok := lv.(traits.Lister)
			idx, isInt := iv.(types.Int)
			if ok && isInt {
				if size, _ := l.Size().(types.Int); idx >= 0 && idx < size {
					out = append(out, Match{Node: n.ID, Of: text(args[0].ID()), Index: int(idx), Value: celtext.Value(l.Get(idx))})
				}
			}
		case fn == operators.Equals && len(args) == 2 && isTrue(n.ID):
			for _, a := range args {
				if isPath(a) {
					if sv, ok := value(a.ID()); ok {
						if s, ok := sv.(types.String); ok && s != "" {
							out = append(out, Match{Node: n.ID, Of: text(a.ID()), Index: -1, Start: 0, End: utf8.RuneCountInString(string(s)), Value: celtext.Value(s)})
						}
					}
					break
				}
			}
		case call.IsMemberFunction() && len(args) == 1 && isPath(call.Target()) && isTrue(n.ID):
			tv, _ := value(call.Target().ID())
			av, _ := value(args[0].ID())
			s, ok1 := tv.(types.String)
			sub, ok2 := av.(types.String)
			if !ok1 || !ok2 {
				continue
			}
			if from, to, ok := substring(fn, string(s), string(sub)); ok {
				out = append(out, Match{
					Node: n.ID, Of: text(call.Target().ID()), Index: -1,
					Start: utf8.RuneCountInString(string(s)[:from]), End: utf8.RuneCountInString(string(s)[:to]),
					Value: celtext.Value(types.String(string(s)[from:to])),
				})
			}
		}
	}
	return out
}

// deciding is the set of the rule's sub-expressions (outside macro predicates)
// that decided its value: of a && or ||, the operands whose value is the result
// (the false ones of a false &&, the true ones of a true ||: the others did not
// decide it), or every operand when the result is no bool; of a conditional,
// the condition and the branch taken; of anything else, every part. What a
// sub-expression outside this set matched did not decide the rule, and
// matches leaves it out.
func (ex *Explainer) deciding(value func(int64) (ref.Val, bool)) map[int64]bool {
	out := map[int64]bool{}
	var walk func(e ast.Expr)
	walk = func(e ast.Expr) {
		out[e.ID()] = true
		if e.Kind() == ast.CallKind {
			call := e.AsCall()
			args := call.Args()
			v, ok := value(e.ID())
			_, isBool := v.(types.Bool)
			switch fn := call.FunctionName(); {
			case (fn == operators.LogicalAnd || fn == operators.LogicalOr) && ok && isBool:
				for _, a := range args {
					if av, ok := value(a.ID()); ok && av == v {
						walk(a)
					}
				}
				return
			case fn == operators.Conditional && len(args) == 3:
				walk(args[0])
				if cv, ok := value(args[0].ID()); ok && cv == types.True {
					walk(args[1])
				} else if ok && cv == types.False {
					walk(args[2])
				}
				return
			}
		}
		if e.Kind() == ast.ComprehensionKind {
			walk(e.AsComprehension().IterRange()) // its predicate's matches are the macro's own
			return
		}
		for _, c := range span.Children(e) {
			walk(c)
		}
	}
	walk(ex.root)
	return out
}

// substring returns the byte range of s that a true contains/startsWith/endsWith/
// matches(arg) call matched; an empty match is not worth pointing at.
func substring(fn, s, arg string) (int, int, bool) {
	var from, to int
	switch fn {
	case "contains":
		from = strings.Index(s, arg)
		to = from + len(arg)
	case "startsWith":
		from, to = 0, len(arg)
	case "endsWith":
		from, to = len(s)-len(arg), len(s)
	case "matches":
		re, err := regexp.Compile(arg)
		if err != nil {
			return 0, 0, false
		}
		loc := re.FindStringIndex(s)
		if loc == nil {
			return 0, 0, false
		}
		from, to = loc[0], loc[1]
	default:
		return 0, 0, false
	}
	if from < 0 || to <= from || to > len(s) {
		return 0, 0, false
	}
	return from, to, true
}

// isPath reports whether e names a variable or a field of one (DN, cert.subject.dn),
// the things the page can point into.
func isPath(e ast.Expr) bool {
	for e.Kind() == ast.SelectKind && !e.AsSelect().IsTestOnly() {
		e = e.AsSelect().Operand()
	}
	return e.Kind() == ast.IdentKind
}

// The result's types, declared without cel-go so that a decision (package policy)
// and the page's inspector can carry them.
type (
	Result    = ruletypes.Result
	Node      = ruletypes.Node
	Iteration = ruletypes.Iteration
	Match     = ruletypes.Match
)

// iterActivation binds a macro's iteration variable over the rule's variables,
// to evaluate a predicate for one element (see Explain).
type iterActivation struct {
	name   string
	val    ref.Val
	parent interpreter.Activation
}

func (a *iterActivation) ResolveName(name string) (any, bool) {
	if name == a.name {
		return a.val, true
	}
	return a.parent.ResolveName(name)
}

func (a *iterActivation) Parent() interpreter.Activation { return a.parent }
