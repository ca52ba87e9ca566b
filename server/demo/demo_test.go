package demo

import (
	"os"
	"testing"
	"time"
)

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/home/a/.local/state/mtlsplay/demo/ca/root.pem": "/home/a/.local/state/mtlsplay/demo/ca/root.pem",
		"/tmp/with space/x.pem":                          "'/tmp/with space/x.pem'",
		"/tmp/it's":                                      `'/tmp/it'\''s'`,
		"https://127.0.0.1:8443/c/demo/":                 "https://127.0.0.1:8443/c/demo/",
		"$(rm -rf /)":                                    "'$(rm -rf /)'",
	} {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestDemoRenewal: a demo whose certificates are about to expire is made again.
func TestDemoRenewal(t *testing.T) {
	state := t.TempDir()
	long := time.Now().Add(-5*365*24*time.Hour + 24*time.Hour) // the leaves expire tomorrow
	if _, made, err := Open(state, long); err != nil || !made {
		t.Fatalf("Open: made %v, %v", made, err)
	}
	if _, made, err := Open(state, time.Now()); err != nil || !made {
		t.Fatalf("Open with leaves about to expire: made %v, %v; want it made again", made, err)
	}
	if _, made, err := Open(state, time.Now()); err != nil || made {
		t.Fatalf("Open of a fresh demo: made %v, %v; want it reused", made, err)
	}
	entries, _ := os.ReadDir(state)
	if len(entries) != 1 || entries[0].Name() != "demo" {
		t.Errorf("state folder holds %v, want only demo", entries)
	}
}
