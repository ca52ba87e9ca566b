package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/diagnose"
)

// pageCSS styles the server's own pages (the HTML echo and /try/). The echo
// inlines it and allows exactly it by hash in its CSP; /try/ links it.
const pageCSS = `:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#59636e;--line:#d1d9e0;--ok:#1a7f37;--bad:#cf222e;--code:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--line:#3d444d;--ok:#3fb950;--bad:#f85149;--code:#151b23}}
body{font:15px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg);max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem;border-bottom:1px solid var(--line)}
code,pre,td.v{font-family:ui-monospace,monospace;font-size:.9em;overflow-wrap:anywhere}
pre{background:var(--code);padding:.6rem;overflow-x:auto;white-space:pre-wrap}
table{border-collapse:collapse;width:100%}td,th{text-align:left;vertical-align:top;padding:.2rem .5rem;border-bottom:1px solid var(--line)}
th{color:var(--muted);font-weight:500;width:12rem}
.ok{color:var(--ok)}.bad{color:var(--bad)}.code{font-size:1.6rem;font-weight:700}
.muted{color:var(--muted)}ul{margin:.2rem 0;padding-left:1.2rem}
.deceptive{unicode-bidi:isolate}.deceptive::before{content:"⟨" attr(data-cp) "⟩";color:var(--bad);font-size:.8em}`

// cspEchoHTML allows the inline stylesheet above and nothing else.
var cspEchoHTML = []string{func() string {
	sum := sha256.Sum256([]byte(pageCSS))
	return fmt.Sprintf("default-src 'none'; style-src 'sha256-%s'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'", base64.StdEncoding.EncodeToString(sum[:]))
}()}

// echoView is what the HTML echo shows; every string reaches the page through templ,
// which escapes it.
type echoView struct {
	Head   echoHead
	Status int
}

// echoPage is one request's page: the connection's view plus the request.
type echoPage struct {
	*echoView
	Client    string
	How       string
	Requested string
	Line      string
	Host      string
	Remote    string
	Headers   []headerLine
}

type headerLine struct{ Name, Value string }

func (s *server) serveEchoHTML(w http.ResponseWriter, r *http.Request, e *echoEntry, sel selection) {
	p := echoPage{echoView: e.view, How: sel.how, Requested: sel.requested,
		Line: r.Method + " " + r.RequestURI + " " + r.Proto, Host: r.Host, Remote: r.RemoteAddr}
	if sel.client != nil {
		p.Client = sel.client.Name
	}
	for name, values := range r.Header {
		for _, v := range values {
			p.Headers = append(p.Headers, headerLine{name, redact(name, v)})
		}
	}
	slices.SortStableFunc(p.Headers, func(a, b headerLine) int { return strings.Compare(a.Name, b.Name) })
	h := w.Header()
	h["Content-Type"] = hdrHTML
	h["Content-Security-Policy"] = cspEchoHTML
	w.WriteHeader(e.resp.status)
	if err := echoHTML(p).Render(r.Context(), w); err != nil {
		s.log.Debug("rendering the HTML echo", "error", err)
	}
}

// Helpers the templates call.

func itoa(n int) string { return strconv.Itoa(n) }

func viewTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func joinOr(values []string, none string) string {
	if len(values) == 0 {
		return none
	}
	return strings.Join(values, ", ")
}

func boolText(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func okClass(ok bool) string {
	if ok {
		return "ok"
	}
	return "bad"
}

func keyDesc(c *certinfo.Certificate) string {
	k := c.PublicKey
	s := k.Algorithm
	if k.Curve != "" {
		s += " " + k.Curve
	} else if k.Bits > 0 {
		s += fmt.Sprintf(" %d bits", k.Bits)
	}
	return s
}

func ruleValue(r *echoRule) string {
	switch {
	case !r.Evaluated:
		return "not evaluated (the decision stopped before the rule)"
	case r.Error != "":
		return "error: " + r.Error
	case r.Value != nil && *r.Value:
		return "true"
	}
	return "false"
}

// certText writes certificate text escaped, as the page does: each invisible or
// text-reordering character (diagnose.IsDeceptive) in a span that isolates it and
// shows its code point, so "CN=\u202Emoc.elpmaxe" cannot read as "CN=example.com".
// The character itself stays in the text.
func certText(s string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		last := 0
		for i, r := range s {
			if !diagnose.IsDeceptive(r) {
				continue
			}
			cp := fmt.Sprintf("U+%04X", r)
			if _, err := fmt.Fprintf(w, `%s<span class="deceptive" data-cp="%s" title="%s: an invisible or text-reordering character; rules compare it, most displays hide it">%s</span>`,
				html.EscapeString(s[last:i]), cp, cp, string(r)); err != nil {
				return err
			}
			last = i + len(string(r))
		}
		_, err := io.WriteString(w, html.EscapeString(s[last:]))
		return err
	})
}
