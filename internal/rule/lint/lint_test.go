package lint

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

func TestLint(t *testing.T) {
	tests := []struct {
		name, rule string
		id         string // "" means no warning
		at         string // the text the warning underlines
		fix        string // the quick fix's replacement; "" means none
	}{
		// A SAN compared with a value that has no type prefix.
		{"in without prefix", `"test" in SAN`, SANNoPrefix, `"test"`, `"DNS:test"`},
		{"exists == without prefix", `SAN.exists(s, s == "api.example.com")`, SANNoPrefix, `"api.example.com"`, `"DNS:api.example.com"`},
		{"literal on the left", `SAN.exists(s, "api.example.com" == s)`, SANNoPrefix, `"api.example.com"`, `"DNS:api.example.com"`},
		{"IP without prefix", `"192.0.2.10" in SAN`, SANNoPrefix, `"192.0.2.10"`, `"IP:192.0.2.10"`},
		{"email without prefix", `SAN.exists(s, s == "ops@example.com")`, SANNoPrefix, `"ops@example.com"`, `"Email:ops@example.com"`},
		{"URI without prefix", `"spiffe://example.com/ns/prod/sa/client" in SAN`, SANNoPrefix, `"spiffe://example.com/ns/prod/sa/client"`, `"URI:spiffe://example.com/ns/prod/sa/client"`},
		{"startsWith without prefix", `SAN.exists(s, s.startsWith("api."))`, SANNoPrefix, `"api."`, `"DNS:api."`},
		{"all and !=", `SAN.all(s, s != "evil.example.com")`, SANNoPrefix, `"evil.example.com"`, `"DNS:evil.example.com"`},
		{"index", `SAN[0] == "client.example.com"`, SANNoPrefix, `"client.example.com"`, `"DNS:client.example.com"`},
		{"in a list literal", `SAN.exists(s, s in ["DNS:a.example.com", "b.example.com"])`, SANNoPrefix, `"b.example.com"`, `"DNS:b.example.com"`},
		{"allow-list over SAN", `["DNS:a.example.com", "b.example.com"].exists(x, x in SAN)`, SANNoPrefix, `"b.example.com"`, `"DNS:b.example.com"`},
		{"filtered SAN", `SAN.filter(s, s.startsWith("DNS:")).exists(d, d == "a.example.com")`, SANNoPrefix, `"a.example.com"`, `"DNS:a.example.com"`},
		{"san_entries", `"a.example.com" in cert.san_entries`, SANNoPrefix, `"a.example.com"`, `"DNS:a.example.com"`},
		{"anchored regexp without prefix", `SAN.exists(s, s.matches("^api\\.example"))`, SANNoPrefix, `"^api\\.example"`, `"^DNS:api\\.example"`},
		{"with prefix", `"DNS:api.example.com" in SAN`, "", "", ""},
		{"suffix needs no prefix", `SAN.exists(s, s.endsWith(".example.com"))`, "", "", ""},
		{"substring needs no prefix", `SAN.exists(s, s.contains("example"))`, "", "", ""},
		{"start of a prefix", `SAN.exists(s, s.startsWith("DNS"))`, "", "", ""},
		{"anchored regexp with prefix", `SAN.exists(s, s.matches("^(DNS|IP):"))`, "", "", ""},
		{"anchored regexp ignoring case", `SAN.exists(s, s.matches("(?i)^dns:api"))`, "", "", ""},
		{"empty string", `SAN.exists(s, s != "")`, "", "", ""},
		{"CN is not SAN", `CN == "client.example.com" && SAN.size() > 0`, "", "", ""},
		{"a local named SAN", `["x"].exists(SAN, SAN == "x")`, "", "", ""},
		{"mapped SAN is unknown", `SAN.map(s, s.substring(4)).exists(x, x == "api.example.com")`, "", "", ""},

		// A lower-case or unknown prefix, or a prefix where there is none.
		{"email:", `"email:ops@example.com" in SAN`, SANPrefix, `"email:ops@example.com"`, `"Email:ops@example.com"`},
		{"dns:", `SAN.exists(s, s == "dns:api.example.com")`, SANPrefix, `"dns:api.example.com"`, `"DNS:api.example.com"`},
		{"IP Address:", `SAN.exists(s, s.startsWith("IP Address:192.0.2."))`, SANPrefix, `"IP Address:192.0.2."`, `"IP:192.0.2."`},
		{"DNS Name:", `"DNS Name:api.example.com" in SAN`, SANPrefix, `"DNS Name:api.example.com"`, `"DNS:api.example.com"`},
		{"unknown prefix", `"Host:api.example.com" in SAN`, SANPrefix, `"Host:api.example.com"`, ""},
		{"contains with a wrong prefix", `SAN.exists(s, s.contains("email:ops"))`, SANPrefix, `"email:ops"`, `"Email:ops"`},
		{"lowered SAN wants lower-case prefixes", `SAN.exists(s, s.lowerAscii() == "DNS:api.example.com")`, SANPrefix, `"DNS:api.example.com"`, `"dns:api.example.com"`},
		{"lowered SAN", `SAN.exists(s, s.lowerAscii() == "dns:api.example.com")`, "", "", ""},
		{"raised SAN", `SAN.exists(s, s.upperAscii() == "EMAIL:OPS@EXAMPLE.COM")`, "", "", ""},
		{"prefix in cert.san.dns", `"DNS:api.example.com" in cert.san.dns`, SANPrefix, `"DNS:api.example.com"`, `"api.example.com"`},
		{"cert.san.dns without prefix", `"api.example.com" in cert.san.dns`, "", "", ""},

		// DN literals.
		{"slash form", `DN == "/C=US/O=Org/CN=x"`, DNSlashForm, `"/C=US/O=Org/CN=x"`, `"CN=x,O=Org,C=US"`},
		{"slash form with escapes", `cert.subject.dn == "/C=US/O=Acme, Inc./CN=b+OU=a"`, DNSlashForm, `"/C=US/O=Acme, Inc./CN=b+OU=a"`, `"CN=b+OU=a,O=Acme\\, Inc.,C=US"`},
		{"slash form in contains", `DN.contains("/O=Org")`, DNSlashForm, `"/O=Org"`, `"O=Org"`},
		{"slash form with a control character", `DN == "/C=US/CN=a\tb"`, DNSlashForm, `"/C=US/CN=a\tb"`, `"CN=a\\09b,C=US"`},
		{"slash form in endsWith", `DN.endsWith("/O=Org/CN=x")`, DNSlashForm, `"/O=Org/CN=x"`, ""},
		{"display order", `DN == "C=US,O=Org,CN=x"`, DNOrder, `"C=US,O=Org,CN=x"`, `"CN=x,O=Org,C=US"`},
		{"display order with spaces", `DN == "C=US, O=Org, CN=x"`, DNOrder, `"C=US, O=Org, CN=x"`, `"CN=x,O=Org,C=US"`},
		{"display order of DCs", `DN == "DC=com,DC=example,CN=x"`, DNOrder, `"DC=com,DC=example,CN=x"`, `"CN=x,DC=example,DC=com"`},
		{"spaces", `DN == "CN = x, O = y"`, DNFormat, `"CN = x, O = y"`, `"CN=x,O=y"`},
		{"lower-case names", `DN.startsWith("cn=x,o=y")`, DNFormat, `"cn=x,o=y"`, `"CN=x,O=y"`},
		{"any attribute certinfo names", `DN == "CN=x,businesscategory=y"`, DNFormat, `"CN=x,businesscategory=y"`, `"CN=x,businessCategory=y"`},
		{"issuer DN", `cert.issuer.dn == "CN=Acme Issuing CA"`, "", "", ""},
		{"RFC 4514", `DN == "CN=b+OU=a,O=Acme\\, Inc.,C=US"`, "", "", ""},
		{"DN part", `DN.contains("O=Acme")`, "", "", ""},
		{"slash field", `cert.subject.slash == "/CN=client.example.com"`, "", "", ""},
		{"lowered DN", `DN.lowerAscii() == "cn=x,o=y"`, "", "", ""},
		{"nginx's byte escapes", `DN == "CN=Zo\\C3\\AB,O=Org"`, DNGatewayEscapes, `"CN=Zo\\C3\\AB,O=Org"`, `"CN=Zoë,O=Org"`},
		{"nginx's byte escapes in contains", `DN.contains("O=M\\c3\\bcller")`, DNGatewayEscapes, `"O=M\\c3\\bcller"`, `"O=Müller"`},
		{"nginx's byte escapes in endsWith", `DN.endsWith("O=Zo\\C3\\AB")`, DNGatewayEscapes, `"O=Zo\\C3\\AB"`, `"O=Zoë"`},
		{"DN's own control escape", `DN == "CN=a\\00b"`, "", "", ""},
		{"escapes that are not UTF-8", `DN == "CN=a\\FFb"`, "", "", ""},
		{"UTF-8 as DN has it", `DN == "CN=Zoë,O=Org"`, "", "", ""},

		// IPv6 not in RFC 5952 form.
		{"IPv6 upper case, no ::", `"IP:2001:DB8:0:0:0:0:0:1" in SAN`, IPv6Form, `"IP:2001:DB8:0:0:0:0:0:1"`, `"IP:2001:db8::1"`},
		{"IPv6 leading zeros", `SAN.exists(s, s == "IP:2001:0db8::0010")`, IPv6Form, `"IP:2001:0db8::0010"`, `"IP:2001:db8::10"`},
		{"IPv4-mapped as hex", `"IP:::ffff:c000:201" in SAN`, IPv6Form, `"IP:::ffff:c000:201"`, `"IP:::ffff:192.0.2.1"`},
		{"cert.san.ip", `"2001:DB8::10" in cert.san.ip`, IPv6Form, `"2001:DB8::10"`, `"2001:db8::10"`},
		{"IPv6 canonical", `"IP:2001:db8::10" in SAN`, "", "", ""},
		{"IPv4", `"IP:192.0.2.10" in SAN`, "", "", ""},

		// Case-sensitive DNS names.
		{"DNS upper case", `SAN.exists(s, s == "DNS:API.Example.com")`, DNSCase, `"DNS:API.Example.com"`, `"DNS:api.example.com"`},
		{"DNS suffix upper case", `SAN.exists(s, s.endsWith(".Example.com"))`, DNSCase, `".Example.com"`, `".example.com"`},
		{"cert.san.dns upper case", `cert.san.dns.exists(d, d == "Api.example.com")`, DNSCase, `"Api.example.com"`, `"api.example.com"`},
		{"CN host name upper case", `CN.endsWith(".Example.com")`, DNSCase, `".Example.com"`, `".example.com"`},
		{"CN person", `CN == "John Doe"`, "", "", ""},
		{"DNS lower case", `SAN.exists(s, s == "DNS:api.example.com")`, "", "", ""},
		{"DNS lowered", `SAN.exists(s, s.lowerAscii().endsWith(".example.com"))`, "", "", ""},
		{"URI upper case is not DNS", `"URI:spiffe://Example.com/x" in SAN`, "", "", ""},

		// Regular expressions without anchors.
		{"unanchored SAN", `SAN.exists(s, s.matches("DNS:api.example.com"))`, RegexpUnanchored, `"DNS:api.example.com"`, `"^DNS:api\\.example\\.com$"`},
		{"unanchored CN", `CN.matches("client.example.com")`, RegexpUnanchored, `"client.example.com"`, `"^client\\.example\\.com$"`},
		{"unanchored, escaped dots", `matches(CN, "client\\.example\\.com")`, RegexpUnanchored, `"client\\.example\\.com"`, `"^client\\.example\\.com$"`},
		{"unanchored DN", `DN.matches("CN=client.example.com")`, RegexpUnanchored, `"CN=client.example.com"`, `"^CN=client\\.example\\.com$"`},
		{"anchored", `CN.matches("^client\\.example\\.com$")`, "", "", ""},
		{"a real pattern", `CN.matches("[a-z]+\\.example\\.com")`, "", "", ""},
		{"a word", `CN.matches("admin")`, "", "", ""},
		{"ignoring case", `CN.matches("(?i)client.example.com")`, RegexpUnanchored, `"(?i)client.example.com"`, `"(?i)^client\\.example\\.com$"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustCompile(t, tt.rule)
			ws := Check(p)
			if tt.id == "" {
				if len(ws) > 0 {
					t.Fatalf("Check(%s) = %s: %s, want no warning", tt.rule, ws[0].ID, ws[0].Message)
				}
				return
			}
			if len(ws) != 1 {
				t.Fatalf("Check(%s) = %d warnings %v, want one %s", tt.rule, len(ws), ws, tt.id)
			}
			w := ws[0]
			if w.ID != tt.id || w.Severity != "warning" {
				t.Fatalf("Check(%s) = %s %s: %s, want a warning %s", tt.rule, w.Severity, w.ID, w.Message, tt.id)
			}
			if got := string([]rune(tt.rule)[w.Start:w.End]); got != tt.at {
				t.Errorf("Check(%s) underlines %q, want %q", tt.rule, got, tt.at)
			}
			if w.Line != 1 || w.Column != w.Start+1 || !strings.Contains(w.Snippet, "^") {
				t.Errorf("Check(%s) at %d:%d (start %d), snippet %q", tt.rule, w.Line, w.Column, w.Start, w.Snippet)
			}
			if w.Message == "" || w.Fix == "" {
				t.Errorf("Check(%s): message %q, fix %q; want both", tt.rule, w.Message, w.Fix)
			}
			switch {
			case tt.fix == "" && len(w.Edits) > 0:
				t.Errorf("Check(%s) edits = %+v, want none", tt.rule, w.Edits)
			case tt.fix != "" && (len(w.Edits) != 1 || w.Edits[0].Replacement != tt.fix || w.Edits[0].Start != w.Start || w.Edits[0].End != w.End):
				t.Errorf("Check(%s) edits = %+v, want %s over [%d, %d)", tt.rule, w.Edits, tt.fix, w.Start, w.End)
			case tt.fix != "":
				// The fixed rule compiles and has no warning of the same kind.
				e := w.Edits[0]
				rs := []rune(tt.rule)
				fixed := string(rs[:e.Start]) + e.Replacement + string(rs[e.End:])
				for _, w2 := range Check(mustCompile(t, fixed)) {
					if w2.ID == w.ID {
						t.Errorf("Check(%s) (fixed) = %s: %s", fixed, w2.ID, w2.Message)
					}
				}
			}
		})
	}
}

func TestLintWithCertificate(t *testing.T) {
	good := goodClient()
	cnOnly := goodClient()
	cnOnly.SANEntries, cnOnly.SAN = nil, certinfo.SAN{}
	mapped := goodClient()
	mapped.SANEntries = []string{"DNS:mapped.example.com", "IP:::ffff:192.0.2.1", "IP:192.0.2.1"}
	tests := []struct {
		name, rule string
		cert       *certinfo.Certificate
		id, at     string
	}{
		{"CN only", `CN == "client.example.com"`, good, CNOnly, "CN"},
		{"subject CN only", `cert.subject.cn.endsWith(".example.com")`, good, CNOnly, "cert.subject.cn"},
		{"CN only, no SAN", `CN == "client.example.com"`, cnOnly, "", ""},
		{"CN and SAN", `CN == "client.example.com" && "DNS:client.example.com" in SAN`, good, "", ""},
		{"CN and cert.san", `CN == "client.example.com" || cert.san.dns.exists(d, d == CN)`, good, "", ""},
		{"CN and SPIFFE", `CN != "" && cert.spiffe_id.startsWith("spiffe://example.com/")`, good, "", ""},
		{"issuer CN", `cert.issuer.cn == "Acme Issuing CA"`, good, "", ""},
		{"ip of an IPv4-mapped entry", `SAN.exists(s, s.startsWith("IP:") && cidr("192.0.2.0/24").containsIP(ip(s.substring(3))))`, mapped, IPv4MappedIPv6, "ip(s.substring(3))"},
		{"ip, no mapped entry", `SAN.exists(s, s.startsWith("IP:") && cidr("192.0.2.0/24").containsIP(ip(s.substring(3))))`, good, "", ""},
		{"no certificate", `CN == "client.example.com"`, nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := CheckWith(mustCompile(t, tt.rule), tt.cert)
			if tt.id == "" {
				if len(ws) > 0 {
					t.Fatalf("CheckWith(%s) = %s: %s, want none", tt.rule, ws[0].ID, ws[0].Message)
				}
				return
			}
			if len(ws) != 1 || ws[0].ID != tt.id {
				t.Fatalf("CheckWith(%s) = %v, want one %s", tt.rule, ws, tt.id)
			}
			if got := string([]rune(tt.rule)[ws[0].Start:ws[0].End]); got != tt.at {
				t.Errorf("CheckWith(%s) underlines %q, want %q", tt.rule, got, tt.at)
			}
			if ws[0].Fix == "" {
				t.Errorf("CheckWith(%s): no fix", tt.rule)
			}
		})
	}
	// The count is said as a person says it.
	oneSAN := goodClient()
	oneSAN.SANEntries = []string{"DNS:client.example.com"}
	for cert, want := range map[*certinfo.Certificate]string{oneSAN: "has 1 subjectAltName entry (", good: fmt.Sprintf("has %d subjectAltName entries (", len(good.SANEntries))} {
		if ws := CheckWith(mustCompile(t, `CN == "client.example.com"`), cert); len(ws) != 1 || !strings.Contains(ws[0].Message, want) {
			t.Errorf("CheckWith on %d SAN entries = %v, want a message with %q", len(cert.SANEntries), ws, want)
		}
	}
	// The mapped entry really makes a rule fail, as the warning says.
	p := mustCompile(t, `SAN.all(s, !s.startsWith("IP:") || cidr("192.0.2.0/24").containsIP(ip(s.substring(3))))`)
	v := goodVars()
	v.Cert = mapped
	if _, err := p.Eval(v); err == nil {
		t.Errorf("Eval on an IPv4-mapped IP SAN: no error; the ip_mapped warning says there is one")
	}
}

// TestLintMany: one rule with many problems gets each once, in source order.
func TestLintMany(t *testing.T) {
	p := mustCompile(t, `"test" in SAN || "email:x@example.com" in SAN || DN == "/C=US/CN=x" || "test" in SAN`)
	ws := Check(p)
	var ids []string
	for _, w := range ws {
		ids = append(ids, w.ID)
	}
	want := []string{SANNoPrefix, SANPrefix, DNSlashForm, SANNoPrefix}
	if strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Errorf("Lint = %v, want %v", ids, want)
	}
	for i := 1; i < len(ws); i++ {
		if ws[i].Start < ws[i-1].Start {
			t.Errorf("Lint: warnings out of order: %v", ws)
		}
	}
}
