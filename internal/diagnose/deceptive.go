package diagnose

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

// deceptiveNames names the characters that are invisible or change the direction
// of the text around them. In a name or a SAN they make what a page, a log or a
// terminal shows differ from what a rule compares: "CN=\u202Emoc.elpmaxe" reads as
// "CN=example.com". C1 controls (U+0080 to U+009F) are reported too; RFC 4514
// escaping, which docs/design.md fixes, covers only the C0 controls and DEL.
var deceptiveNames = map[rune]string{
	'\u00AD': "SOFT HYPHEN",
	'\u061C': "ARABIC LETTER MARK",
	'\u200B': "ZERO WIDTH SPACE",
	'\u200C': "ZERO WIDTH NON-JOINER",
	'\u200D': "ZERO WIDTH JOINER",
	'\u200E': "LEFT-TO-RIGHT MARK",
	'\u200F': "RIGHT-TO-LEFT MARK",
	'\u202A': "LEFT-TO-RIGHT EMBEDDING",
	'\u202B': "RIGHT-TO-LEFT EMBEDDING",
	'\u202C': "POP DIRECTIONAL FORMATTING",
	'\u202D': "LEFT-TO-RIGHT OVERRIDE",
	'\u202E': "RIGHT-TO-LEFT OVERRIDE",
	'\u2060': "WORD JOINER",
	'\u2066': "LEFT-TO-RIGHT ISOLATE",
	'\u2067': "RIGHT-TO-LEFT ISOLATE",
	'\u2068': "FIRST STRONG ISOLATE",
	'\u2069': "POP DIRECTIONAL ISOLATE",
	'\uFEFF': "ZERO WIDTH NO-BREAK SPACE",
}

// IsDeceptive reports whether r is invisible or changes the direction of the text
// around it, so that a page showing certificate text can mark it.
func IsDeceptive(r rune) bool {
	_, named := deceptiveNames[r]
	return named || r >= 0x80 && r <= 0x9F
}

// TerminalSafe escapes what a terminal would act on or hide in certificate text:
// control characters (C0, DEL, C1) as \XX, the DN's own style, so a certificate
// cannot move the cursor, clear the screen or hide text; and the invisible and
// text-reordering characters as <U+202E>, so it cannot make a name read as
// another. Rules still see the raw value; only the display is escaped.
func TerminalSafe(s string) string {
	control := func(r rune) bool { return r < 0x20 || r >= 0x7F && r <= 0x9F }
	if !strings.ContainsFunc(s, func(r rune) bool { return control(r) || IsDeceptive(r) }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case control(r):
			fmt.Fprintf(&b, "\\%02X", r)
		case IsDeceptive(r):
			fmt.Fprintf(&b, "<U+%04X>", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func deceptiveName(r rune) string {
	if n, ok := deceptiveNames[r]; ok {
		return n
	}
	return "C1 CONTROL"
}

// visible writes the deceptive characters of s as <U+202E>, so a message that
// quotes a name cannot itself be reordered or hide part of the name.
func visible(s string) string {
	if strings.IndexFunc(s, IsDeceptive) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if IsDeceptive(r) {
			fmt.Fprintf(&b, "<U+%04X>", r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// deceptive reports a certificate whose subject or subjectAltName holds characters
// that are invisible or reorder text.
func (d *diag) deceptive(i int, c *certinfo.Certificate) {
	var where []string
	seen := map[rune]bool{}
	var found []string
	note := func(field, value string) {
		hit := false
		for _, r := range value {
			if !IsDeceptive(r) {
				continue
			}
			hit = true
			if !seen[r] {
				seen[r] = true
				found = append(found, fmt.Sprintf("U+%04X %s", r, deceptiveName(r)))
			}
		}
		if hit && !slices.Contains(where, field) {
			where = append(where, field)
		}
	}
	for _, a := range c.Subject.Attributes {
		note("subject "+a.Type, a.Value)
	}
	for _, e := range c.SANEntries {
		kind, _, _ := strings.Cut(e, ":")
		note("SAN "+kind, e)
	}
	if len(where) == 0 {
		return
	}
	d.add(DeceptiveText, Warning, i, "match the exact value in rules (the JSON view writes these characters as \\u escapes) and do not trust how the name displays; ask the issuer to reissue the certificate without them",
		"%s has characters that are invisible or reorder the text around them in its %s (%s): what a page, a log or a terminal shows is not what a rule compares",
		who(i, c), strings.Join(where, ", "), strings.Join(found, ", "))
}
