package site

import (
	"fmt"
	"html"
	"strings"
	"unicode/utf8"
)

// A port of web/ts/dom.ts's h(): the first paint's markup (firstpaint.go) is built
// call for call as web/ts/render.ts builds the DOM, so that the two read side by side
// and TestFirstPaintIsTheEngines can hold them equal. Every string child is text,
// escaped here; only markup made by h is written as it is.

// markup is HTML made by h: safe to write as it is.
type markup string

// noAttr leaves an attribute out, as undefined does in h's attrs.
const noAttr = "\x00"

// h is dom.ts's h: attrs are name, value pairs in the order they are set; children
// are strings (text), markup, []markup or nil.
func h(tag string, attrs []string, children ...any) markup {
	var b strings.Builder
	b.WriteString("<" + tag)
	for i := 0; i+1 < len(attrs); i += 2 {
		if attrs[i+1] == noAttr {
			continue
		}
		b.WriteString(" " + attrs[i] + `="` + html.EscapeString(attrs[i+1]) + `"`)
	}
	b.WriteString(">")
	writeChildren(&b, children)
	b.WriteString("</" + tag + ">")
	return markup(b.String())
}

// a is attrs: h(tag, a("class", "x"), …).
func a(kv ...string) []string { return kv }

func writeChildren(b *strings.Builder, children []any) {
	for _, c := range children {
		switch c := c.(type) {
		case nil:
		case string:
			b.WriteString(string(textNode(c)))
		case markup:
			b.WriteString(string(c))
		case []markup:
			for _, m := range c {
				b.WriteString(string(m))
			}
		case []any:
			writeChildren(b, c)
		default:
			panic(fmt.Sprintf("site: h: child of type %T", c))
		}
	}
}

// cat joins children into one markup (a fragment).
func cat(children ...any) markup {
	var b strings.Builder
	writeChildren(&b, children)
	return markup(b.String())
}

// isDeceptive is dom.ts's DECEPTIVE: characters that are invisible or reorder the
// text around them.
func isDeceptive(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9F, r == 0xAD, r == 0x61C, r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E, r == 0x2060, r >= 0x2066 && r <= 0x2069, r == 0xFEFF:
		return true
	}
	return false
}

// textNode is dom.ts's textNode: the text, each deceptive character in a span that
// shows its code point.
func textNode(s string) markup {
	if !strings.ContainsFunc(s, isDeceptive) {
		return markup(html.EscapeString(s))
	}
	var b strings.Builder
	for _, r := range s {
		if !isDeceptive(r) {
			b.WriteString(html.EscapeString(string(r)))
			continue
		}
		cp := fmt.Sprintf("U+%04X", r)
		b.WriteString(`<span class="deceptive" data-cp="` + cp + `" title="` + html.EscapeString(cp+": an invisible or text-reordering character; rules compare it, most displays hide it") + `">` + string(r) + `</span>`)
	}
	return markup(b.String())
}

// copyButton is dom.ts's copyButton: it copies the value it follows, through the
// document's listener that boot.js adds (web/ts/copy.ts), from the first paint.
func copyButton(what string) markup {
	return h("button", a("type", "button", "class", "copy", "aria-label", "Copy "+what, "title", "Copy "+what, "data-label", "Copy"))
}

// span is a code-point range, as the engine's diffs and matches give them.
type span [2]int

// markRanges is dom.ts's markRanges.
func markRanges(text string, ranges []span) []any {
	cps := []rune(text)
	on := make([]bool, len(cps))
	carets := map[int]bool{}
	for _, r := range ranges {
		if r[0] == r[1] && r[0] >= 0 && r[0] <= len(cps) {
			carets[r[0]] = true
		}
		for i := max(r[0], 0); i < min(r[1], len(cps)); i++ {
			on[i] = true
		}
	}
	caret := func() markup { return h("mark", a("class", "missing", "title", "characters missing here"), "‸") }
	var out []any
	for i := 0; i < len(cps); {
		if carets[i] {
			out = append(out, caret())
		}
		j := i + 1
		for j < len(cps) && on[j] == on[i] && !carets[j] {
			j++
		}
		s := string(cps[i:j])
		if on[i] {
			out = append(out, h("mark", nil, s))
		} else {
			out = append(out, s)
		}
		i = j
	}
	if carets[len(cps)] {
		out = append(out, caret())
	}
	return out
}

// utf16Len and utf16Prefix measure and cut strings as JavaScript does.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func utf16Prefix(s string, n int) string {
	k := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if k+w > n {
			if k < n { // half a surrogate pair, as slice() leaves it
				return s[:i] + string(utf8.RuneError)
			}
			return s[:i]
		}
		k += w
	}
	return s
}

// encodeURIComponent is JavaScript's, for the finding ids in links.
func encodeURIComponent(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
