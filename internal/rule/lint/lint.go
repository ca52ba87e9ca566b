package lint

import (
	"fmt"
	"net/netip"
	"regexp/syntax"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/gateway"
	"github.com/mtlsplay/mtlsplay/internal/rule"
	"github.com/mtlsplay/mtlsplay/internal/rule/span"
)

// IDs of the lints (Issue.ID), stable for the page, tests and docs/workato.md.
const (
	SANNoPrefix      = "san_no_prefix"      // "test" in SAN: SAN entries carry a type prefix
	SANPrefix        = "san_prefix"         // email:, IP Address:, dns: — or a prefix where there is none
	DNSlashForm      = "dn_slash_form"      // /C=US/O=Org/CN=x compared with DN
	DNOrder          = "dn_order"           // C=US,O=Org,CN=x: X.509 display order
	DNFormat         = "dn_format"          // CN = x, O = y: spaces, lower-case attribute names
	DNGatewayEscapes = "dn_gateway_escapes" // CN=Zo\C3\AB: nginx's (OpenSSL's RFC 2253) byte escapes
	DNGatewayForm    = "dn_gateway_form"    // the certificate's subject exactly as another gateway writes it
	IPv6Form         = "ipv6_form"          // IP:2001:DB8:0:0:0:0:0:1: not RFC 5952
	DNSCase          = "dns_case"           // DNS:API.Example.com compared case-sensitively
	RegexpUnanchored = "regexp_unanchored"  // matches("DNS:api.example.com"): finds it anywhere
	CNOnly           = "cn_only"            // only CN is checked, the certificate has SANs
	IPv4MappedIPv6   = "ip_mapped"          // ip() of an entry that is IPv4-mapped IPv6

	maxLintsPerRule = 20
)

// sanPrefixList names the SAN prefixes in messages.
var sanPrefixList = strings.Join(certinfo.SANPrefixes, ", ")

// Check returns the warnings of a compiled rule that do not depend on the
// certificate, in source order.
func Check(p *rule.Program) []rule.Issue {
	return CheckWith(p, nil)
}

// CheckWith adds, when cert is not nil, the warnings that depend on the
// certificate: a rule that reads only CN on a certificate that has SANs, and ip()
// of a SAN entry when the certificate has an IPv4-mapped IPv6 address (ip()
// rejects those, so the rule errors). They depend on the certificate because the
// same rule is right for a CN-only certificate; putting them here rather than in
// the decision lets the page show them as editor markers like every other lint.
func CheckWith(p *rule.Program, cert *certinfo.Certificate) []rule.Issue {
	if p == nil {
		return nil
	}
	a := p.Checked().NativeRep()
	l := &linter{src: p.Source(), a: a, sp: span.New(p.Source(), a), seen: map[string]bool{}}
	l.walk(a.Expr(), nil)
	if cert != nil {
		l.certLints(cert)
	}
	sort.SliceStable(l.out, func(i, j int) bool { return l.out[i].Start < l.out[j].Start })
	if len(l.out) > maxLintsPerRule {
		l.out = l.out[:maxLintsPerRule]
	}
	return l.out
}

type linter struct {
	src  string
	a    *ast.AST
	sp   *span.Spanner
	out  []rule.Issue
	seen map[string]bool // id@start, so a literal gets each warning once

	readsCN  []ast.Expr // references to CN or cert.subject.cn
	readsSAN bool       // any reference to SAN, cert.san, cert.san_entries, cert.spiffe_id
	ipCalls  []ast.Expr // ip(x) with x not a literal
	dnLits   []dnLit    // literals compared with a DN, for dn_gateway_form
}

// dnLit is a literal compared with a DN.
type dnLit struct {
	lit   ast.Expr
	value string
	cx    ctx
}

// What a string expression holds, as far as the lints care.
type strKind int

const (
	kOther    strKind = iota
	kSANEntry         // an element of SAN: "DNS:x", with prefix
	kDNSName          // an element of cert.san.dns: no prefix
	kIPAddr           // an element of cert.san.ip: no prefix
	kDN               // DN, cert.subject.dn, …
	kCN               // CN, cert.subject.cn, …
)

