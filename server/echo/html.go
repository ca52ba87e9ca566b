package echo

import (
	"context"
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
	"github.com/mtlsplay/mtlsplay/internal/rule/explain"
	"github.com/mtlsplay/mtlsplay/server/htmlpage"
)

// cspInline is htmlpage.InlineCSP as a header value net/http only reads.
var cspInline = []string{htmlpage.InlineCSP}

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
	URL       string // the address the request was sent to, for the curl hint
	Host      string
	Remote    string
	Headers   []headerLine
}

type headerLine struct{ Name, Value string }

func (s *Server) serveEchoHTML(w http.ResponseWriter, r *http.Request, e *echoEntry, sel selection) {
	p := echoPage{echoView: e.view, How: sel.how, Requested: sel.requested,
		Line: r.Method + " " + r.RequestURI + " " + r.Proto, URL: htmlpage.ShellQuote("https://" + r.Host + r.URL.EscapedPath()), Host: r.Host, Remote: r.RemoteAddr}
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
	h["Content-Security-Policy"] = cspInline
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

// marked writes text escaped, as the page does certificate text: each invisible or
// text-reordering character (diagnose.IsDeceptive) in a span that isolates it and
// shows its code point, so "CN=\u202Emoc.elpmaxe" cannot read as "CN=example.com".
// The character itself stays in the text. Every string that can hold a certificate's
// or the request's text goes through it: the fields, and the reason, steps,
// verification, explanation and findings that quote them.
func marked(s string) templ.Component {
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

// nearMissText writes s with each range of a near miss that differs in a <mark>
// (through marked), and an empty range, where characters are missing, as an empty
// <mark class="gap">, which the stylesheet shows as a caret.
func nearMissText(s string, rs []explain.Range) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		runes := []rune(s)
		at := 0
		for _, r := range rs {
			if r.Start < at || r.End < r.Start || r.End > len(runes) {
				continue
			}
			if err := marked(string(runes[at:r.Start])).Render(ctx, w); err != nil {
				return err
			}
			class := ""
			if r.Start == r.End {
				class = ` class="gap" title="missing here"`
			}
			if _, err := io.WriteString(w, "<mark"+class+">"); err != nil {
				return err
			}
			if err := marked(string(runes[r.Start:r.End])).Render(ctx, w); err != nil {
				return err
			}
			if _, err := io.WriteString(w, "</mark>"); err != nil {
				return err
			}
			at = r.End
		}
		return marked(string(runes[at:])).Render(ctx, w)
	})
}
