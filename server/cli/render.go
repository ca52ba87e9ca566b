package cli

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/diagnose"
	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/gateway"
	"github.com/mtlsplay/mtlsplay/internal/rule/explain"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

// writeCertificate prints the fields a rule sees, in the order people look for them.
// Control characters in values are already escaped by the DN and SAN formatters.
func writeCertificate(w io.Writer, c *certinfo.Certificate, now time.Time) {
	field := func(name, value string) { fmt.Fprintf(w, "  %-13s %s\n", name, terminalSafe(value)) }
	list := func(name string, values []string) {
		if len(values) == 0 {
			field(name, "(none)")
			return
		}
		for i, v := range values {
			if i > 0 {
				name = ""
			}
			field(name, v)
		}
	}
	field("CN", quoteIfOdd(c.Subject.CN))
	field("DN", c.Subject.DN)
	field("slash form", c.Subject.Slash)
	list("SAN", c.SANEntries)
	if c.SPIFFEID != "" {
		field("SPIFFE ID", c.SPIFFEID)
	}
	field("issuer", c.Issuer.DN)
	field("validity", fmt.Sprintf("%s to %s (%s)", c.NotBefore.Format(time.RFC3339), c.NotAfter.Format(time.RFC3339), validity(c, now)))
	list("EKU", c.ExtKeyUsage)
	list("key usage", c.KeyUsage)
	field("CA", yesNo(c.IsCA))
	key := c.PublicKey.Algorithm
	if c.PublicKey.Curve != "" {
		key += " " + c.PublicKey.Curve
	} else if c.PublicKey.Bits > 0 {
		key += fmt.Sprintf(" %d bits", c.PublicKey.Bits)
	}
	field("public key", key)
	field("signature", c.SignatureAlgorithm)
	field("serial", c.Serial)
	field("SHA-256", c.SHA256)
	if len(c.Problems) > 0 {
		list("problems", c.Problems)
	}
}

// writeGateway prints one gateway's view of a certificate: each variable as its
// config spells it with its value, then what it cannot see and the notes.
func writeGateway(w io.Writer, p gateway.Profile, v gateway.View) {
	fmt.Fprintf(w, "  %-13s %s\n", "gateway", terminalSafe(p.Title))
	width := 0
	for _, x := range v.Values {
		width = max(width, utf8.RuneCountInString(x.Name))
	}
	for _, x := range v.Values {
		fmt.Fprintf(w, "    %-*s  %s%s\n", width, x.Name, gatewayText(x.Bytes), sourceMark(p, x))
	}
	for _, s := range v.CannotSee {
		fmt.Fprintf(w, "    cannot see: %s\n", terminalSafe(s))
	}
	for _, s := range v.Notes {
		fmt.Fprintf(w, "    note: %s\n", terminalSafe(s))
	}
}

// writeGatewayTable prints every gateway's variables for one certificate, one
// gateway under the other, so the same field can be compared across them.
func writeGatewayTable(w io.Writer, ps []gateway.Profile, vs []gateway.View) {
	gw, width := len("GATEWAY"), len("VARIABLE")
	for i, v := range vs {
		gw = max(gw, len(ps[i].Name))
		for _, x := range v.Values {
			width = max(width, utf8.RuneCountInString(x.Name))
		}
	}
	fmt.Fprintf(w, "  gateways\n    %-*s  %-*s  %s\n", gw, "GATEWAY", width, "VARIABLE", "VALUE")
	for i, v := range vs {
		name := ps[i].Name
		for _, x := range v.Values {
			fmt.Fprintf(w, "    %-*s  %-*s  %s%s\n", gw, name, width, x.Name, gatewayText(x.Bytes), sourceMark(ps[i], x))
			name = ""
		}
		for _, s := range v.CannotSee {
			fmt.Fprintf(w, "    %-*s  %-*s  %s\n", gw, name, width, "(cannot see)", terminalSafe(s))
			name = ""
		}
	}
}

