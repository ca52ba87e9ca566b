package workato

import (
	"fmt"
	"sort"
)

// Error is why a formula cannot be translated: a syntax error, an unknown name, a
// type that does not fit, or a construct outside the supported subset. Positions
// count Unicode code points, as an editor shows them.
type Error struct {
	Line   int // 1-based
	Column int // 1-based
	// Start and End are the 0-based code point offsets of what to underline.
	Start, End int
	Message    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("formula:%d:%d: %s", e.Line, e.Column, e.Message)
}

// positions converts code point offsets to lines and columns.
type positions []int // code point offset at which each line starts

func newPositions(rs []rune) positions {
	p := positions{0}
	for i, r := range rs {
		if r == '\n' {
			p = append(p, i+1)
		}
	}
	return p
}

// lineCol returns the 1-based line and column of a code point offset.
func (p positions) lineCol(off int) (int, int) {
	i := sort.Search(len(p), func(i int) bool { return p[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return i + 1, off - p[i] + 1
}
