package site_test

import (
	"testing"
	"time"
)

// TestServeOwnOpensFromLink: /try/ links the playground's "Serve it yourself" as
// index.html#serve-own; the panel is open when the page arrives there (no click)
// and writes the config of what the playground shows, and it opens again when
// the address names it later.
func TestServeOwnOpensFromLink(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	tb.open(e, "index.html#serve-own")
	if !eval[bool](tb, `document.getElementById("serve-own").open`) {
		t.Fatalf("index.html#serve-own: the Serve it yourself panel is closed")
	}
	p := tb.serveOwn()
	if len(p.Files) == 0 || p.Client == "" {
		t.Fatalf("the panel opened by its link wrote nothing: %+v", p)
	}
	parseOwnConfig(t, p.Files[0].Text)

	other := e.newTab(t)
	other.open(e, "")
	if eval[bool](other, `document.getElementById("serve-own").open`) {
		t.Errorf("the playground without #serve-own opens the panel")
	}
	eval[string](other, `location.hash = "serve-own"`)
	poll[bool](other, `document.getElementById("serve-own").open || null`, 5*time.Second)
	tb.noErrors()
	other.noErrors()
}