// Case folding applied to a value before a comparison (s.lowerAscii() == "…").
const (
	foldNone = iota
	foldLower
	foldUpper
)

type kind struct {
	k    strKind
	fold int
}

// scope binds comprehension variables to what they iterate over.
type scope struct {
	name   string
	elem   kind
	lits   []ast.Expr // the elements, when the range is a list literal
	parent *scope
}

func (s *scope) lookup(name string) (*scope, bool) {
	for ; s != nil; s = s.parent {
		if s.name == name {
			return s, true
		}
	}
	return nil, false
}

func (l *linter) walk(e ast.Expr, sc *scope) {
	switch e.Kind() {
	case ast.ComprehensionKind:
		c := e.AsComprehension()
		l.walk(c.IterRange(), sc)
		inner := &scope{name: c.IterVar(), elem: l.elemKind(c.IterRange(), sc), parent: sc}
		if r := c.IterRange(); r.Kind() == ast.ListKind {
			inner.lits = r.AsList().Elements()
		}
		for _, x := range []ast.Expr{c.AccuInit(), c.LoopCondition(), c.LoopStep(), c.Result()} {
			l.walk(x, inner)
		}
		return
	case ast.IdentKind:
		if _, local := sc.lookup(e.AsIdent()); !local {
			switch e.AsIdent() {
			case "CN":
				l.readsCN = append(l.readsCN, e)
			case "SAN":
				l.readsSAN = true
			}
		}
	case ast.SelectKind:
		s := e.AsSelect()
		switch s.FieldName() {
		case "san", "san_entries", "spiffe_id":
			l.readsSAN = true
		case "cn":
			if op := s.Operand(); op.Kind() == ast.SelectKind && op.AsSelect().FieldName() == "subject" && l.isCert(op.AsSelect().Operand(), sc) {
				l.readsCN = append(l.readsCN, e)
			}
		}
	case ast.CallKind:
		l.call(e, sc)
	}
	for _, c := range span.Children(e) {
		l.walk(c, sc)
	}
}

// isCert reports whether e is the leaf certificate (cert, or chain[0]).
func (l *linter) isCert(e ast.Expr, sc *scope) bool {
	if e.Kind() == ast.IdentKind {
		_, local := sc.lookup(e.AsIdent())
		return e.AsIdent() == "cert" && !local
	}
	return false
}

// strKindOf says what a string expression holds.
func (l *linter) strKindOf(e ast.Expr, sc *scope) kind {
	switch e.Kind() {
	case ast.IdentKind:
		if b, ok := sc.lookup(e.AsIdent()); ok {
			return b.elem
		}
		switch e.AsIdent() {
		case "CN":
			return kind{k: kCN}
		case "DN":
			return kind{k: kDN}
		}
	case ast.SelectKind:
		switch e.AsSelect().FieldName() {
		case "dn", "dir_name":
			return kind{k: kDN}
		case "cn":
			return kind{k: kCN}
		}
	case ast.CallKind:
		c := e.AsCall()
		switch c.FunctionName() {
		case operators.Index:
			if len(c.Args()) == 2 {
				return l.elemKind(c.Args()[0], sc)
			}
		case "lowerAscii", "upperAscii", "trim":
			if c.IsMemberFunction() {
				k := l.strKindOf(c.Target(), sc)
				switch c.FunctionName() {
				case "lowerAscii":
					k.fold = foldLower
				case "upperAscii":
					k.fold = foldUpper
				}
				return k
			}
		}
	}
	return kind{}
}

// elemKind says what the elements of a list expression hold.
func (l *linter) elemKind(e ast.Expr, sc *scope) kind {
	switch e.Kind() {
	case ast.IdentKind:
		if _, ok := sc.lookup(e.AsIdent()); !ok && e.AsIdent() == "SAN" {
			return kind{k: kSANEntry}
		}
	case ast.SelectKind:
		s := e.AsSelect()
		switch s.FieldName() {
		case "san_entries":
			return kind{k: kSANEntry}
		case "dns":
			if s.Operand().Kind() == ast.SelectKind && s.Operand().AsSelect().FieldName() == "san" {
				return kind{k: kDNSName}
			}
		case "ip":
			if s.Operand().Kind() == ast.SelectKind && s.Operand().AsSelect().FieldName() == "san" {
				return kind{k: kIPAddr}
			}
		case "dir_name":
			return kind{k: kDN}
		}
	case ast.ComprehensionKind:
		// SAN.filter(s, …) holds SAN entries.
		if mc, ok := l.a.SourceInfo().GetMacroCall(e.ID()); ok && mc.Kind() == ast.CallKind && mc.AsCall().FunctionName() == operators.Filter {
			return l.elemKind(e.AsComprehension().IterRange(), sc)
		}
	}
	return kind{}
}

