package workato

import (
	"fmt"
	"regexp/syntax"
	"strings"
)

// Ruby's regular expressions (Onigmo) and CEL's (RE2) share most syntax but not
// all of it. rubyToRE2 rewrites what has an RE2 equivalent and refuses what RE2
// cannot match (lookaround, backreferences, atomic groups, possessive quantifiers),
// pointing at the construct.
//
// One difference is silent if left alone: in Ruby, ^ and $ always match at line
// boundaries, in RE2 only at the ends of the text unless (?m) is on. The
// translation turns (?m) on when the pattern uses ^ or $, so /^admin$/ means what
// it means in Ruby. Ruby's m flag (dot matches newline) is RE2's s.

// regexpError is a problem at pattern rune offsets [start, end).
type regexpError struct {
	start, end int
	msg        string
}

// rubyToRE2 converts a Ruby pattern with its flags (i, m, o, u) to RE2 syntax. The
// result is split in a flags group, such as "(?i)", and the pattern, so that a
// caller can anchor the pattern without the flags: (?i)\A(?:…).
func rubyToRE2(pattern, flags string) (prefix, body string, err *regexpError) {
	rs := []rune(pattern)
	var b strings.Builder
	lineAnchors := false
	fail := func(i, n int, format string, args ...any) (string, string, *regexpError) {
		return "", "", &regexpError{start: i, end: min(i+n, len(rs)), msg: fmt.Sprintf(format, args...)}
	}
	at := func(i int) rune {
		if i >= 0 && i < len(rs) {
			return rs[i]
		}
		return 0
	}
	inClass := false
	classStart := 0
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		if c == '\\' {
			n := at(i + 1)
			if n == 0 {
				return fail(i, 1, "the regexp ends with a lone backslash")
			}
			out, skip, e := escapeToRE2(rs, i, inClass)
			if e != nil {
				return "", "", e
			}
			b.WriteString(out)
			i += skip
			continue
		}
		if inClass {
			switch {
			case c == '[' && at(i+1) == ':':
				k := i + 2
				for k+1 < len(rs) && !(rs[k] == ':' && rs[k+1] == ']') {
					k++
				}
				if k+1 >= len(rs) {
					return fail(i, 2, "[: starts a POSIX class such as [:alpha:] but is not closed with :]")
				}
				b.WriteString(string(rs[i : k+2]))
				i = k + 1
			case c == '[':
				return fail(i, 1, "nested character classes ([a-z[0-9]]) are not supported by RE2, which CEL uses; list the ranges in one class: [a-z0-9]")
			case c == '&' && at(i+1) == '&':
				return fail(i, 2, "character class intersection (&&) is not supported by RE2, which CEL uses; list the characters you want")
			case c == ']' && i > classStart:
				inClass = false
				b.WriteRune(c)
			default:
				b.WriteRune(c)
			}
			continue
		}
		switch c {
		case '[':
			inClass = true
			b.WriteRune(c)
			classStart = i + 1
			if at(i+1) == '^' {
				b.WriteRune('^')
				i++
				classStart = i + 1
			}
		case '^', '$':
			lineAnchors = true
			b.WriteRune(c)
		case '(':
			if at(i+1) != '?' {
				b.WriteRune(c)
				continue
			}
			out, skip, e := groupToRE2(rs, i)
			if e != nil {
				return "", "", e
			}
			b.WriteString(out)
			i += skip
		case '*', '+', '?':
			b.WriteRune(c)
			if at(i+1) == '+' {
				return fail(i, 2, "possessive quantifiers (%c+) are not supported by RE2, which CEL uses; write %c (RE2 never backtracks, so it is just as fast)", c, c)
			}
		case '{':
			j := i + 1
			for j < len(rs) && (rs[j] >= '0' && rs[j] <= '9' || rs[j] == ',') {
				j++
			}
			if at(j) == '}' && j > i+1 && strings.Count(string(rs[i+1:j]), ",") <= 1 {
				inner := string(rs[i+1 : j])
				if strings.HasPrefix(inner, ",") { // Ruby's {,n} is {0,n}
					inner = "0" + inner
				}
				b.WriteString("{" + inner + "}")
				i = j
				if at(i+1) == '+' {
					return fail(i, 2, "possessive quantifiers ({n}+) are not supported by RE2, which CEL uses; drop the +")
				}
				continue
			}
			b.WriteString(`\{`) // Ruby reads a brace that is not a repetition literally
		case '}':
			b.WriteString(`\}`)
		default:
			b.WriteRune(c)
		}
	}
	if inClass {
		return fail(classStart-1, 1, "the character class [ is not closed: add ]")
	}
	var f strings.Builder
	if strings.ContainsRune(flags, 'i') {
		f.WriteByte('i')
	}
	if strings.ContainsRune(flags, 'm') {
		f.WriteByte('s')
	}
	if lineAnchors {
		f.WriteByte('m')
	}
	if f.Len() > 0 {
		prefix = "(?" + f.String() + ")"
	}
	body = b.String()
	if _, perr := syntax.Parse(prefix+body, syntax.Perl); perr != nil {
		msg := perr.Error()
		if e, ok := perr.(*syntax.Error); ok {
			msg = fmt.Sprintf("%s: %s", e.Code, e.Expr)
		}
		return "", "", &regexpError{start: 0, end: len(rs), msg: "the regexp is not valid in RE2, which CEL uses: " + msg}
	}
	return prefix, body, nil
}

