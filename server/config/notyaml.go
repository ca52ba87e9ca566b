package config

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// notAFileOf says what a file that is no YAML mapping is, when it is not one:
// a certificate or key given where a suite or config goes (mtlsplay test
// cert.pem), binary DER, a list or a bare word. YAML's own words for it ("cannot
// unmarshal !!str `-----BE...` into the config", "invalid leading UTF-8 octet")
// name neither the mistake nor the fix. what is "suite" or "config"; nil when
// the file is a mapping (its errors are then YAML's, with their line).
func notAFileOf(what string, data []byte) error {
	shape := "a suite is YAML with a list of cases and the clients they name (docs/suites.md)"
	if what == "config" {
		shape = "a config is YAML with a list of clients, and optionally tls, listen, authz and cases (docs/server.md)"
	}
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	switch {
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN ")):
		label, _, _ := bytes.Cut(trimmed[len("-----BEGIN "):], []byte("-----"))
		return fmt.Errorf("this is a PEM file (%s), not a %s: %s", printable(label), what, shape)
	case !utf8.Valid(data):
		return fmt.Errorf("this is binary (DER?), not a %s: %s", what, shape)
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind == yaml.MappingNode {
		return nil
	}
	kind := "one value"
	if doc.Content[0].Kind == yaml.SequenceNode {
		kind = "a list"
	}
	return fmt.Errorf("line %d: the file is %s, not a %s: %s", doc.Content[0].Line, kind, what, shape)
}

// printable keeps a PEM label short and plain for the message.
func printable(b []byte) string {
	if len(b) > 40 || !utf8.Valid(b) || bytes.ContainsAny(b, "\x00\r\n") {
		return "?"
	}
	return string(b)
}
