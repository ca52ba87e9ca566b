package span

import (
	"strings"
	"unicode/utf8"
)

// LineStarts returns the code point offset at which each line starts.
func LineStarts(src string) []int {
	starts := []int{0}
	n := 0
	for _, r := range src {
		n++
		if r == '\n' {
			starts = append(starts, n)
		}
	}
	return starts
}

// Snippet renders a source line and a caret under a 1-based column, in cel-go's
// style: dots before the caret, full-width ones under wide characters, so the caret
// lines up in a terminal.
func Snippet(src string, line, col int) string {
	start := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(src[start:], '\n')
		if i < 0 {
			return ""
		}
		start += i + 1
	}
	text := src[start:]
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	}
	rs := []rune(strings.ReplaceAll(strings.TrimSuffix(text, "\r"), "\t", " "))
	// A window around the column keeps a 5,000-character line readable.
	const window = 60
	prefix, suffix := "", ""
	if from := col - 1 - window; from > 0 {
		rs, col, prefix = rs[from:], col-from, "…"
	}
	if len(rs) > 2*window {
		rs, suffix = rs[:2*window], "…"
	}
	var b strings.Builder
	b.WriteString(" | ")
	b.WriteString(prefix + string(rs) + suffix)
	b.WriteString("\n | ")
	if prefix != "" {
		b.WriteString(".")
	}
	for i := 0; i < col-1 && i < len(rs); i++ {
		if utf8.RuneLen(rs[i]) > 1 {
			b.WriteString("\uff0e")
		} else {
			b.WriteByte('.')
		}
	}
	if col-1 < len(rs) && utf8.RuneLen(rs[col-1]) > 1 {
		b.WriteString("\uff3e")
	} else {
		b.WriteByte('^')
	}
	return b.String()
}
