package echo

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzAppendJSONString: the echo's hand-written JSON strings decode to what they
// encode, and escape exactly what encoding/json escapes.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `"quoted" \ back`, "<img src=x>&", "ctl\x00\x1f\x7f\b\f", "bad \xff utf8", "sep \u2028 \u2029", "zoë 東京 🙂"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendJSONString(nil, s)
		want, _ := json.Marshal(s)
		if !bytes.Equal(got, want) {
			t.Fatalf("appendJSONString(%q) = %s, encoding/json says %s", s, got, want)
		}
	})
}
