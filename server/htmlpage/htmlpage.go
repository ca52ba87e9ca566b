// Package htmlpage holds what the server's own HTML pages share (the HTML echo and
// /try/): their stylesheet, its Content-Security-Policy and the helpers their
// templates call.
package htmlpage

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// CSS styles the server's own pages (the HTML echo and /try/). The echo inlines it
// and allows exactly it by hash in its CSP (InlineCSP); /try/ links it.
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
