package decisionmemo

import (
	"testing"
	"time"
)

type sized int

func (s sized) Size() int { return int(s) }

// TestMemo: a decision is remembered within its second only, none over
// MaxDecisionBytes, at most MaxDecisions and MaxBytes a second.
func TestMemo(t *testing.T) {
	var m Memo[int, sized]
	t0 := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	t1 := t0.Add(time.Second)
	m.Put(1, t0, 100)
	if v, ok := m.Get(1, t0); !ok || v != 100 {
		t.Errorf("Get in the same second = %v, %v", v, ok)
	}
	if _, ok := m.Get(1, t1); ok {
		t.Errorf("a decision of the previous second was given")
	}
	m.Put(2, t1, MaxDecisionBytes+1)
	if _, ok := m.Get(2, t1); ok || m.Len() != 0 {
		t.Errorf("a decision over MaxDecisionBytes was kept (len %d)", m.Len())
	}
	for i := range MaxDecisions + 10 {
		m.Put(i, t1, 1)
	}
	if m.Len() != MaxDecisions {
		t.Errorf("%d decisions kept, want %d", m.Len(), MaxDecisions)
	}
	t2 := t1.Add(time.Second)
	for i := range 200 {
		m.Put(i, t2, MaxDecisionBytes)
	}
	if n := m.Len(); n != MaxBytes/MaxDecisionBytes {
		t.Errorf("%d decisions of %d bytes kept, want %d", n, MaxDecisionBytes, MaxBytes/MaxDecisionBytes)
	}
}
