package echo

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/diagnose"
	"github.com/mtlsplay/mtlsplay/internal/policy"
)

var hdrText = []string{"text/plain; charset=utf-8"}

// acceptsText reports whether the client asked for plain text (curl -H 'Accept:
// text/plain') and not HTML: a person at a terminal who wants the gist, not 12 KB
// of JSON. A bare */* (curl's default) still gets JSON, which programs parse.
func acceptsText(accept []string) bool {
	for _, a := range accept {
		for _, part := range strings.Split(a, ",") {
			mt, _, _ := strings.Cut(part, ";")
			if strings.EqualFold(strings.TrimSpace(mt), "text/plain") {
				return true
			}
		}
	}
	return false
}

// serveEchoText answers with a short summary: the code and reason, the client,
// the certificate, the rule's value and the findings, one line each, every
// certificate-borne text escaped for a terminal (diagnose.TerminalSafe).
func (s *Server) serveEchoText(w http.ResponseWriter, e *echoEntry, sel selection) {
	h := w.Header()
	h["Content-Type"] = hdrText
	h["Content-Security-Policy"] = hdrCSPNone
	body := appendEchoText(nil, e.view, sel)
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(e.resp.status)
	_, _ = w.Write(body)
}

func appendEchoText(b []byte, v *echoView, sel selection) []byte {
	d := v.Head.Decision
	line := func(format string, args ...any) { b = fmt.Appendf(b, format+"\n", args...) }
	line("%d %s", d.Code, diagnose.TerminalSafe(d.Reason))
	switch {
	case sel.client != nil:
		line("client: %s (selected by %s)", diagnose.TerminalSafe(sel.client.Name), sel.how)
	case sel.requested != "":
		line("client: none is called %s", strconv.Quote(diagnose.TerminalSafe(sel.requested)))
	default:
		line("client: none selected (use /c/NAME/ or Authorization: Bearer TOKEN)")
	}
	if len(v.Head.Certificates) == 0 {
		line("certificate: none presented")
		if d.Code == policy.NoCertificate {
			line("send one: curl --cert CHAIN.pem --key KEY.pem …")
		}
	}
	for i, c := range v.Head.Certificates {
		what := "certificate"
		if i > 0 {
			what = "then"
		}
		line("%s: %s (issued by %s, valid until %s)", what, diagnose.TerminalSafe(c.Subject.DN), diagnose.TerminalSafe(c.Issuer.DN), c.NotAfter.UTC().Format(time.RFC3339))
	}
	if r := v.Head.Rule; r != nil {
		line("rule: %s → %s", diagnose.TerminalSafe(r.Source), ruleValue(r))
	}
	for _, f := range v.Head.Findings {
		line("%s: %s (fix: %s)", f.Severity, diagnose.TerminalSafe(f.Message), diagnose.TerminalSafe(f.Fix))
	}
	line("the whole answer: ask without Accept: text/plain for JSON (?pretty indents it)")
	return b
}
