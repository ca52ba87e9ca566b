package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/dialect"
	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/suite"
)

// fileCase is one case of a suite (docs/suites.md), in a suite file or in the
// server's config.
type fileCase struct {
	Name   string `yaml:"name"`
	Client string `yaml:"client"`
	// Bundles, Rule and Dialect are a client given in the case itself. A nil
	// Bundles is none given; "bundles: []" is a client without bundles (4016).
	Bundles []string `yaml:"bundles"`
	Rule    string   `yaml:"rule"`
	Dialect string   `yaml:"dialect"`
	Chain   string   `yaml:"chain"` // a file, or PEM written in the case; "" presents none
	At      string   `yaml:"at"`
	// Expect is a code, or {code, reason, finding}: read by hand (readExpect)
	// so its errors name the case.
	Expect yaml.Node `yaml:"expect"`
}

// expectFields are the fields of an expectation written as a map.
var expectFields = []string{"code", "reason", "finding"}

// inlineClient names the client a case gives in its own bundles and rule.
const inlineClient = "inline"

// LoadSuite reads a suite file: clients and cases, or a server config, whose
// cases it reads with the whole config checked as serve checks it (like nginx
// -t). A file that cannot be read at all is a plain error; a problem in its
// content is an *Error.
func LoadSuite(path string, now time.Time) (*Config, error) {
	data, err := ReadFile(path, "YAML")
	if err != nil {
		return nil, fmt.Errorf("suite %s: %w", path, err)
	}
	return ParseSuite(path, data, now)
}

// ParseSuite is LoadSuite on the file's content; path names it and anchors the
// relative paths inside it. A file with a tls or listen section is a server
// config and is parsed by Parse.
func ParseSuite(path string, data []byte, now time.Time) (*Config, error) {
	var fc fileConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(&fc)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: path, Err: errors.New("the file is empty; a suite needs a list of cases")}
		}
		return nil, yamlError(path, data, err)
	}
	var cfg *Config
	if fc.TLS != (fileTLS{}) || fc.Listen != (fileListen{}) {
		if cfg, err = Parse(path, data, now); err != nil {
			return nil, err
		}
	} else {
		if len(fc.Cases) > suite.MaxCases {
			return nil, &Error{File: path, Field: "cases", Err: fmt.Errorf("%d cases; a file holds at most %d (split the suite into several files)", len(fc.Cases), suite.MaxCases)}
		}
		cfg = &Config{Path: path, byName: map[string]*Client{}}
		if err := cfg.parseClients(fc, now); err != nil {
			return nil, err
		}
	}
	// A suite that tests nothing passes, which a CI step must not take for a
	// suite that passed.
	if len(cfg.Cases) == 0 {
		return nil, &Error{File: path, Field: "cases", Err: errors.New("no cases: a suite lists cases (name, client, chain, expect)")}
	}
	return cfg, nil
}