// How a literal is compared with a value.
type ctx int

const (
	ctxEqual ctx = iota
	ctxPrefix
	ctxSuffix
	ctxSubstring
)

func stringLit(e ast.Expr) (string, bool) {
	if e.Kind() != ast.LiteralKind {
		return "", false
	}
	s, ok := e.AsLiteral().(types.String)
	return string(s), ok
}

func (l *linter) call(e ast.Expr, sc *scope) {
	c := e.AsCall()
	args := c.Args()
	switch fn := c.FunctionName(); fn {
	case operators.Equals, operators.NotEquals:
		if len(args) != 2 {
			return
		}
		for i := range 2 {
			if _, ok := stringLit(args[i]); ok {
				l.literal(l.strKindOf(args[1-i], sc), args[i], ctxEqual, args[1-i], sc)
			}
		}
	case operators.In:
		if len(args) != 2 {
			return
		}
		x, list := args[0], args[1]
		if _, ok := stringLit(x); ok {
			l.literal(l.elemKind(list, sc), x, ctxEqual, list, sc)
		}
		if list.Kind() == ast.ListKind {
			k := l.strKindOf(x, sc)
			for _, el := range list.AsList().Elements() {
				l.literal(k, el, ctxEqual, x, sc)
			}
		}
		// ["DNS:a", "DNS:b"].exists(x, x in SAN): the literals are x's values.
		if x.Kind() == ast.IdentKind {
			if b, ok := sc.lookup(x.AsIdent()); ok && b.lits != nil {
				k := l.elemKind(list, sc)
				for _, el := range b.lits {
					l.literal(k, el, ctxEqual, list, sc)
				}
			}
		}
	case "startsWith", "endsWith", "contains":
		if !c.IsMemberFunction() || len(args) != 1 {
			return
		}
		cx := map[string]ctx{"startsWith": ctxPrefix, "endsWith": ctxSuffix, "contains": ctxSubstring}[fn]
		l.literal(l.strKindOf(c.Target(), sc), args[0], cx, c.Target(), sc)
	case "matches":
		target, re := ast.Expr(nil), ast.Expr(nil)
		switch {
		case c.IsMemberFunction() && len(args) == 1:
			target, re = c.Target(), args[0]
		case !c.IsMemberFunction() && len(args) == 2:
			target, re = args[0], args[1]
		default:
			return
		}
		l.regexp(l.strKindOf(target, sc), re)
	case "ip":
		if !c.IsMemberFunction() && len(args) == 1 && args[0].Kind() != ast.LiteralKind {
			l.ipCalls = append(l.ipCalls, e)
		}
	}
}

// warn records a warning on node e, once per lint and position.
func (l *linter) warn(id string, e ast.Expr, msg, fix string, edit *rule.Edit) {
	start, end := l.sp.Span(e.ID())
	key := fmt.Sprintf("%s@%d", id, start)
	if l.seen[key] || end <= start {
		return
	}
	l.seen[key] = true
	line, col := l.sp.LineCol(start)
	is := rule.Issue{Severity: "warning", ID: id, Line: line, Column: col, Start: start, End: end, Message: msg, Fix: fix, Snippet: span.Snippet(l.src, line, col)}
	if edit != nil {
		is.Edits = []rule.Edit{*edit}
	}
	l.out = append(l.out, is)
}

// replaceLiteral is the edit that rewrites the literal e with a new value.
func (l *linter) replaceLiteral(e ast.Expr, v string) *rule.Edit {
	start, end := l.sp.Span(e.ID())
	val := v
	return &rule.Edit{Start: start, End: end, Replacement: quoteCEL(v), Value: &val}
}

