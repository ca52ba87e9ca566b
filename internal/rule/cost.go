package rule

import (
	"reflect"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/common/types"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/rule/celtext"
)

// Runtime cost tracking triples the time of a typical evaluation (it allocates for
// every call). So a program also gets an untracked twin when cel-go's static cost
// estimate proves that, on inputs within the bounds below, the rule cannot cost
// more than CostLimit; Eval uses the twin only after checking that the inputs the
// rule reads are within those bounds, and the tracked program otherwise. Either
// way no evaluation exceeds CostLimit.
const (
	boundListLen   = 32  // elements of any list a rule reads (SANs, attributes, chain)
	boundStringLen = 256 // characters of any string a rule reads, but pem
	boundPEMLen    = 16 << 10
)

// sizeEstimator gives the static estimator the bounds for data reached from a
// variable, and records which paths the rule reads so Eval can check them.
type sizeEstimator struct {
	paths [][]string
	bad   bool // a path that boundedPath cannot check
}

func (e *sizeEstimator) EstimateCallCost(string, string, *cost.AstNode, []cost.AstNode) *cost.CallEstimate {
	return nil
}

func (e *sizeEstimator) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	path := n.Path()
	t := n.Type()
	if len(path) == 0 || t == nil {
		return nil // not input data: leave it to cel-go's own sizing
	}
	var max uint64
	switch t.Kind() {
	case types.StringKind, types.BytesKind:
		max = boundStringLen
		if path[len(path)-1] == "pem" {
			max = boundPEMLen
		}
	case types.ListKind, types.MapKind:
		max = boundListLen
	default:
		return nil
	}
	if _, ok := compilePath(path); !ok {
		e.bad = true
		return nil
	}
	e.paths = append(e.paths, append([]string(nil), path...))
	return &cost.SizeEstimate{Min: 0, Max: max}
}

// boundedProgram returns the untracked program and the size checks under which it
// may run, or nil when the estimate exceeds CostLimit.
func (e *Env) boundedProgram(checked *cel.Ast) (cel.Program, []sizeCheck) {
	est := &sizeEstimator{}
	c, err := e.cel.EstimateCost(checked, est)
	if err != nil || est.bad || c.Max > CostLimit {
		return nil, nil
	}
	prog, err := e.cel.Program(checked, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, nil
	}
	seen := map[string]bool{}
	var checks []sizeCheck
	for _, p := range est.paths {
		key := ""
		for _, s := range p {
			key += s + "\x00"
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		c, _ := compilePath(p)
		checks = append(checks, c)
	}
	return prog, checks
}

// sizeCheck reports whether the data at one path is within the bounds.
type sizeCheck func(v *Vars) bool

// compilePath turns an estimator path (a variable, then field names and "@items")
// into a check; ok is false for paths it does not know.
func compilePath(path []string) (sizeCheck, bool) {
	var t reflect.Type
	var root func(v *Vars) reflect.Value
	switch path[0] {
	case "CN":
		return func(v *Vars) bool { return strWithin(v.Cert.Subject.CN, boundStringLen) }, len(path) == 1
	case "DN":
		return func(v *Vars) bool { return strWithin(v.Cert.Subject.DN, boundStringLen) }, len(path) == 1
	case "SAN":
		switch len(path) {
		case 1:
			return func(v *Vars) bool { return len(v.Cert.SANEntries) <= boundListLen }, true
		case 2:
			return func(v *Vars) bool {
				for _, s := range v.Cert.SANEntries {
					if !strWithin(s, boundStringLen) {
						return false
					}
				}
				return true
			}, path[1] == "@items"
		}
		return nil, false
	case "cert":
		t = reflect.TypeFor[certinfo.Certificate]()
		root = func(v *Vars) reflect.Value { return reflect.ValueOf(v.Cert).Elem() }
	case "chain":
		t = reflect.TypeFor[[]*certinfo.Certificate]()
		root = func(v *Vars) reflect.Value {
			if len(v.Chain) == 0 {
				return reflect.ValueOf([]*certinfo.Certificate{v.Cert})
			}
			return reflect.ValueOf(v.Chain)
		}
	case "tls":
		t = reflect.TypeFor[TLS]()
		root = func(v *Vars) reflect.Value { return reflect.ValueOf(&v.TLS).Elem() }
	default:
		return nil, false
	}
	// Resolve the path to field indexes once.
	type step struct {
		index []int // field; nil for "@items"
	}
	var steps []step
	for _, seg := range path[1:] {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if seg == "@items" {
			if t.Kind() != reflect.Slice {
				return nil, false
			}
			t = t.Elem()
			steps = append(steps, step{})
			continue
		}
		if t.Kind() != reflect.Struct {
			return nil, false
		}
		found := false
		for _, f := range celtext.Fields(t) {
			if f.Name == seg {
				steps = append(steps, step{index: f.Index})
				t = t.FieldByIndex(f.Index).Type
				found = true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	limit := boundStringLen
	if path[len(path)-1] == "pem" {
		limit = boundPEMLen
	}
	var within func(rv reflect.Value, steps []step) bool
	within = func(rv reflect.Value, rest []step) bool {
		for rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				return true
			}
			rv = rv.Elem()
		}
		if len(rest) == 0 {
			switch rv.Kind() {
			case reflect.String:
				return strWithin(rv.String(), limit)
			case reflect.Slice:
				if rv.Type().Elem().Kind() == reflect.Uint8 {
					return rv.Len() <= limit
				}
				return rv.Len() <= boundListLen
			}
			return true
		}
		if rest[0].index == nil {
			if rv.Len() > boundListLen {
				return false
			}
			for i := 0; i < rv.Len(); i++ {
				if !within(rv.Index(i), rest[1:]) {
					return false
				}
			}
			return true
		}
		return within(rv.FieldByIndex(rest[0].index), rest[1:])
	}
	return func(v *Vars) bool { return within(root(v), steps) }, true
}

// strWithin reports whether s has at most max characters, CEL's size() of a string.
func strWithin(s string, max int) bool {
	return len(s) <= max || utf8.RuneCountInString(s) <= max
}
