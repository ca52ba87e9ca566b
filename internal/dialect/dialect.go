package dialect

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/rule"
	"github.com/mtlsplay/mtlsplay/internal/rule/explain"
	"github.com/mtlsplay/mtlsplay/internal/rule/lint"
	"github.com/mtlsplay/mtlsplay/internal/rule/ruletypes"
	"github.com/mtlsplay/mtlsplay/internal/workato"
)

// The dialects a rule can be written in.
const (
	CEL     = "cel"
	Workato = "workato"
	Auto    = "auto" // CEL when the rule compiles as CEL, else a formula when it translates
)

// UnknownDialectError is a dialect name that is not cel, workato or auto.
type UnknownDialectError struct{ Dialect string }

func (e *UnknownDialectError) Error() string {
	return fmt.Sprintf("unknown rule dialect %q: use cel, workato or auto", e.Dialect)
}

// Rule is a compiled rule in the dialect it was written in.
type Rule struct {
	Program *rule.Program
	Dialect string // CEL or Workato: how the rule was read
	Source  string // the rule as written
	CEL     string // the CEL that runs: Source itself for CEL

	tr *workato.Translation // nil for CEL
}

// Info is what a response says about a rule beside its value (ruletypes.Info).
type Info = ruletypes.Info

// Compile reads src in a dialect ("" is Auto) and compiles it. Problems come back
// as a *rule.CompileError whose positions are in src, whatever the dialect; an
// unknown dialect is an *UnknownDialectError.
func Compile(env *rule.Env, src, dialect string) (*Rule, error) {
	r, err := compile(env, src, dialect)
	if err != nil {
		return nil, plainError(src, err)
	}
	return r, nil
}

func compile(env *rule.Env, src, dialect string) (*Rule, error) {
	switch strings.ToLower(strings.TrimSpace(dialect)) {
	case CEL:
		p, err := env.Compile(src)
		if err != nil {
			return nil, err
		}
		return &Rule{Program: p, Dialect: CEL, Source: src, CEL: src}, nil
	case Workato:
		return compileFormula(env, src)
	case Auto, "":
		p, celErr := env.Compile(src)
		if celErr == nil {
			return &Rule{Program: p, Dialect: CEL, Source: src, CEL: src}, nil
		}
		var ce *rule.CompileError
		if !errors.As(celErr, &ce) || strings.TrimSpace(src) == "" || len(src) > workato.MaxSourceBytes {
			return nil, celErr
		}
		r, err := compileFormula(env, src)
		if err == nil {
			return r, nil
		}
		if workato.Looks(src) {
			return nil, err
		}
		return nil, celErr
	}
	return nil, &UnknownDialectError{Dialect: dialect}
}

func compileFormula(env *rule.Env, src string) (*Rule, error) {
	tr, err := workato.Translate(src)
	if err != nil {
		var we *workato.Error
		if !errors.As(err, &we) {
			return nil, err
		}
		is := rule.Issue{Severity: "error", Message: we.Message}.Moved(src, we.Start, we.End)
		return nil, &rule.CompileError{Issues: []rule.Issue{is}}
	}
	r := &Rule{Dialect: Workato, Source: src, CEL: tr.CEL, tr: tr}
	p, err := env.Compile(tr.CEL)
	if err != nil {
		var ce *rule.CompileError
		if !errors.As(err, &ce) {
			return nil, err
		}
		out := &rule.CompileError{Issues: make([]rule.Issue, len(ce.Issues))}
		for i, is := range ce.Issues {
			out.Issues[i] = r.mapIssue(is)
		}
		return nil, out
	}
	r.Program = p
	return r, nil
}

// Translation returns the formula's translation; nil for a CEL rule.
func (r *Rule) Translation() *workato.Translation { return r.tr }

// Warnings lints the rule (lint.CheckWith) and places the warnings in the rule as
// written. With a certificate, the warnings that depend on it are included.
func (r *Rule) Warnings(cert *certinfo.Certificate) []rule.Issue {
	ws := lint.CheckWith(r.Program, cert)
	out := make([]rule.Issue, 0, len(ws))
	for _, w := range ws {
		out = append(out, r.mapIssue(w))
	}
	return out
}

// Info describes the rule for a response; cert may be nil.
func (r *Rule) Info(cert *certinfo.Certificate) Info {
	in := Info{Dialect: r.Dialect, Warnings: r.Warnings(cert)}
	if r.tr != nil {
		in.CEL, in.Map = r.tr.CEL, r.tr.Map
	}
	return in
}

// Explain evaluates and explains the rule, at positions in the rule as written.
func (r *Rule) Explain(v rule.Vars) explain.Result {
	return r.MapResult(r.Program.Explain(v))
}

// mapIssue moves an issue found on the CEL to the formula, with its quick fixes
// rewritten as formula literals.
func (r *Rule) mapIssue(is rule.Issue) rule.Issue {
	if r.tr == nil {
		return is
	}
	start, end := r.tr.ToFormula(is.Start, is.End)
	out := is.Moved(r.Source, start, end)
	out.Edits = nil
	for _, ed := range is.Edits {
		m, ok := r.tr.Map.Literal(ed.Start, ed.End)
		if !ok || ed.Value == nil {
			continue // not a literal the formula wrote: keep only the Fix text
		}
		written := []rune(r.Source)[m.Start:m.End]
		out.Edits = append(out.Edits, rule.Edit{Start: m.Start, End: m.End, Replacement: formulaLiteral(string(written), *ed.Value), Value: ed.Value})
	}
	if is.ID == lint.SANNoPrefix {
		for _, rg := range r.tr.ListIncludes {
			if rg.Start == start && rg.End == end {
				out.Message += "; on a list such as SAN, Ruby's include? is an exact element test, not a substring search (that is any? { |s| s.include?(\"…\") })"
			}
		}
	}
	return out
}