func quoteCEL(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '\\' || r == '"':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case !unicode.IsPrint(r) && r != ' ':
			if r <= 0xFFFF {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				fmt.Fprintf(&b, `\U%08X`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// prefixAlias maps what people write for a SAN type prefix, in lower case, to the
// prefix (certinfo.SANPrefixes).
var prefixAlias = map[string]string{
	"dns": "DNS:", "dns name": "DNS:", "dnsname": "DNS:",
	"ip": "IP:", "ip address": "IP:", "ipaddress": "IP:", "ip addr": "IP:",
	"uri": "URI:", "url": "URI:",
	"email": "Email:", "e-mail": "Email:", "email address": "Email:", "emailaddress": "Email:", "rfc822": "Email:", "rfc822name": "Email:", "rfc822 name": "Email:", "mailto": "Email:",
	"upn": "UPN:", "othername": "OtherName:", "other name": "OtherName:",
	"rid": "RID:", "registered id": "RID:", "registeredid": "RID:",
	"dirname": "DirName:", "dir name": "DirName:", "directory name": "DirName:", "directoryname": "DirName:",
}

func folded(s string, fold int) string {
	switch fold {
	case foldLower:
		return strings.ToLower(s)
	case foldUpper:
		return strings.ToUpper(s)
	}
	return s
}

// splitPrefix returns the text before the first colon when it could be a type
// prefix (letters, spaces, hyphens, digits), and the rest.
func splitPrefix(v string) (head, rest string, ok bool) {
	i := strings.IndexByte(v, ':')
	if i <= 0 || i > 20 {
		return "", v, false
	}
	for _, r := range v[:i] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == ' ' || r == '-' || r >= '0' && r <= '9') {
			return "", v, false
		}
	}
	return v[:i], v[i+1:], true
}

// guessPrefix says which SAN type a value without prefix most likely is.
func guessPrefix(v string) string {
	switch {
	case isIP(v):
		return "IP:"
	case strings.Contains(v, "://") || strings.HasPrefix(v, "urn:"):
		return "URI:"
	case strings.Contains(v, "@"):
		return "Email:"
	}
	return "DNS:"
}

func isIP(v string) bool {
	_, err := netip.ParseAddr(v)
	return err == nil
}

// literal checks one string literal compared (in the way cx says) with a value of
// kind k.
func (l *linter) literal(k kind, lit ast.Expr, cx ctx, other ast.Expr, sc *scope) {
	v, ok := stringLit(lit)
	if !ok || v == "" {
		return
	}
	switch k.k {
	case kSANEntry:
		l.sanEntry(k, lit, v, cx)
	case kDNSName, kIPAddr:
		field := "cert.san.dns"
		if k.k == kIPAddr {
			field = "cert.san.ip"
		}
		if head, rest, ok := splitPrefix(v); ok && prefixAlias[strings.ToLower(head)] != "" && (cx == ctxEqual || cx == ctxPrefix) {
			l.warn(SANPrefix, lit, fmt.Sprintf("%s holds values without a type prefix, so %s never matches", field, quoteCEL(v)),
				fmt.Sprintf("drop the prefix: %s (or compare with SAN, whose entries have prefixes)", quoteCEL(rest)), l.replaceLiteral(lit, rest))
			return
		}
		if k.k == kIPAddr && cx == ctxEqual {
			l.ipv6(lit, v, "")
		}
		if k.k == kDNSName && k.fold == foldNone {
			l.dnsCase(lit, v, cx, "")
		}
	case kCN:
		if k.fold == foldNone && looksLikeHostname(v) {
			l.dnsCase(lit, v, cx, "")
		}
	case kDN:
		l.dn(k, lit, v, cx)
	}
}

func (l *linter) sanEntry(k kind, lit ast.Expr, v string, cx ctx) {
	head, rest, hasHead := splitPrefix(v)
	for _, p := range certinfo.SANPrefixes {
		want := folded(p, k.fold)
		if strings.HasPrefix(v, want) {
			if cx == ctxEqual && p == "IP:" {
				l.ipv6(lit, v[len(want):], want)
			}
			if p == "DNS:" && k.fold == foldNone && (cx == ctxEqual || cx == ctxPrefix) {
				l.dnsCase(lit, v[len(want):], cx, want)
			}
			return
		}
		if cx == ctxPrefix && strings.HasPrefix(want, v) {
			return // startsWith("DNS") or startsWith("I")
		}
	}
	if hasHead {
		if canon := prefixAlias[strings.ToLower(head)]; canon != "" {
			want := folded(canon, k.fold)
			fixed := want + rest
			msg := fmt.Sprintf("SAN entries are written with the prefix %s, so %s never matches one", want, quoteCEL(v))
			if k.fold == foldNone && strings.EqualFold(head+":", canon) {
				msg = fmt.Sprintf("SAN prefixes are case-sensitive: entries start with %s, not %s:, so %s never matches one", want, head, quoteCEL(v))
			}
			l.warn(SANPrefix, lit, msg, fmt.Sprintf("write %s", quoteCEL(fixed)), l.replaceLiteral(lit, fixed))
			return
		}
		if !strings.Contains(v, "://") && !isIP(v) && !strings.HasPrefix(v, "urn:") && !strings.Contains(head, " ") && cx != ctxSuffix && cx != ctxSubstring {
			l.warn(SANPrefix, lit, fmt.Sprintf("%s: is not a SAN prefix, so %s never matches a SAN entry", head, quoteCEL(v)),
				"SAN prefixes are "+sanPrefixList, nil)
			return
		}
	}
	if cx == ctxSuffix || cx == ctxSubstring {
		if cx == ctxSuffix && k.fold == foldNone && looksLikeHostname(strings.TrimPrefix(v, ".")) {
			l.dnsCase(lit, v, cx, "")
		}
		return // endsWith(".example.com") and contains("example") need no prefix
	}
	guess := folded(guessPrefix(v), k.fold)
	fixed := guess + v
	what := "is never equal to"
	if cx == ctxPrefix {
		what = "is never the start of"
	}
	l.warn(SANNoPrefix, lit,
		fmt.Sprintf("%s has no type prefix, so it %s a SAN entry: every entry starts with one of %s", quoteCEL(v), what, sanPrefixList),
		fmt.Sprintf("write %s", quoteCEL(fixed)), l.replaceLiteral(lit, fixed))
}

// ipv6 warns about an IPv6 address that SAN will never show that way.
func (l *linter) ipv6(lit ast.Expr, addr, prefix string) {
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is6() || a.Zone() != "" || a.String() == addr {
		return
	}
	fixed := prefix + a.String()
	l.warn(IPv6Form, lit,
		fmt.Sprintf("IPv6 addresses are written in RFC 5952 form (lower case, longest run of zeros as ::), so %s never matches", quoteCEL(prefix+addr)),
		fmt.Sprintf("write %s", quoteCEL(fixed)), l.replaceLiteral(lit, fixed))
}

// looksLikeHostname reports whether v could be a DNS name or a part of one.
func looksLikeHostname(v string) bool {
	if !strings.Contains(v, ".") || strings.HasPrefix(v, ".") && len(v) < 3 {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '*' || r == '_') {
			return false
		}
	}
	return true
}

