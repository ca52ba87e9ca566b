package htmlpage

import "testing"

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
