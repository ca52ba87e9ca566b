package suite

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/dialect"
	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

// FileCase is one case as a suite file writes it (docs/suites.md), in a suite
// file, in the server's config or pasted into the page.
type FileCase struct {
	Name   string `yaml:"name"`
	Client string `yaml:"client"`
	// Bundles, Rule and Dialect are a client given in the case itself. A nil
	// Bundles is none given; "bundles: []" is a client without bundles (4016).
	Bundles []BundleEntry `yaml:"bundles"`
	Rule    string        `yaml:"rule"`
	Dialect string        `yaml:"dialect"`
	Chain   string        `yaml:"chain"` // a file, or PEM written in the case; "" presents none
	At      string        `yaml:"at"`
	// Expect is a code, or {code, reason, finding}: read by hand (ReadExpect)
	// so its errors name the case.
	Expect yaml.Node `yaml:"expect"`
}

// BundleEntry is one entry of a bundles list, in a suite or the server's config:
// a file's name, PEM written in the list, or {name, pem}, PEM with the name the
// bundle goes by (the page's export writes each bundle so, and a decision's
// reason quotes bundles by name).
type BundleEntry struct {
	Name string // "" unless given as {name, pem}
	Text string // the file's name, or the PEM
}

// MaxBundleNameBytes bounds a bundle's name, which reasons and reports quote.
const MaxBundleNameBytes = 200

// UnmarshalYAML reads a scalar (a file or PEM) or {name, pem}, and nothing else.
func (b *BundleEntry) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Decode(&b.Text)
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: a bundle's %s is text", v.Line, k.Value)
			}
			switch k.Value {
			case "name":
				b.Name = v.Value
			case "pem":
				b.Text = v.Value
			default:
				return fmt.Errorf("line %d: unknown field %q in a bundle (a bundle is a file, PEM, or {name, pem})", k.Line, k.Value)
			}
		}
		switch name := strings.TrimSpace(b.Name); {
		case !IsInlinePEM(b.Text): // a pem left out is empty
			return fmt.Errorf("line %d: a bundle written as {name, pem} needs its PEM in pem", n.Line)
		case name == "":
			return fmt.Errorf("line %d: a bundle written as {name, pem} needs a name", n.Line)
		case len(name) > MaxBundleNameBytes:
			return fmt.Errorf("line %d: a bundle's name is %d bytes; at most %d", n.Line, len(name), MaxBundleNameBytes)
		default:
			b.Name = name
		}
		return nil
	}
	return fmt.Errorf("line %d: a bundle is a file, PEM, or {name, pem}", n.Line)
}

// InlineClient names the client a case gives in its own bundles and rule.
const InlineClient = "inline"

// IsInlinePEM reports whether a chain or bundle value is PEM written in the
// suite rather than a file's name: a file name holds neither.
func IsInlinePEM(s string) bool {
	return strings.Contains(s, "-----BEGIN") || strings.Contains(s, "\n")
}

// Sources is how a reader resolves what cases name: the CLI and serve read
// files relative to the suite; the page has no files, only PEM in the suite.
type Sources struct {
	File string // names the suite in errors
	// Client is the configured client of that name, or nil; Clients lists
	// the names for the message when it is nil.
	Client  func(name string) *engine.Client
	Clients []string
	// Bundle is the i-th (from 0) of case c's bundles: a file, or inline PEM
	// (IsInlinePEM). Its error names the bundle.
	Bundle func(c *FileCase, i int) (*trust.Bundle, error)
	// ReadChain reads a chain file as written in the case; nil refuses files.
	ReadChain func(name string) ([]byte, error)
}

// Error is a problem with one case of a suite (or the suite as a whole when
// Case and CaseIndex are empty), said in one line: the file, the case, the
// problem.
type Error struct {
	File      string
	Case      string // the case's name; "" when it has none
	CaseIndex int    // its position in cases, from 1
	Field     string // name, client, bundles, rule, dialect, chain, at, expect…
	Err       error
}