// dnsCase warns about capitals in a DNS name compared case-sensitively.
func (l *linter) dnsCase(lit ast.Expr, name string, cx ctx, prefix string) {
	if strings.ToLower(name) == name {
		return
	}
	full := prefix + name
	if cx == ctxSuffix || cx == ctxSubstring {
		full, _ = stringLit(lit)
	}
	lower := prefix + strings.ToLower(name)
	if cx == ctxSuffix || cx == ctxSubstring {
		lower = strings.ToLower(full)
	}
	l.warn(DNSCase, lit,
		fmt.Sprintf("DNS names are case-insensitive, but this comparison is not: certificates carry names as issued, almost always in lower case, so %s does not match %s", quoteCEL(full), quoteCEL(lower)),
		fmt.Sprintf("write the name in lower case, %s (or lower-case the value before comparing)", quoteCEL(lower)), l.replaceLiteral(lit, lower))
}

// regexp checks a matches() pattern.
func (l *linter) regexp(k kind, re ast.Expr) {
	pat, ok := stringLit(re)
	if !ok {
		return
	}
	parsed, err := syntax.Parse(pat, syntax.Perl)
	if err != nil {
		return
	}
	parsed = parsed.Simplify()
	subs := []*syntax.Regexp{parsed}
	if parsed.Op == syntax.OpConcat {
		subs = parsed.Sub
	}
	if len(subs) == 0 {
		return
	}
	// Unanchored, and only literal text and dots: equality was likely meant.
	literalOnly, text := true, strings.Builder{}
	for _, s := range subs {
		switch s.Op {
		case syntax.OpLiteral:
			if s.Flags&syntax.FoldCase != 0 {
				text.WriteString(strings.ToLower(string(s.Rune))) // the parser keeps one case
				continue
			}
			text.WriteString(string(s.Rune))
		case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
			text.WriteByte('.')
		default:
			literalOnly = false
		}
	}
	if literalOnly {
		t := text.String()
		_, _, prefixed := splitPrefix(t)
		likely := looksLikeHostname(t) || strings.Contains(t, "@") || strings.Contains(t, "=") || k.k == kSANEntry && prefixed
		if likely && len(t) >= 4 {
			// Keep leading flags, such as (?i), in the fix.
			flags := ""
			if strings.HasPrefix(pat, "(?") {
				if i := strings.IndexByte(pat, ')'); i > 0 && !strings.ContainsAny(pat[2:i], ":<'=!P") {
					flags = pat[:i+1]
				}
			}
			anchored := flags + "^" + regexpQuote(t) + "$"
			l.warn(RegexpUnanchored, re,
				fmt.Sprintf("matches() finds the pattern anywhere, and . matches any character: %s also matches %s", quoteCEL(pat), quoteCEL(t+".evil.example")),
				fmt.Sprintf("for equality compare with ==; or anchor the pattern and escape the dots: %s", anchored), l.replaceLiteral(re, anchored))
			return
		}
	}
	// Anchored at the start of a SAN entry with text that is no prefix.
	if k.k != kSANEntry || len(subs) < 2 || subs[0].Op != syntax.OpBeginText && subs[0].Op != syntax.OpBeginLine || subs[1].Op != syntax.OpLiteral {
		return
	}
	lead := string(subs[1].Rune)
	fold := subs[1].Flags&syntax.FoldCase != 0
	for _, p := range certinfo.SANPrefixes {
		p = folded(p, k.fold)
		if fold && (len(lead) >= len(p) && strings.EqualFold(lead[:len(p)], p) || len(lead) < len(p) && strings.EqualFold(p[:len(lead)], lead)) {
			return
		}
		if strings.HasPrefix(lead, p) || strings.HasPrefix(p, lead) {
			return
		}
	}
	var edit *rule.Edit
	for _, a := range []string{"^", `\A`} {
		if strings.HasPrefix(pat, a) {
			fixed := a + folded(guessPrefix(lead), k.fold) + pat[len(a):]
			edit = l.replaceLiteral(re, fixed)
		}
	}
	l.warn(SANNoPrefix, re,
		fmt.Sprintf("the pattern is anchored at the start of a SAN entry, but %s is no type prefix, so it never matches: every entry starts with one of %s", quoteCEL(lead), sanPrefixList),
		"start the pattern with the prefix, as in ^DNS:", edit)
}

func regexpQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '.' {
			b.WriteString(`\.`)
			continue
		}
		if strings.ContainsRune(`\+*?()|[]{}^$`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// dn checks a literal compared with a DN.
func (l *linter) dn(k kind, lit ast.Expr, v string, cx ctx) {
	if k.fold == foldNone {
		l.dnLits = append(l.dnLits, dnLit{lit, v, cx})
	}
	if strings.HasPrefix(v, "/") && strings.Contains(v, "=") {
		rdns := splitUnescaped(v[1:], '/')
		for i, r := range rdns {
			rdns[i] = normalizeRDN(r, k.fold, true)
		}
		// OpenSSL prints the slash form in DER order, most general first; DN is
		// the reverse. A hand-written one may already start with the CN.
		if len(rdns) > 1 && attrType(rdns[0]) != "CN" {
			slices.Reverse(rdns)
		}
		fixed := strings.Join(rdns, ",")
		var edit *rule.Edit
		if cx == ctxEqual || cx == ctxSubstring && len(rdns) == 1 {
			edit = l.replaceLiteral(lit, fixed)
		}
		l.warn(DNSlashForm, lit,
			fmt.Sprintf("%s is OpenSSL's slash form; DN is written as RFC 4514, most specific first and separated by commas, so this never matches", quoteCEL(v)),
			fmt.Sprintf("write %s", quoteCEL(fixed)), edit)
		return
	}
	if !strings.Contains(v, "=") {
		return
	}
	if fixed, ok := unescapeUTF8Bytes(v); ok {
		// Replacing the escapes by the characters they spell is right wherever the
		// literal stands, so the fix is offered in every context.
		l.warn(DNGatewayEscapes, lit,
			fmt.Sprintf(`%s escapes each byte of UTF-8 as \XX, as nginx's $ssl_client_s_dn writes it (OpenSSL's RFC 2253 printing: also HAProxy's ssl_c_s_dn(,0,rfc2253), Envoy's connection.subject_peer_certificate and Cloudflare's cf.tls_client_auth.cert_subject_dn); DN holds the characters themselves, so this never matches`, quoteCEL(v)),
			fmt.Sprintf("write %s", quoteCEL(fixed)), l.replaceLiteral(lit, fixed))
		return
	}
	rdns := splitUnescaped(v, ',')
	norm := make([]string, len(rdns))
	for i, r := range rdns {
		norm[i] = normalizeRDN(r, k.fold, false)
	}
	first, last := attrType(norm[0]), attrType(norm[len(norm)-1])
	if len(norm) >= 2 && (first == "C" || first == "DC" && (last == "CN" || last == "UID") || last == "CN" && first != "CN") {
		rev := make([]string, len(norm))
		for i := range norm {
			rev[i] = norm[len(norm)-1-i]
		}
		fixed := strings.Join(rev, ",")
		var edit *rule.Edit
		if cx == ctxEqual || cx == ctxSubstring {
			edit = l.replaceLiteral(lit, fixed)
		}
		l.warn(DNOrder, lit,
			fmt.Sprintf("%s is in X.509 display order (%s first); DN is written as RFC 4514, most specific first, so this never matches", quoteCEL(v), first),
			fmt.Sprintf("write %s", quoteCEL(fixed)), edit)
		return
	}
	fixed := strings.Join(norm, ",")
	if fixed != v {
		l.warn(DNFormat, lit,
			fmt.Sprintf("DN has no spaces around , and = and writes attribute names as CN, O, OU, C, so %s never matches", quoteCEL(v)),
			fmt.Sprintf("write %s", quoteCEL(fixed)), l.replaceLiteral(lit, fixed))
	}
}

// unescapeUTF8Bytes replaces the \XX escapes of bytes from 0x80 up in s (OpenSSL's
// RFC 2253 printing, nginx's $ssl_client_s_dn) by those bytes. ok is false when s
// has none, or when the bytes they give are not UTF-8 (then they are not text a
// gateway escaped, and DN cannot hold them either). Other escapes, such as DN's own
// \00 for a control character or \, for a comma, are kept.
func unescapeUTF8Bytes(s string) (out string, ok bool) {
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		if i+2 < len(s) {
			if x, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil && x >= 0x80 {
				b.WriteByte(byte(x))
				n++
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
		b.WriteByte(s[i+1])
		i++
	}
	out = b.String()
	return out, n > 0 && utf8.ValidString(out)
}

// splitUnescaped splits s at sep where sep is not escaped with a backslash.
func splitUnescaped(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// normalizeRDN writes one RDN (a=b or a=b+c=d) as DN does: no spaces around =
// and +, canonical attribute names, RFC 4514 escapes when the value came from
// the slash form. It and splitUnescaped are a lenient reading of DN text a
// person wrote, not an RFC 4514 parser: they accept what DN never contains
// (spaces, slash form, lower-case names) and keep the person's escapes, to propose
// a fix. certinfo builds DNs from DER and parses no DN strings, so it has none to share.
func normalizeRDN(r string, fold int, fromSlash bool) string {
	members := splitUnescaped(r, '+')
	for i, m := range members {
		t, val, ok := strings.Cut(m, "=")
		if !ok {
			members[i] = strings.TrimSpace(m)
			continue
		}
		t = strings.TrimSpace(t)
		if c, ok := certinfo.AttributeName(t); ok && fold == foldNone {
			t = c
		}
		val = strings.TrimSpace(val)
		if fromSlash {
			val = certinfo.EscapeDNValue(strings.ReplaceAll(val, `\/`, "/"))
		}
		members[i] = t + "=" + val
	}
	return strings.Join(members, "+")
}

func attrType(rdn string) string {
	t, _, _ := strings.Cut(rdn, "=")
	return t
}

// certLints are the warnings that depend on the certificate.
func (l *linter) certLints(cert *certinfo.Certificate) {
	l.gatewayForms(cert)
	if len(l.readsCN) > 0 && !l.readsSAN && len(cert.SANEntries) > 0 {
		e := l.readsCN[0]
		shown := cert.SANEntries
		more := ""
		if len(shown) > 3 {
			shown, more = shown[:3], ", …"
		}
		fix := "check a SAN entry as well, such as \"DNS:…\""
		for _, s := range cert.SANEntries {
			if strings.HasPrefix(s, "DNS:") {
				fix = fmt.Sprintf("check the SAN entry %s as well (or instead)", quoteCEL(s))
				if strings.EqualFold(s[4:], cert.Subject.CN) {
					break
				}
			}
		}
		l.warn(CNOnly, e,
			fmt.Sprintf("this rule checks only the subject CN, but the certificate has %s (%s%s); TLS identifies peers by SAN (RFC 6125), and a CA may put anything in the CN", sanCount(len(cert.SANEntries)), strings.Join(shown, ", "), more),
			fix, nil)
	}
	if len(l.ipCalls) > 0 {
		for _, s := range cert.SANEntries {
			if a, err := netip.ParseAddr(strings.TrimPrefix(s, "IP:")); err == nil && strings.HasPrefix(s, "IP:") && a.Is4In6() {
				l.warn(IPv4MappedIPv6, l.ipCalls[0],
					fmt.Sprintf("ip() rejects IPv4-mapped IPv6 addresses, and this certificate has %s: for that entry the call is an error, which fails the rule unless another entry decides it", s),
					`skip those entries first, e.g. !s.startsWith("IP:::ffff:") && …, or compare the entry as a string`, nil)
				break
			}
		}
	}
}

// gatewayForms warns about a DN literal that is this certificate's subject
// exactly as another gateway writes it (HAProxy's slash form, Caddy's
// reordered Go form, .NET's "CN=x, O=y", Traefik's fixed order, …), names the
// gateway and field, and offers DN's own string. It replaces the
// certificate-independent DN warnings on the same literal: it knows more.
func (l *linter) gatewayForms(cert *certinfo.Certificate) {
	if len(l.dnLits) == 0 {
		return
	}
	forms := gateway.SubjectForms(cert)
	for _, d := range l.dnLits {
		if d.value == cert.Subject.DN {
			continue
		}
		var who []string
		for _, f := range forms {
			if f.Value == d.value {
				who = append(who, fmt.Sprintf("%s (%s)", f.Gateway, f.Variable))
			}
		}
		if len(who) == 0 {
			continue
		}
		start, _ := l.sp.Span(d.lit.ID())
		kept := l.out[:0]
		for _, is := range l.out {
			if is.Start == start && (is.ID == DNSlashForm || is.ID == DNOrder || is.ID == DNFormat || is.ID == DNGatewayEscapes) {
				continue
			}
			kept = append(kept, is)
		}
		l.out = kept
		var edit *rule.Edit
		if d.cx == ctxEqual {
			edit = l.replaceLiteral(d.lit, cert.Subject.DN)
		}
		l.warn(DNGatewayForm, d.lit,
			fmt.Sprintf("%s is this certificate's subject as %s writes it; DN is %s, so this never matches", quoteCEL(d.value), strings.Join(who, ", "), quoteCEL(cert.Subject.DN)),
			fmt.Sprintf("write %s", quoteCEL(cert.Subject.DN)), edit)
	}
}

// sanCount is "1 subjectAltName entry" or "N subjectAltName entries".
func sanCount(n int) string {
	if n == 1 {
		return "1 subjectAltName entry"
	}
	return fmt.Sprintf("%d subjectAltName entries", n)
}
