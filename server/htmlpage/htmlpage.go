// Package htmlpage holds what the server's own HTML pages share: the HTML echo's
// stylesheet and its Content-Security-Policy, the icon of /try/ (which is in the
// site's layout, web/site) and the helpers both templates call.
package htmlpage

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// CSS styles the HTML echo, which inlines it and allows exactly it by hash in its
// CSP (InlineCSP): the echo's listener serves no other file.
const CSS = `:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#59636e;--line:#d1d9e0;--ok:#1a7f37;--bad:#cf222e;--code:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--line:#3d444d;--ok:#3fb950;--bad:#f85149;--code:#151b23}}
body{font:15px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg);max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem;border-bottom:1px solid var(--line)}
code,pre,td.v{font-family:ui-monospace,monospace;font-size:.9em;overflow-wrap:anywhere}
pre{background:var(--code);padding:.6rem;overflow-x:auto;white-space:pre-wrap}
table{border-collapse:collapse;width:100%}td,th{text-align:left;vertical-align:top;padding:.2rem .5rem;border-bottom:1px solid var(--line)}
th{color:var(--muted);font-weight:500;width:12rem}
.ok{color:var(--ok)}.bad{color:var(--bad)}.code{font-size:1.6rem;font-weight:700}
.muted{color:var(--muted)}ul{margin:.2rem 0;padding-left:1.2rem}
mark.gap::before{content:"‸"}.deceptive{unicode-bidi:isolate}.deceptive::before{content:"⟨" attr(data-cp) "⟩";color:var(--bad);font-size:.8em}`

// FaviconSVG is /try/'s icon: a padlock in the stylesheet's green.
const FaviconSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect x="2" y="7" width="12" height="8" rx="1.5" fill="#1a7f37"/><path d="M5 7V5a3 3 0 0 1 6 0v2" fill="none" stroke="#1a7f37" stroke-width="2"/></svg>`

// InlineCSP is the Content-Security-Policy of a page that inlines CSS: it allows
// that stylesheet and nothing else.
var InlineCSP = func() string {
	sum := sha256.Sum256([]byte(CSS))
	return fmt.Sprintf("default-src 'none'; style-src 'sha256-%s'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'", base64.StdEncoding.EncodeToString(sum[:]))
}()

// JoinOr joins values with commas, or says none when there are none.
func JoinOr(values []string, none string) string {
	if len(values) == 0 {
		return none
	}
	return strings.Join(values, ", ")
}

// YesNo writes a boolean as a person reads it.
func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// ShellQuote quotes s for sh when it holds anything but safe characters: the
// commands the pages show are meant to be pasted into a terminal.
func ShellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./-_", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
