//go:build !inspector

package engine

import (
	"strings"
	"testing"
)

// TestUnknownOpListsTheOps: an unknown operation is refused with exactly the
// operations Call answers, and each of those it lists is answered.
func TestUnknownOpListsTheOps(t *testing.T) {
	e := errorOf(t, Call("frob", []byte(`{}`), testNow))
	want := `unknown operation "frob"; use inspect, read, decide, compile, eval, export or declarations`
	if e.Code != CodeUnknownOp || e.Message != want {
		t.Errorf("Call(frob) error = %+v, want %s %q", e, CodeUnknownOp, want)
	}
	for _, op := range Ops() {
		if !strings.Contains(e.Message, " "+op) {
			t.Errorf("Call(frob)'s message %q does not list %s", e.Message, op)
		}
		if out := Call(op, []byte(`{}`), testNow); strings.Contains(string(out), CodeUnknownOp) {
			t.Errorf("Call(%s) = %s: an operation the message lists is not answered", op, out)
		}
	}
}