// formulaLiteral writes v as a formula literal of the same kind as written: a
// regexp for /…/, else a double-quoted string.
func formulaLiteral(written, v string) string {
	if strings.HasPrefix(written, "/") {
		flags := ""
		if i := strings.LastIndexByte(written, '/'); i > 0 {
			flags = written[i+1:]
		}
		// The translation put Ruby's flags in an inline group; the literal keeps
		// them after the slash.
		if strings.HasPrefix(v, "(?") {
			if i := strings.IndexByte(v, ')'); i > 0 && !strings.ContainsAny(v[2:i], ":<'=!") {
				v = v[i+1:]
			}
		}
		return "/" + strings.ReplaceAll(v, "/", `\/`) + "/" + flags
	}
	var b strings.Builder
	b.WriteByte('"')
	rs := []rune(v)
	for i, c := range rs {
		switch {
		case c == '\\' || c == '"':
			b.WriteByte('\\')
			b.WriteRune(c)
		case c == '#' && i+1 < len(rs) && (rs[i+1] == '{' || rs[i+1] == '$' || rs[i+1] == '@'):
			b.WriteString(`\#`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case !unicode.IsPrint(c) && c != ' ':
			fmt.Fprintf(&b, `\u{%X}`, c)
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// MapResult moves an explanation computed on the CEL to the formula: each
// sub-expression of the formula gets the value of the CEL expression that
// translates it (the outermost one when the translation added some, as
// CN.trim() != "" for CN.present?), and CEL-only parts are left out.
func (r *Rule) MapResult(res explain.Result) explain.Result {
	if r.tr == nil {
		return res
	}
	res.Error = r.MapMessage(res.Error)
	type key struct{ start, end int }
	kept := map[key]int{} // formula range → index into nodes
	alias := map[int64]int64{}
	var nodes []explain.Node
	source := []rune(r.Source)    // node ranges count code points
	for _, n := range res.Nodes { // sorted outermost first
		s, e := r.tr.ToFormula(n.Start, n.End)
		k := key{s, e}
		if i, ok := kept[k]; ok {
			alias[n.ID] = nodes[i].ID
			continue
		}
		kept[k] = len(nodes)
		moved := n
		moved.Start, moved.End = s, e
		moved.Line, moved.Column = r.tr.LineCol(s)
		moved.Text = string(source[s:e])
		moved.Error = r.MapMessage(moved.Error)
		nodes = append(nodes, moved)
	}
	sort.SliceStable(nodes, func(i, j int) bool {
		if nodes[i].Start != nodes[j].Start {
			return nodes[i].Start < nodes[j].Start
		}
		return nodes[i].End > nodes[j].End
	})
	if nodes == nil {
		nodes = []explain.Node{}
	}
	res.Nodes = nodes
	matched := make([]explain.Match, len(res.Matched))
	for i, m := range res.Matched {
		if id, ok := alias[m.Node]; ok {
			m.Node = id
		}
		matched[i] = m
	}
	res.Matched = matched
	if len(res.NearMisses) > 0 {
		nms := make([]explain.NearMiss, len(res.NearMisses))
		for i, nm := range res.NearMisses {
			nm.Start, nm.End = r.tr.ToFormula(nm.Start, nm.End)
			if id, ok := alias[nm.Node]; ok {
				nm.Node = id
			}
			nms[i] = nm
		}
		res.NearMisses = nms
	}
	return res
}

// positionR is compiled on first use: only error messages need it, and a regexp
// compiled at init delays the engine's start in the browser.
var positionR = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`rule:(\d+):(\d+):`) })

// MapMessage rewrites the "rule:LINE:COLUMN:" positions in a message (an
// evaluation error, a decision's reason) from the CEL to the formula.
func (r *Rule) MapMessage(msg string) string {
	if r.tr == nil || !strings.Contains(msg, "rule:") {
		return msg
	}
	starts := []int{0}
	for i, c := range []rune(r.CEL) {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return positionR().ReplaceAllStringFunc(msg, func(m string) string {
		sub := positionR().FindStringSubmatch(m)
		line, _ := strconv.Atoi(sub[1])
		col, _ := strconv.Atoi(sub[2])
		if line < 1 || line > len(starts) {
			return m
		}
		off := starts[line-1] + col - 1
		s, _ := r.tr.ToFormula(off, off+1)
		fl, fc := r.tr.LineCol(s)
		return fmt.Sprintf("rule:%d:%d:", fl, fc)
	})
}

// MapDecision rewrites a decision made on the rule's CEL so that its explanation,
// reason and steps point into the rule as written (a no-op for CEL rules): the
// policy package decides on CEL and knows nothing of dialects.
func (r *Rule) MapDecision(d *policy.Decision) {
	if r.tr == nil {
		return
	}
	if d.Rule != nil {
		*d.Rule = r.MapResult(*d.Rule)
	}
	d.Reason = r.MapMessage(d.Reason)
	for i := range d.Steps {
		d.Steps[i].Detail = r.MapMessage(d.Steps[i].Detail)
	}
}
