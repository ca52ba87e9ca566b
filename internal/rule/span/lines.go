package span

import "github.com/mtlsplay/mtlsplay/internal/rule/ruletypes"

// LineStarts returns the code point offset at which each line starts.
func LineStarts(src string) []int { return ruletypes.LineStarts(src) }

// Snippet renders a source line and a caret under a 1-based column (ruletypes.Snippet).
func Snippet(src string, line, col int) string { return ruletypes.Snippet(src, line, col) }