func (e *Error) Error() string {
	who := ""
	switch {
	case e.Case != "":
		who = fmt.Sprintf("case %q: ", e.Case)
	case e.CaseIndex > 0:
		who = fmt.Sprintf("case %d: ", e.CaseIndex)
	}
	return e.File + ": " + who + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// ReadCases reads every case: its client, its chain (each file parsed once),
// its time and its expectation. The caller bounds the count (MaxCases).
func ReadCases(fcs []FileCase, src Sources) ([]*Case, error) {
	type parsed struct {
		certs []*certinfo.Certificate
		err   error
	}
	chains := map[string]parsed{} // by name as written
	names := map[string]bool{}
	out := make([]*Case, 0, len(fcs))
	for i, fc := range fcs {
		cfail := func(field, format string, args ...any) error {
			return &Error{File: src.File, Case: fc.Name, CaseIndex: i + 1, Field: field, Err: fmt.Errorf(format, args...)}
		}
		switch {
		case strings.TrimSpace(fc.Name) == "":
			return nil, cfail("name", "has no name; every case needs one, for its report")
		case len(fc.Name) > MaxNameBytes:
			return nil, &Error{File: src.File, CaseIndex: i + 1, Field: "name", Err: fmt.Errorf("the name is %d bytes; at most %d", len(fc.Name), MaxNameBytes)}
		case names[fc.Name]:
			return nil, cfail("name", "is a second case of that name; names must be unique, so that a report names one case")
		}
		names[fc.Name] = true
		c := &Case{Name: fc.Name, File: src.File}

		inline := fc.Bundles != nil || fc.Rule != "" || fc.Dialect != ""
		switch {
		case fc.Client != "" && inline:
			return nil, cfail("client", "names client %q and gives bundles, rule or dialect too; give one or the other", fc.Client)
		case fc.Client != "":
			var cl *engine.Client
			if src.Client != nil {
				cl = src.Client(fc.Client)
			}
			if cl == nil {
				known := "none are configured"
				if len(src.Clients) > 0 {
					known = "known: " + strings.Join(src.Clients, ", ")
				}
				return nil, cfail("client", "client %q is not in clients (%s)", fc.Client, known)
			}
			c.ClientName, c.Client = fc.Client, cl
		case inline:
			if len(fc.Bundles) > policy.MaxBundles {
				return nil, cfail("bundles", "lists %d bundles; a client selects at most %d", len(fc.Bundles), policy.MaxBundles)
			}
			cl := &engine.Client{Client: policy.Client{Name: InlineClient}}
			for j := range fc.Bundles {
				b, err := src.Bundle(&fc, j)
				if err != nil {
					return nil, cfail("bundles", "%w", err)
				}
				cl.Bundles = append(cl.Bundles, b)
			}
			if strings.TrimSpace(fc.Rule) != "" {
				r, err := engine.CompileRule(fc.Rule, fc.Dialect)
				if err != nil {
					return nil, cfail("rule", "%w", err)
				}
				cl.SetRule(r)
			} else if err := knownDialect(fc.Dialect); err != nil {
				return nil, cfail("dialect", "%w", err)
			}
			c.ClientName, c.Client = InlineClient, cl
		}

		switch chain := fc.Chain; {
		case chain == "":
		case IsInlinePEM(chain):
			certs, err := ParseInlineChain(chain)
			if err != nil {
				return nil, cfail("chain", "%v", err)
			}
			c.Chain, c.ChainSource = certs, "inline"
		case src.ReadChain == nil:
			return nil, cfail("chain", "chain %s: a file name, and files are not read here; write the chain's PEM in the case (chain: |)", chain)
		default:
			got, ok := chains[chain]
			if !ok {
				data, err := src.ReadChain(chain)
				if err == nil {
					got.certs, err = engine.ParseChain(chain, data)
					if err != nil {
						err = fmt.Errorf("chain %v", err)
					}
					if err == nil && len(got.certs) == 0 {
						err = fmt.Errorf("chain %s: holds no certificate; leave chain out for a client that presents none", chain)
					}
				} else {
					err = fmt.Errorf("chain %s: %v", chain, err)
				}
				got.err = err
				chains[chain] = got
			}
			if got.err != nil {
				return nil, cfail("chain", "%v", got.err)
			}
			c.Chain, c.ChainSource = got.certs, chain
		}

		if fc.At != "" {
			at, err := engine.ParseTime(fc.At, nil)
			if err != nil {
				return nil, cfail("at", "at: %v", err)
			}
			c.At = at
		}
		exp, err := ReadExpect(&fc.Expect)
		if err != nil {
			return nil, cfail("expect", "expect: %v", err)
		}
		c.Expect = exp
		out = append(out, c)
	}
	return out, nil
}

// ParseInlineChain parses a chain written in a case as PEM.
func ParseInlineChain(pem string) ([]*certinfo.Certificate, error) {
	certs, err := engine.ParseChain("chain", []byte(pem))
	if err == nil && len(certs) == 0 {
		err = errors.New("chain: holds no certificate; leave chain out for a client that presents none")
	}
	return certs, err
}

// expectFields are the fields of an expectation written as a map.
var expectFields = []string{"code", "reason", "finding"}

// ReadExpect reads an expectation: a code, or {code, reason, finding}.
func ReadExpect(n *yaml.Node) (Expect, error) {
	var e Expect
	switch n.Kind {
	case 0:
		return e, errors.New("missing: say the code the case must get (expect: 0), or {code: 4018, reason: \"…\", finding: expired}")
	case yaml.ScalarNode:
		code, err := readCode(n)
		e.Code = code
		return e, err
	case yaml.MappingNode:
	default:
		return e, fmt.Errorf("line %d: write a code (expect: 0) or a map {code, reason, finding}", n.Line)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			return e, fmt.Errorf("line %d: %s is given twice", k.Line, k.Value)
		}
		seen[k.Value] = true
		if v.Kind != yaml.ScalarNode {
			return e, fmt.Errorf("line %d: %s must be a single value", v.Line, k.Value)
		}
		switch k.Value {
		case "code":
			code, err := readCode(v)
			if err != nil {
				return e, err
			}
			e.Code = code
		case "reason":
			if v.Value == "" {
				return e, fmt.Errorf("line %d: reason is empty; leave it out to accept any reason", v.Line)
			}
			e.Reason = v.Value
		case "finding":
			if !KnownFinding(v.Value) {
				return e, fmt.Errorf("line %d: %q is not a finding id (known: %s)", v.Line, v.Value, strings.Join(FindingIDs, ", "))
			}
			e.Finding = v.Value
		default:
			return e, fmt.Errorf("line %d: unknown field %q (known here: %s)", k.Line, k.Value, strings.Join(expectFields, ", "))
		}
	}
	if !seen["code"] {
		return e, fmt.Errorf("line %d: code is missing; the code is what a case checks first", n.Line)
	}
	return e, nil
}

// readCode reads a decision code from a scalar.
func readCode(n *yaml.Node) (int, error) {
	code, err := strconv.Atoi(n.Value)
	if err != nil || !KnownCode(code) {
		return 0, fmt.Errorf("line %d: %q is not a decision code (0, 4016, 4017, 4018, 4019 or 4020)", n.Line, n.Value)
	}
	return code, nil
}

// knownDialect checks a dialect given without a rule, which compiling would
// otherwise check.
func knownDialect(name string) error {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case dialect.CEL, dialect.Workato, dialect.Auto, "":
		return nil
	}
	return &dialect.UnknownDialectError{Dialect: name}
}
