package dialect

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/mtlsplay/mtlsplay/internal/rule"
)

// plainError replaces the parser's words for three mistakes people make when they
// type a rule by hand, whatever the dialect: a single = ("token recognition error
// at: '= '"), typographic quotes pasted from a document or a chat ("unexpected
// character"), and text without quotes ("undeclared reference to 'client'"). Each
// becomes one issue at the mistake, saying what to write, with the edit that does
// it. Any other error is returned as it is.
func plainError(src string, err error) error {
	var ce *rule.CompileError
	if !errors.As(err, &ce) || len(ce.Issues) == 0 {
		return err
	}
	rs := []rune(src)
	if is, ok := smartQuoteIssue(rs); ok {
		return &rule.CompileError{Issues: []rule.Issue{is.Moved(src, is.Start, is.End)}}
	}
	if is, ok := singleEqualsIssue(rs); ok {
		return &rule.CompileError{Issues: []rule.Issue{is.Moved(src, is.Start, is.End)}}
	}
	if is, ok := unquotedIssue(rs, ce.Issues[0]); ok {
		return &rule.CompileError{Issues: []rule.Issue{is.Moved(src, is.Start, is.End)}}
	}
	return err
}

// isSmartQuote: the typographic quotes word processors, chat apps and web pages
// put where a person typed " or '.
func isSmartQuote(r rune) bool {
	switch r {
	case '“', '”', '„', '‟', '‘', '’', '‚', '‛', '«', '»':
		return true
	}
	return false
}

// outside calls f for each rune of rs outside plain quoted strings ("…", '…', with
// backslash escapes), and for the runes of a string that is never closed (where
// a typographic quote usually meant to close it); f returns false to stop.
func outside(rs []rune, f func(i int, inUnclosed bool) bool) {
	for i := 0; i < len(rs); i++ {
		q := rs[i]
		if q != '"' && q != '\'' {
			if !f(i, false) {
				return
			}
			continue
		}
		j := i + 1
		for ; j < len(rs) && rs[j] != q && rs[j] != '\n'; j++ {
			if rs[j] == '\\' {
				j++
			}
		}
		if j >= len(rs) || rs[j] != q { // never closed: look inside
			for k := i + 1; k < min(j, len(rs)); k++ {
				if !f(k, true) {
					return
				}
			}
		}
		i = j
	}
}

func smartQuoteIssue(rs []rune) (rule.Issue, bool) {
	first := -1
	var edits []rule.Edit
	outside(rs, func(i int, _ bool) bool {
		if isSmartQuote(rs[i]) {
			if first < 0 {
				first = i
			}
			edits = append(edits, rule.Edit{Start: i, End: i + 1, Replacement: `"`})
		}
		return true
	})
	if first < 0 {
		return rule.Issue{}, false
	}
	return rule.Issue{Severity: "error", Start: first, End: first + 1, Edits: edits,
		Message: fmt.Sprintf(`%c is a typographic quote (a word processor, chat app or web page put it there), not a string quote: write plain double quotes "…"`, rs[first]),
		Fix:     `replace the typographic quotes with "`}, true
}

func singleEqualsIssue(rs []rune) (rule.Issue, bool) {
	at := -1
	outside(rs, func(i int, unclosed bool) bool {
		if unclosed || rs[i] != '=' {
			return true
		}
		prev, next := rune(0), rune(0)
		if i > 0 {
			prev = rs[i-1]
		}
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		if strings.ContainsRune("=!<>", prev) || next == '=' || next == '~' {
			return true
		}
		at = i
		return false
	})
	if at < 0 {
		return rule.Issue{}, false
	}
	return rule.Issue{Severity: "error", Start: at, End: at + 1, Edits: []rule.Edit{{Start: at, End: at + 1, Replacement: "=="}},
		Message: "a single = is not a comparison: write == (" + fixedAround(rs, at, "==") + ")", Fix: "write == instead of ="}, true
}

// fixedAround is the line of rs around position at with rs[at] replaced: the
// comparison as its author will write it (CN == "x"), at most about 60
// characters, so the message shows their rule, not an example of another.
func fixedAround(rs []rune, at int, replacement string) string {
	start, end := at, at+1
	for start > 0 && rs[start-1] != '\n' && at-start < 30 {
		start--
	}
	for end < len(rs) && rs[end] != '\n' && end-at < 30 {
		end++
	}
	text := strings.TrimSpace(string(rs[start:at]) + replacement + string(rs[at+1:end]))
	if start > 0 && rs[start-1] != '\n' {
		text = "…" + text
	}
	if end < len(rs) && rs[end] != '\n' {
		text += "…"
	}
	return text
}

// unknownNameR matches the two dialects' words for a name that is not a variable.
var unknownNameR = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile("^(?:undeclared reference to '([^']*)'|unknown name `([^`]*)`)")
})

// sanTypes are the prefixes of SAN entries, which unquoted text often starts with.
var sanTypes = []string{"DNS", "URI", "IP", "Email", "email"}

func unquotedIssue(rs []rune, first rule.Issue) (rule.Issue, bool) {
	m := unknownNameR().FindStringSubmatch(first.Message)
	start := first.Start
	if m == nil {
		// SAN.include?(DNS:x): the parser stops at the ':' after a SAN type.
		if start <= 0 || start >= len(rs) || rs[start] != ':' {
			return rule.Issue{}, false
		}
		b := start
		for b > 0 && isWordRune(rs[b-1]) {
			b--
		}
		word := string(rs[b:start])
		found := false
		for _, t := range sanTypes {
			found = found || word == t
		}
		if !found {
			return rule.Issue{}, false
		}
		start = b
	} else if strings.Contains(first.Message, "did you mean") {
		return rule.Issue{}, false // a misspelt name, not text
	}
	if start < 0 || start >= len(rs) {
		return rule.Issue{}, false
	}
	end := start
	for end < len(rs) && (isWordRune(rs[end]) || strings.ContainsRune(".@:/-*", rs[end])) {
		end++
	}
	text := strings.TrimRight(string(rs[start:end]), ".:")
	end = start + len([]rune(text))
	if text == "" || !strings.ContainsAny(text, ".@:/-") && m == nil {
		return rule.Issue{}, false
	}
	quoted := `"` + text + `"`
	return rule.Issue{Severity: "error", Start: start, End: end, Edits: []rule.Edit{{Start: start, End: end, Replacement: quoted, Value: &text}},
		Message: fmt.Sprintf("%s is not a name the rule knows: to compare with text, put it in double quotes: %s", text, quoted),
		Fix:     "put the text in double quotes"}, true
}

func isWordRune(r rune) bool {
	return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}