// escapeToRE2 converts the escape at rs[i] (a backslash). It returns the RE2 text
// and how many runes after the backslash it consumed.
func escapeToRE2(rs []rune, i int, inClass bool) (string, int, *regexpError) {
	c := rs[i+1]
	fail := func(n int, format string, args ...any) (string, int, *regexpError) {
		return "", 0, &regexpError{start: i, end: min(i+n, len(rs)), msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case strings.ContainsRune("dDwWsSntrfva", c):
		return `\` + string(c), 1, nil
	case strings.ContainsRune("AzbB", c):
		if inClass {
			return fail(2, `\%c is an anchor and means nothing inside a character class`, c)
		}
		return `\` + string(c), 1, nil
	case c == 'Z':
		if inClass {
			return fail(2, `\Z is an anchor and means nothing inside a character class`)
		}
		// At the end, or before a final newline: matching that newline changes
		// nothing for match?, which only asks whether there is a match.
		return `(?:\n?\z)`, 1, nil
	case c == 'h':
		if inClass {
			return `0-9a-fA-F`, 1, nil
		}
		return `[0-9a-fA-F]`, 1, nil
	case c == 'H':
		if inClass {
			return fail(2, `\H inside a character class is not supported; list the characters you want`)
		}
		return `[^0-9a-fA-F]`, 1, nil
	case c == 'e':
		return `\x1B`, 1, nil
	case c == 'R':
		if inClass {
			return fail(2, `\R is not supported inside a character class`)
		}
		return `(?:\r\n|[\n\v\f\r\x{85}\x{2028}\x{2029}])`, 1, nil
	case c == '0':
		v, j := 0, i+2
		for ; j < len(rs) && j < i+4 && rs[j] >= '0' && rs[j] <= '7'; j++ {
			v = v*8 + int(rs[j]-'0')
		}
		return fmt.Sprintf(`\x{%X}`, v), j - i - 1, nil
	case c >= '1' && c <= '9':
		return fail(2, `backreferences (\%c) are not supported by RE2, which CEL uses: it cannot match a repeated group; spell the text out, or check it with a second condition`, c)
	case c == 'k':
		return fail(2, `named backreferences (\k<name>) are not supported by RE2, which CEL uses`)
	case c == 'g':
		return fail(2, `subexpression calls (\g<name>) are not supported by RE2, which CEL uses`)
	case c == 'K':
		return fail(2, `\K (keep) is not supported by RE2, which CEL uses`)
	case c == 'G':
		return fail(2, `\G is not supported by RE2, which CEL uses; anchor with \A`)
	case c == 'X':
		return fail(2, `\X (grapheme cluster) is not supported by RE2, which CEL uses`)
	case c == 'c' || c == 'C' || c == 'M':
		return fail(2, `control and meta escapes (\%c) are not supported; write \x1F-style hex escapes`, c)
	case c == 'u':
		j := i + 2
		if j < len(rs) && rs[j] == '{' {
			k := j + 1
			for k < len(rs) && isHex(rs[k]) {
				k++
			}
			if k == j+1 || k >= len(rs) || rs[k] != '}' || k-j-1 > 6 {
				return fail(k-i+1, `invalid Unicode escape: write \u{1F600} with one code point`)
			}
			return `\x{` + string(rs[j+1:k]) + `}`, k - i, nil
		}
		if j+4 > len(rs) {
			return fail(len(rs)-i, `invalid Unicode escape: \u takes four hex digits, as in \u00E9`)
		}
		for k := j; k < j+4; k++ {
			if !isHex(rs[k]) {
				return fail(k-i+1, `invalid Unicode escape: \u takes four hex digits, as in \u00E9`)
			}
		}
		return `\x{` + string(rs[j:j+4]) + `}`, 5, nil
	case c == 'x':
		j := i + 2
		for j < len(rs) && j < i+4 && isHex(rs[j]) {
			j++
		}
		if j == i+2 {
			return fail(2, `invalid hex escape \x: write \x41`)
		}
		return `\x{` + string(rs[i+2:j]) + `}`, j - i - 1, nil
	case c == 'p' || c == 'P':
		if i+2 < len(rs) && rs[i+2] == '{' {
			k := i + 3
			for k < len(rs) && rs[k] != '}' {
				k++
			}
			if k >= len(rs) {
				return fail(3, `\%c{ is not closed: add }`, c)
			}
			return string(rs[i : k+1]), k - i, nil
		}
		return `\` + string(c), 1, nil
	case c == '/':
		return `/`, 1, nil
	case c == '\n':
		return `\n`, 1, nil
	case c < 0x80 && !isLetter(c) && !(c >= '0' && c <= '9'):
		if c == ' ' || c == '#' {
			return string(c), 1, nil // RE2 refuses \ before these; they are literal anyway
		}
		return `\` + string(c), 1, nil
	case c >= 0x80:
		return string(c), 1, nil
	}
	return fail(2, `unknown escape \%c in the regexp`, c)
}

// groupToRE2 converts the group opener "(?…" at rs[i]. It returns the RE2 text and
// how many runes after the "(" it consumed.
func groupToRE2(rs []rune, i int) (string, int, *regexpError) {
	at := func(k int) rune {
		if k < len(rs) {
			return rs[k]
		}
		return 0
	}
	fail := func(n int, msg string) (string, int, *regexpError) {
		return "", 0, &regexpError{start: i, end: min(i+n, len(rs)), msg: msg}
	}
	switch c := at(i + 2); {
	case c == ':':
		return "(?:", 2, nil
	case c == '=' || c == '!':
		return fail(3, "lookahead ((?= …) and (?! …)) is not supported by RE2, which CEL uses; test the condition separately: s.match?(/a/) && !s.match?(/b/)")
	case c == '<' && (at(i+3) == '=' || at(i+3) == '!'):
		return fail(4, "lookbehind ((?<= …) and (?<! …)) is not supported by RE2, which CEL uses; match the text before it as part of the pattern, or test it separately")
	case c == '<' || c == '\'':
		closer := '>'
		if c == '\'' {
			closer = '\''
		}
		k := i + 3
		for k < len(rs) && isIdentPart(rs[k]) {
			k++
		}
		if at(k) != closer || k == i+3 {
			return fail(3, "invalid group name: write (?<name>…)")
		}
		return "(?P<" + string(rs[i+3:k]) + ">", k - i, nil
	case c == '>':
		return fail(3, "atomic groups ((?> …)) are not supported by RE2, which CEL uses; write (?: …) (RE2 never backtracks)")
	case c == '~':
		return fail(3, "the absent operator ((?~ …)) is not supported by RE2, which CEL uses")
	case c == '(':
		return fail(3, "conditional groups ((?(cond) …)) are not supported by RE2, which CEL uses")
	case c == '#':
		k := i + 3
		for k < len(rs) && rs[k] != ')' {
			k++
		}
		if k >= len(rs) {
			return fail(3, "the comment (?# is not closed: add )")
		}
		return "", k - i, nil
	}
	// Inline flags: (?i) (?m-i) (?i: …).
	var out strings.Builder
	out.WriteString("(?")
	k := i + 2
	for ; k < len(rs); k++ {
		switch rs[k] {
		case 'i', '-':
			out.WriteRune(rs[k])
		case 'm':
			out.WriteRune('s') // Ruby's m is RE2's s: dot matches newline
		case 'x':
			return fail(k-i+1, "the x (extended) flag is not supported in formulas; remove the white space and comments from the pattern")
		case ')', ':':
			out.WriteRune(rs[k])
			return out.String(), k - i, nil
		default:
			return fail(k-i+1, fmt.Sprintf("unsupported group syntax (?%c in the regexp", rs[k]))
		}
	}
	return fail(2, "the group (? is not closed")
}