// parseCases reads every case: its client, its chain (each file parsed once),
// its time and its expectation. The count was checked before.
func parseCases(cfg *Config, fcs []fileCase, bundles *bundleSet) ([]*suite.Case, error) {
	rel := relativeTo(cfg.Path)
	type parsed struct {
		certs []*certinfo.Certificate
		err   error
	}
	chains := map[string]parsed{} // by resolved path
	names := map[string]bool{}
	out := make([]*suite.Case, 0, len(fcs))
	for i, fc := range fcs {
		cfail := func(field, format string, args ...any) error {
			return &Error{File: cfg.Path, Case: fc.Name, CaseIndex: i + 1, Field: field, Err: fmt.Errorf(format, args...)}
		}
		switch {
		case strings.TrimSpace(fc.Name) == "":
			return nil, cfail("name", "has no name; every case needs one, for its report")
		case len(fc.Name) > suite.MaxNameBytes:
			return nil, &Error{File: cfg.Path, CaseIndex: i + 1, Field: "name", Err: fmt.Errorf("the name is %d bytes; at most %d", len(fc.Name), suite.MaxNameBytes)}
		case names[fc.Name]:
			return nil, cfail("name", "is a second case of that name; names must be unique, so that a report names one case")
		}
		names[fc.Name] = true
		c := &suite.Case{Name: fc.Name, File: cfg.Path}

		inline := fc.Bundles != nil || fc.Rule != "" || fc.Dialect != ""
		switch {
		case fc.Client != "" && inline:
			return nil, cfail("client", "names client %q and gives bundles, rule or dialect too; give one or the other", fc.Client)
		case fc.Client != "":
			cl := cfg.Find(fc.Client)
			if cl == nil {
				return nil, cfail("client", "client %q is not in clients (%s)", fc.Client, clientNames(cfg))
			}
			c.ClientName, c.Client = cl.Name, &cl.Client
		case inline:
			if len(fc.Bundles) > policy.MaxBundles {
				return nil, cfail("bundles", "lists %d bundles; a client selects at most %d", len(fc.Bundles), policy.MaxBundles)
			}
			cl := &engine.Client{Client: policy.Client{Name: inlineClient}}
			for _, name := range fc.Bundles {
				b, err := bundles.load(name, fmt.Sprintf("case %q", fc.Name), false)
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
			c.ClientName, c.Client = inlineClient, cl
		}

		switch chain := fc.Chain; {
		case chain == "":
		case strings.Contains(chain, "-----BEGIN") || strings.Contains(chain, "\n"):
			certs, err := engine.ParseChain("chain", []byte(chain))
			if err == nil && len(certs) == 0 {
				err = errors.New("chain: holds no certificate; leave chain out for a client that presents none")
			}
			if err != nil {
				return nil, cfail("chain", "%v", err)
			}
			c.Chain, c.ChainSource = certs, "inline"
		default:
			p := rel(chain)
			got, ok := chains[p]
			if !ok {
				data, err := ReadFile(p, "certificate")
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
				chains[p] = got
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
		exp, err := readExpect(&fc.Expect)
		if err != nil {
			return nil, cfail("expect", "expect: %v", err)
		}
		c.Expect = exp
		out = append(out, c)
	}
	return out, nil
}

// readExpect reads an expectation: a code, or {code, reason, finding}.
func readExpect(n *yaml.Node) (suite.Expect, error) {
	var e suite.Expect
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
			if !suite.KnownFinding(v.Value) {
				return e, fmt.Errorf("line %d: %q is not a finding id (known: %s)", v.Line, v.Value, strings.Join(suite.FindingIDs, ", "))
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
	if err != nil || !suite.KnownCode(code) {
		return 0, fmt.Errorf("line %d: %q is not a decision code (0, 4016, 4017, 4018, 4019 or 4020)", n.Line, n.Value)
	}
	return code, nil
}

// clientNames lists the configured clients for a message.
func clientNames(cfg *Config) string {
	if len(cfg.Clients) == 0 {
		return "none are configured"
	}
	names := make([]string, len(cfg.Clients))
	for i, c := range cfg.Clients {
		names[i] = c.Name
	}
	return "known: " + strings.Join(names, ", ")
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

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// yamlError is a YAML decoding error as one line, naming the case when the
// line it points at is inside one (an unknown field in a case, a list where a
// value goes).
func yamlError(path string, data []byte, err error) *Error {
	e := &Error{File: path, Err: errors.New(yamlMessage(err))}
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		e.CaseIndex, e.Case = caseAt(data, line)
		if m := yamlFieldRE.FindStringSubmatch(err.Error()); m != nil {
			e.Field = m[2]
		}
	}
	return e
}

// caseAt is the position (from 1) and name of the case whose lines hold line;
// 0 when line is not inside the cases.
func caseAt(data []byte, line int) (int, string) {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return 0, ""
	}
	top := doc.Content[0].Content
	for i := 0; i+1 < len(top); i += 2 {
		if top[i].Value != "cases" {
			continue
		}
		cases, end := top[i+1], math.MaxInt
		if i+2 < len(top) {
			end = top[i+2].Line
		}
		if cases.Kind != yaml.SequenceNode || line < cases.Line || line >= end {
			return 0, ""
		}
		index, name := 0, ""
		for j, item := range cases.Content {
			if item.Line > line {
				break
			}
			index, name = j+1, ""
			for k := 0; k+1 < len(item.Content); k += 2 {
				if item.Kind == yaml.MappingNode && item.Content[k].Value == "name" {
					name = item.Content[k+1].Value
				}
			}
		}
		return index, name
	}
	return 0, ""
}
