package metrics

import (
	"strings"
	"testing"
)

func TestMetricsLabelsEscaped(t *testing.T) {
	m := New(nil)
	m.Decided("a\"b\\c\nd", 0)
	if got := string(m.exposition()); !strings.Contains(got, `client="a\"b\\c\nd"`) {
		t.Errorf("label not escaped:\n%s", got)
	}
}