// gatewayText is a gateway's value for the terminal: terminalSafe when it is
// UTF-8, else (HAProxy's raw BMPString, its binary serial) every byte outside
// printable ASCII as \xHH, as OpenSSL's one-line form writes them. --json
// carries the exact bytes.
func gatewayText(b []byte) string {
	if utf8.Valid(b) {
		return terminalSafe(string(b))
	}
	var sb strings.Builder
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			fmt.Fprintf(&sb, "\\x%02X", c)
		} else {
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// sourceMark flags the values no running gateway has checked, with the version
// they follow when it is not the profile's.
func sourceMark(p gateway.Profile, v gateway.Value) string {
	switch {
	case v.Source != gateway.Documented:
		return ""
	case v.Version == p.Title:
		return "  (documented)"
	}
	return "  (documented: " + terminalSafe(v.Version) + ")"
}

// validity says where now falls in the certificate's validity window.
func validity(c *certinfo.Certificate, now time.Time) string {
	switch {
	case now.Before(c.NotBefore):
		return fmt.Sprintf("not yet valid: starts in %s", trust.FormatSpan(c.NotBefore.Sub(now)))
	case now.After(c.NotAfter):
		return fmt.Sprintf("expired %s ago", trust.FormatSpan(now.Sub(c.NotAfter)))
	}
	return fmt.Sprintf("%s left", trust.FormatSpan(c.NotAfter.Sub(now)))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// terminalSafe is diagnose.TerminalSafe: certificate text escaped for a terminal.
func terminalSafe(s string) string { return diagnose.TerminalSafe(s) }

// quoteIfOdd quotes an empty CN or one with surrounding spaces, so it is not misread.
func quoteIfOdd(s string) string {
	if s == "" || strings.TrimSpace(s) != s {
		return fmt.Sprintf("%q", s)
	}
	return s
}

// writeRuleResult prints the rule's value, then each sub-expression with its value,
// so a person sees which part decided it. Literals are left out (their value is
// their text); a sub-expression inside exists/all/map shows its value per element.
func writeRuleResult(w io.Writer, r explain.Result) {
	switch {
	case r.Error != "":
		fmt.Fprintf(w, "error: %s\n", terminalSafe(r.Error))
	default:
		fmt.Fprintf(w, "%t\n", r.Value)
	}
	if !anyEvaluated(r.Nodes) {
		return // over the cost limit: the error says it; a tree of "not evaluated" does not
	}
	for _, n := range r.Nodes {
		if n.Kind == "literal" {
			continue
		}
		v := n.Value
		switch {
		case n.Error != "":
			v = "error: " + n.Error
		case len(n.Iterations) > 0:
			v = "per element: " + iterations(n.Iterations)
		}
		fmt.Fprintf(w, "  %d:%-4d %s  →  %s\n", n.Line, n.Column, terminalSafe(oneLine(n.Text, 60)), terminalSafe(oneLine(v, 120)))
	}
	for _, m := range r.Matched {
		if m.Index >= 0 {
			fmt.Fprintf(w, "  decided by %s[%d] = %s\n", m.Of, m.Index, terminalSafe(m.Value))
		} else {
			fmt.Fprintf(w, "  decided by %s containing %s\n", m.Of, terminalSafe(m.Value))
		}
	}
	for _, nm := range r.NearMisses {
		fmt.Fprintf(w, "  near miss: %s\n", terminalSafe(nm.Message))
		if nm.Distance > 0 {
			fmt.Fprintf(w, "    rule has         %s\n", bracketed(nm.Literal, nm.LiteralDiff))
			fmt.Fprintf(w, "    %-16s %s\n", nm.Of+" is", bracketed(nm.Value, nm.ValueDiff))
		}
	}
}

// anyEvaluated says whether some sub-expression (not a literal) has a value.
func anyEvaluated(nodes []explain.Node) bool {
	for _, n := range nodes {
		if n.Kind != "literal" && (n.Value != "" || len(n.Iterations) > 0 || !strings.HasPrefix(n.Error, "not evaluated")) {
			return true
		}
	}
	return false
}

// bracketed writes s with each range in [brackets]: the characters of a near miss
// that differ ("Email:[ ]ops@…"), an empty pair where characters are missing.
func bracketed(s string, rs []explain.Range) string {
	runes := []rune(s)
	var b strings.Builder
	at := 0
	for _, r := range rs {
		if r.Start < at || r.End < r.Start || r.End > len(runes) {
			continue
		}
		b.WriteString(terminalSafe(string(runes[at:r.Start])))
		b.WriteString("[" + terminalSafe(string(runes[r.Start:r.End])) + "]")
		at = r.End
	}
	b.WriteString(terminalSafe(string(runes[at:])))
	return b.String()
}

func iterations(its []explain.Iteration) string {
	parts := make([]string, len(its))
	for i, it := range its {
		parts[i] = it.Value
		if it.Error != "" {
			parts[i] = "error"
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func writeDecision(w io.Writer, d *engine.DecideResponse) {
	fmt.Fprintf(w, "%d %s\n", d.Code, terminalSafe(d.Reason))
	for _, s := range d.Steps {
		mark := "ok  "
		if !s.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "  %s %-11s %s\n", mark, s.Check, terminalSafe(s.Detail))
	}
	for _, b := range d.Bundles {
		for _, warn := range b.Warnings {
			fmt.Fprintf(w, "  warning: bundle %s: %s\n", terminalSafe(b.Name), terminalSafe(warn.Message))
		}
	}
	writeFindings(w, d.Findings)
	if d.Rule != nil {
		fmt.Fprint(w, "rule: ")
		writeRuleResult(w, *d.Rule)
	}
}

// writeFindings prints each finding as "<severity>: <message>", with its fix below.
func writeFindings(w io.Writer, fs []diagnose.Finding) {
	if len(fs) == 0 {
		return
	}
	fmt.Fprintln(w, "findings:")
	for _, f := range fs {
		fmt.Fprintf(w, "  %s: %s\n", f.Severity, terminalSafe(f.Message))
		if f.Fix != "" {
			fmt.Fprintf(w, "    fix: %s\n", terminalSafe(f.Fix))
		}
	}
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}
