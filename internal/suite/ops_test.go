package suite_test

import (
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/suite"
)

// TestCallListsTheBridgesOps: the bridge refuses an unknown operation with the
// operations it answers, the engine's and the suite's, and answers each it lists.
func TestCallListsTheBridgesOps(t *testing.T) {
	_, e := call[struct{}](t, "nope", struct{}{})
	want := `unknown operation "nope"; use inspect, read, decide, compile, eval, export, declarations, cases, suite_read or suite_write`
	if e == nil || e.Code != engine.CodeUnknownOp || e.Message != want {
		t.Errorf("suite.Call(nope) error = %+v, want %s %q", e, engine.CodeUnknownOp, want)
	}
	for _, op := range suite.Ops() {
		if e != nil && !strings.Contains(e.Message, " "+op) {
			t.Errorf("suite.Call(nope)'s message does not list %s", op)
		}
		if out := suite.Call(op, []byte(`{}`), fixedNow); strings.Contains(string(out), engine.CodeUnknownOp) {
			t.Errorf("suite.Call(%s) = %.200s: an operation the message lists is not answered", op, out)
		}
	}
}
