package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/suite"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

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
		if e := notAFileOf("suite", data); e != nil {
			return nil, &Error{File: path, Err: e}
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

// parseCases reads the cases (suite.ReadCases), their files relative to the
// config and their bundles loaded as the clients' are. The count was checked before.
func parseCases(cfg *Config, fcs []suite.FileCase, bundles *bundleSet) ([]*suite.Case, error) {
	rel := relativeTo(cfg.Path)
	names := make([]string, len(cfg.Clients))
	for i, c := range cfg.Clients {
		names[i] = c.Name
	}
	src := suite.Sources{
		File: cfg.Path,
		Client: func(name string) *engine.Client {
			if cl := cfg.Find(name); cl != nil {
				return &cl.Client
			}
			return nil
		},
		Clients:   names,
		ReadChain: func(name string) ([]byte, error) { return ReadFile(rel(name), "certificate") },
	}
	src.Bundle = func(fc *suite.FileCase, i int) (*trust.Bundle, error) {
		return bundles.load(fc.Bundles[i], i, fmt.Sprintf("case %q", fc.Name), false)
	}
	cases, err := suite.ReadCases(fcs, src)
	var se *suite.Error
	if errors.As(err, &se) {
		return nil, &Error{File: se.File, Case: se.Case, CaseIndex: se.CaseIndex, Field: se.Field, Err: se.Err}
	}
	return cases, err
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
