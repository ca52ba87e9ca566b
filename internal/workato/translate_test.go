package workato

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestTranslate pins the CEL of every construct of the subset. What the CEL
// evaluates to on the test PKI is in eval_test.go.
func TestTranslate(t *testing.T) {
	tests := []struct{ name, formula, cel string }{
		// include?: Ruby's two meanings, chosen by the receiver's type.
		{"list include", `SAN.include?("DNS:api.example.com")`, `"DNS:api.example.com" in SAN`},
		{"list include without prefix", `SAN.include?("test")`, `"test" in SAN`},
		{"list member", `SAN.member?("IP:192.0.2.10")`, `"IP:192.0.2.10" in SAN`},
		{"string include", `CN.include?("example")`, `CN.contains("example")`},
		{"dn include", `DN.include?("CN=client")`, `DN.contains("CN=client")`},
		{"list exclude", `SAN.exclude?("DNS:evil.com")`, `!("DNS:evil.com" in SAN)`},
		{"string exclude", `CN.exclude?("evil")`, `!CN.contains("evil")`},
		{"array literal include", `["a.example.com", "client.example.com"].include?(CN)`, `CN in ["a.example.com", "client.example.com"]`},
		{"in?", `CN.in?(["a", 'b'])`, `CN in ["a", "b"]`},
		{"command argument", `SAN.include? "DNS:api.example.com"`, `"DNS:api.example.com" in SAN`},

		{"start_with", `CN.start_with?("client.")`, `CN.startsWith("client.")`},
		{"starts_with alias", `CN.starts_with?("client.")`, `CN.startsWith("client.")`},
		{"start_with several", `CN.start_with?("api.", "client.")`, `(CN.startsWith("api.") || CN.startsWith("client."))`},
		{"start_with regexp", `CN.start_with?(/cl[a-z]+/)`, `CN.matches(r"\A(?:cl[a-z]+)")`},
		{"end_with", `CN.end_with?(".example.com")`, `CN.endsWith(".example.com")`},
		{"ends_with alias", `DN.ends_with?("CN=client.example.com")`, `DN.endsWith("CN=client.example.com")`},

		{"match regexp", `CN.match?(/\Aclient\./)`, `CN.matches(r"\Aclient\.")`},
		{"match ignore case", `CN.match?(/^CLIENT/i)`, `CN.matches(r"(?im)^CLIENT")`},
		{"match string pattern", `CN.match?("^client")`, `CN.matches(r"(?m)^client")`},
		{"match dotall", `CN.match?(/a.b/m)`, `CN.matches(r"(?s)a.b")`},
		{"regexp match?", `/^client/.match?(CN)`, `CN.matches(r"(?m)^client")`},
		{"=~", `CN =~ /example\.com$/`, `CN.matches(r"(?m)example\.com$")`},
		{"=~ reversed", `/^client/ =~ CN`, `CN.matches(r"(?m)^client")`},
		{"!~", `CN !~ /evil/`, `!CN.matches(r"evil")`},

		{"downcase", `CN.downcase == "client.example.com"`, `CN.lowerAscii() == "client.example.com"`},
		{"upcase", `CN.upcase == "CLIENT.EXAMPLE.COM"`, `CN.upperAscii() == "CLIENT.EXAMPLE.COM"`},
		{"strip", `" client ".strip == "client"`, `" client ".trim() == "client"`},
		{"chain of methods", `CN.strip.downcase.end_with?(".com")`, `CN.trim().lowerAscii().endsWith(".com")`},
		{"casecmp?", `CN.casecmp?("CLIENT.example.com")`, `CN.lowerAscii() == "CLIENT.example.com".lowerAscii()`},
		{"eql?", `CN.eql?("x")`, `CN == "x"`},

		{"string present", `CN.present?`, `CN.trim() != ""`},
		{"string blank", `DN.blank?`, `DN.trim() == ""`},
		{"string empty", `CN.empty?`, `CN == ""`},
		{"list present", `SAN.present?`, `size(SAN) > 0`},
		{"list blank", `SAN.blank?`, `size(SAN) == 0`},
		{"list empty", `SAN.empty?`, `size(SAN) == 0`},
		{"list size", `SAN.size == 6`, `size(SAN) == 6`},
		{"list length", `SAN.length >= 2`, `size(SAN) >= 2`},
		{"list count", `SAN.count > 0`, `size(SAN) > 0`},
		{"string size", `CN.size < 64`, `CN.size() < 64`},
		{"string length", `CN.length() <= 64`, `CN.size() <= 64`},
		{"negative number", `-1 < SAN.size`, `-1 < size(SAN)`},
		{"zero?", `SAN.size.zero?`, `size(SAN) == 0`},

		{"any block", `SAN.any? { |s| s.start_with?("URI:spiffe://") }`, `SAN.exists(s, s.startsWith("URI:spiffe://"))`},
		{"any do block", "SAN.any? do |s|\n  s == \"IP:192.0.2.10\"\nend", `SAN.exists(s, s == "IP:192.0.2.10")`},
		{"any implicit it", `SAN.any? { it.end_with?("example.com") }`, `SAN.exists(it, it.endsWith("example.com"))`},
		{"any numbered parameter", `SAN.any? { _1.end_with?("example.com") }`, `SAN.exists(it, it.endsWith("example.com"))`},
		{"all block", `SAN.all? { |entry| entry.include?(":") }`, `SAN.all(entry, entry.contains(":"))`},
		{"none block", `SAN.none? { |s| s.start_with?("DNS:evil") }`, `!SAN.exists(s, s.startsWith("DNS:evil"))`},
		{"one block", `SAN.one? { |e| e.start_with?("Email:") }`, `SAN.exists_one(e, e.startsWith("Email:"))`},
		{"count block", `SAN.count { |s| s.start_with?("DNS:") } == 2`, `size(SAN.filter(s, s.startsWith("DNS:"))) == 2`},
		{"any without block", `SAN.any?`, `size(SAN) > 0`},
		{"none without block", `SAN.none?`, `size(SAN) == 0`},
		{"any regexp pattern", `SAN.any?(/^IP:/)`, `SAN.exists(s, s.matches(r"(?m)^IP:"))`},
		{"any string pattern", `SAN.any?("IP:192.0.2.10")`, `"IP:192.0.2.10" in SAN`},
		{"none string pattern", `SAN.none?("DNS:evil.com")`, `!("DNS:evil.com" in SAN)`},
		{"nested blocks", `SAN.any? { |s| SAN.all? { |t| t.size > s.size or s == t } }`, `SAN.exists(s, SAN.all(t, t.size() > s.size() || s == t))`},
		{"block parameter CEL reserves", `SAN.any? { |var| var == "x" }`, `SAN.exists(var_, var_ == "x")`},
		{"block reads outer names", `SAN.any? { |s| s == "DNS:" + "x" || s.end_with?(CN) }`, ``}, // + is refused; see errors
		{"join", `SAN.join(",").include?("Email:ops")`, `SAN.join(",").contains("Email:ops")`},

		// Operators, with Ruby's precedence kept by parentheses where CEL's differs.
		{"and", `CN.present? && SAN.present?`, `CN.trim() != "" && size(SAN) > 0`},
		{"or", `CN.empty? || SAN.present?`, `CN == "" || size(SAN) > 0`},
		{"not", `!CN.empty?`, `!(CN == "")`},
		{"and keyword", `CN.present? and SAN.present?`, `CN.trim() != "" && size(SAN) > 0`},
		{"or keyword", `CN.empty? or SAN.present?`, `CN == "" || size(SAN) > 0`},
		{"not keyword", `not CN.empty?`, `!(CN == "")`},
		{"and/or left to right", `true or true and false`, `(true || true) && false`},
		{"and/or left to right 2", `false and false or true`, `false && false || true`},
		{"not is loose", `not false && false`, `!(false && false)`},
		{"bang is tight", `!false && false`, `!false && false`},
		{"parentheses", `(CN.empty? || true) && false`, `(CN == "" || true) && false`},
		{"comparisons", `CN != "x" && CN < "d" && CN > "a" && CN <= "d" && CN >= "a"`, `CN != "x" && CN < "d" && CN > "a" && CN <= "d" && CN >= "a"`},
		{"booleans", `CN.present? == true`, `CN.trim() != "" == true`},

		// Literals.
		{"single quotes keep backslashes", `'CN=b+OU=a,O=Acme\, Inc.,C=US' == DN`, `"CN=b+OU=a,O=Acme\\, Inc.,C=US" == DN`},
		{"single quote escapes", `'it\'s \\' == CN`, `"it's \\" == CN`},
		{"double quote escapes", `"\x41\u0042\u{43 44}\s\t" == CN`, `"ABCD \t" == CN`},
		{"double quote drops unknown escape", `"a\.b" == CN`, `"a.b" == CN`},
		{"comment", "# allow the client\nCN.present? # by CN", `CN.trim() != ""`},
		{"unicode", `CN == "Zoë Ångström"`, `CN == "Zoë Ångström"`},
		{"regexp with quote", `CN.match?(/"x"/)`, `CN.matches(r'"x"')`},
		{"regexp named group", `CN.match?(/(?<host>[a-z]+)\.example/)`, `CN.matches(r"(?P<host>[a-z]+)\.example")`},
		{"regexp hex class", `CN.match?(/\h+/)`, `CN.matches(r"[0-9a-fA-F]+")`},
		{"regexp slash", `SAN.any?(/^URI:spiffe:\/\//)`, `SAN.exists(s, s.matches(r"(?m)^URI:spiffe://"))`},
		{"regexp {,n}", `CN.match?(/a{,3}/)`, `CN.matches(r"a{0,3}")`},
		{"regexp comment group", `CN.match?(/a(?#note)b/)`, `CN.matches(r"ab")`},
		{"regexp inline m is s", `CN.match?(/(?mi:a.b)/)`, `CN.matches(r"(?si:a.b)")`},
		{"regexp \\Z", `CN.match?(/com\Z/)`, `CN.matches(r"com(?:\n?\z)")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := Translate(tt.formula)
			if tt.cel == "" {
				if err == nil {
					t.Fatalf("Translate(%q) = %q, want an error", tt.formula, tr.CEL)
				}
				return
			}
			if err != nil {
				t.Fatalf("Translate(%q) = %v", tt.formula, err)
			}
			if tr.CEL != tt.cel {
				t.Errorf("Translate(%q).CEL =\n  %s\nwant\n  %s", tt.formula, tr.CEL, tt.cel)
			}
			checkMap(t, tt.formula, tr)
		})
	}
}

// checkMap checks that the source map stays inside both texts and maps the whole
// CEL to the whole formula.
func checkMap(t *testing.T, formula string, tr *Translation) {
	t.Helper()
	nf, nc := utf8.RuneCountInString(formula), utf8.RuneCountInString(tr.CEL)
	for _, m := range tr.Map {
		if m.Start < 0 || m.End > nf || m.Start >= m.End || m.CELStart < 0 || m.CELEnd > nc || m.CELStart >= m.CELEnd {
			t.Fatalf("Translate(%q): mapping %+v out of range (formula %d, CEL %d code points)", formula, m, nf, nc)
		}
		if m.Literal {
			f := string([]rune(formula)[m.Start:m.End])
			if !strings.ContainsAny(f[:1], `"'/[`) {
				t.Errorf("Translate(%q): literal mapping %+v covers %q", formula, m, f)
			}
		}
	}
	if s, e := tr.ToFormula(0, nc); s > e || e > nf {
		t.Errorf("Translate(%q): ToFormula(whole CEL) = [%d, %d)", formula, s, e)
	}
}

func TestSourceMap(t *testing.T) {
	tr, err := Translate(`CN.present? and SAN.include?("test")`)
	if err != nil {
		t.Fatal(err)
	}
	// CEL: CN.trim() != "" && "test" in SAN
	cel := []rune(tr.CEL)
	find := func(s string) (int, int) {
		i := strings.Index(tr.CEL, s)
		if i < 0 {
			t.Fatalf("%q not in %q", s, tr.CEL)
		}
		start := utf8.RuneCountInString(tr.CEL[:i])
		return start, start + utf8.RuneCountInString(s)
	}
	_ = cel
	for _, tt := range []struct{ cel, formula string }{
		{`"test"`, `"test"`},
		{`"test" in SAN`, `SAN.include?("test")`},
		{`in`, `include?`},
		{`CN.trim() != ""`, `CN.present?`},
		{`trim`, `CN.present?`}, // added by the translation: the call it belongs to
		{`&&`, `and`},
		{`SAN`, `SAN`},
	} {
		s, e := find(tt.cel)
		fs, fe := tr.ToFormula(s, e)
		if got := string([]rune(tr.Formula)[fs:fe]); got != tt.formula {
			t.Errorf("ToFormula(%q) = %q, want %q", tt.cel, got, tt.formula)
		}
	}
	s, e := find(`"test"`)
	if m, ok := tr.Map.Literal(s, e); !ok || m.Start != 29 || m.End != 35 {
		t.Errorf("Map.Literal(\"test\") = %+v, %v; want [29, 35)", m, ok)
	}
	if len(tr.ListIncludes) != 1 || tr.ListIncludes[0] != (Range{29, 35}) {
		t.Errorf("ListIncludes = %v, want [{29 35}]", tr.ListIncludes)
	}
}

// TestTranslateErrors: everything outside the subset is an error at its column,
// naming the construct and, where there is one, the CEL way.
func TestTranslateErrors(t *testing.T) {
	tests := []struct {
		name, formula string
		line, col     int
		want          []string // substrings of the message
	}{
		{"each", `SAN.each { |s| s == "x" }`, 1, 5, []string{"`SAN.each` is not supported", "SAN.any? { |s| … }", "SAN.exists(s, …)"}},
		{"each on line 2", "CN.present? &&\n  SAN.each { |s| true }", 2, 7, []string{"SAN.each"}},
		{"column counts code points", `"é😀" == CN && SAN.each {|s| true}`, 1, 19, []string{"SAN.each"}},
		{"map", `SAN.map { |s| s.downcase }.include?("x")`, 1, 5, []string{"`map`", "SAN.map(s, …)"}},
		{"select", `SAN.select { |s| s.start_with?("DNS:") }.size > 0`, 1, 5, []string{"`select`", "SAN.filter(s, …)"}},
		{"find", `SAN.find { |s| s == "x" }`, 1, 5, []string{"SAN.exists(s, …)"}},
		{"first", `SAN.first == "DNS:x"`, 1, 5, []string{"`first`", "SAN[0]"}},
		{"grep", `SAN.grep(/x/).any?`, 1, 5, []string{"s.matches"}},
		{"contains on list", `SAN.contains("x")`, 1, 5, []string{"not a Ruby method", `SAN.include?("DNS:api.example.com")`}},
		{"CEL exists", `SAN.exists(s, s == "x")`, 1, 5, []string{"`exists` is CEL", "any?"}},
		{"CEL startsWith", `CN.startsWith("x")`, 1, 4, []string{"`startsWith` is CEL", "start_with?"}},
		{"CEL size()", `size(SAN) > 0`, 1, 1, []string{"is CEL", "SAN.size"}},
		{"string method on list", `SAN.start_with?("DNS:")`, 1, 5, []string{"works on one entry", "SAN.any? { |s| s.start_with?(…) }", "SAN.exists(s, s.startsWith(…))"}},
		{"list method on string", `CN.any? { |c| c == "x" }`, 1, 4, []string{"CN is a string", "list"}},
		{"split", `CN.split(".").include?("x")`, 1, 4, []string{"`split`", `CN.split(".")`}},
		{"gsub", `CN.gsub("a", "b") == "x"`, 1, 4, []string{"`gsub`", "replace"}},
		{"nil?", `CN.nil?`, 1, 4, []string{"never nil", "CN.blank?"}},
		{"bang method", `CN.downcase! == "x"`, 1, 4, []string{"in place", "downcase"}},
		{"lookbehind", `CN =~ /(?<=a)b/`, 1, 8, []string{"lookbehind", "RE2"}},
		{"lookahead", `CN.match?(/a(?=b)/)`, 1, 13, []string{"lookahead"}},
		{"negative lookahead", `CN.match?(/a(?!b)/)`, 1, 13, []string{"lookahead"}},
		{"backreference", `CN =~ /(a)\1/`, 1, 11, []string{"backreferences", `\1`}},
		{"named backreference", `CN =~ /(?<x>a)\k<x>/`, 1, 15, []string{"named backreferences"}},
		{"atomic group", `CN.match?(/(?>a)/)`, 1, 12, []string{"atomic"}},
		{"possessive", `CN.match?(/a++/)`, 1, 13, []string{"possessive"}},
		{"class intersection", `CN.match?(/[a-z&&[^b]]/)`, 1, 16, []string{"intersection"}},
		{"nested class", `CN.match?(/[a-z[0-9]]/)`, 1, 16, []string{"nested character classes"}},
		{"regexp x flag", `CN.match?(/a b/x)`, 1, 16, []string{"x (extended)"}},
		{"invalid regexp", `CN.match?(/a(b/)`, 1, 11, []string{"not valid in RE2", "missing closing )"}},
		{"lookbehind in string pattern", `CN.match?("(?<=a)b")`, 1, 11, []string{"lookbehind"}},
		{"nil comparison", `CN == nil`, 1, 1, []string{"nil", "CN.blank?"}},
		{"string as condition", `CN`, 1, 1, []string{"`CN` is a string", "CN.present?"}},
		{"list as condition", `SAN && true`, 1, 1, []string{"`SAN` is a list", `SAN.include?`}},
		{"number as condition", `SAN.size`, 1, 1, []string{"is a number", "> 0"}},
		{"block not a condition", `SAN.any? { |s| s }`, 1, 16, []string{"block must be true or false"}},
		{"string and number", `CN == 1`, 1, 1, []string{"never equal"}},
		{"ordering lists", `SAN < SAN`, 1, 1, []string{"compares numbers or strings"}},
		{"=~ needs a regexp", `CN =~ "x"`, 1, 7, []string{"needs a regexp"}},
		{"cert", `cert.subject.cn == "x"`, 1, 1, []string{"`cert` is not available", "CEL"}},
		{"name case", `Cn == "x"`, 1, 1, []string{"did you mean CN?"}},
		{"unknown name", `foo == "x"`, 1, 1, []string{"unknown name `foo`"}},
		{"it outside a block", `it == "x"`, 1, 1, []string{"only inside a block"}},
		{"unknown block name", `SAN.any? { |s| t == "x" }`, 1, 16, []string{"unknown name `t`", "(s)"}},
		{"two block parameters", `SAN.any? { |s, t| true }`, 1, 16, []string{"one parameter"}},
		{"all without block", `SAN.all?`, 1, 5, []string{"needs a block"}},
		{"block on include", `SAN.include?("x") { |s| true }`, 1, 5, []string{"does not take a block"}},
		{"argument count", `SAN.include?("a", "b")`, 1, 5, []string{"takes one argument, not 2"}},
		{"argument type", `SAN.include?(1)`, 1, 14, []string{"takes a string"}},
		{"end_with regexp", `CN.end_with?(/x/)`, 1, 14, []string{"not a regexp"}},
		{"ternary", `CN.present? ? true : false`, 1, 13, []string{"ternary", "c ? a : b"}},
		{"plus", `CN + "x" == "y"`, 1, 4, []string{"+ is not supported", `"DNS:" + CN`}},
		{"minus", `SAN.size - 1 > 0`, 1, 10, []string{"arithmetic"}},
		{"assignment", `x = 1`, 1, 3, []string{"= assigns", "=="}},
		{"case equality", `/x/ === CN`, 1, 5, []string{"==="}},
		{"chained comparison", `CN == "a" == true`, 1, 11, []string{"do not chain"}},
		{"interpolation", `"#{CN}" == "x"`, 1, 2, []string{"interpolation", `"DNS:" + CN`}},
		{"symbol", `CN == :foo`, 1, 7, []string{"symbols", `"foo"`}},
		{"percent literal", `%w[a b].include?(CN)`, 1, 1, []string{"%w", `["a", "b"]`}},
		{"indexing", `SAN[0] == "x"`, 1, 4, []string{"indexing", "SAN[0]"}},
		{"safe navigation", `CN&.present?`, 1, 3, []string{"safe navigation"}},
		{"modifier if", `CN.present? if true`, 1, 13, []string{"`if`"}},
		{"semicolon", `CN.present?; true`, 1, 12, []string{"one expression"}},
		{"two expressions", `CN == "a" CN == "b"`, 1, 11, []string{"join conditions with && or ||"}},
		{"unclosed string", `CN == "abc`, 1, 7, []string{"not closed"}},
		{"unclosed single-quoted", `CN == 'abc`, 1, 7, []string{"not closed"}},
		{"unclosed regexp", `CN =~ /abc`, 1, 7, []string{"not closed"}},
		{"unclosed parenthesis", `SAN.include?("x"`, 1, 13, []string{"not closed: add )"}},
		{"unclosed block", `SAN.any? { |s| s == "x"`, 1, 10, []string{"not closed: add }"}},
		{"float", `SAN.size > 1.5`, 1, 12, []string{"whole decimal numbers"}},
		{"byte escape", `CN == "\xff"`, 1, 8, []string{"not a character"}},
		{"empty", ``, 1, 1, []string{"formula is empty"}},
		{"only a comment", `# nothing`, 1, 10, []string{"formula is empty"}},
		{"empty parentheses", `()`, 1, 2, []string{"empty parentheses"}},
		{"if keyword", `if CN then true end`, 1, 1, []string{"`if` is not supported"}},
		{"instance variable", `@cn == "x"`, 1, 1, []string{"variables"}},
		{"function call", `include?(SAN, "x")`, 1, 1, []string{"function calls"}},
		{"deep nesting", strings.Repeat("(", 1000) + "true" + strings.Repeat(")", 1000), 1, 25, []string{"nests too deeply"}},
		{"deep negation", strings.Repeat("!", 1000) + "true", 1, 24, []string{"nests too deeply"}},
		{"too long", `CN == "` + strings.Repeat("a", MaxSourceBytes) + `"`, 1, 1, []string{"too long"}},
		{"too many tokens", strings.Repeat("!", 5000) + "true", 1, 4097, []string{"too long", "tokens"}},
		{"invalid UTF-8", "CN == \"a\xffb\"", 1, 9, []string{"UTF-8"}},
		{"unexpected character", `CN == "a" ¤`, 1, 11, []string{"unexpected character"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := Translate(tt.formula)
			if err == nil {
				t.Fatalf("Translate(%q) = %q, want an error", short(tt.formula), tr.CEL)
			}
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("Translate(%q) = %T %v, want *Error", short(tt.formula), err, err)
			}
			if e.Line != tt.line || e.Column != tt.col {
				t.Errorf("Translate(%q) = %v, want position %d:%d", short(tt.formula), e, tt.line, tt.col)
			}
			for _, w := range tt.want {
				if !strings.Contains(e.Message, w) {
					t.Errorf("Translate(%q) = %q, want it to mention %q", short(tt.formula), e.Message, w)
				}
			}
			n := utf8.RuneCountInString(tt.formula)
			if e.Start < 0 || e.End > n || e.End < e.Start {
				t.Errorf("Translate(%q): range [%d, %d) outside the formula (%d code points)", short(tt.formula), e.Start, e.End, n)
			}
		})
	}
}

func short(s string) string {
	if len(s) > 60 {
		return s[:57] + "…"
	}
	return s
}

func TestRubyToRE2(t *testing.T) {
	tests := []struct{ ruby, flags, want string }{
		{`^DNS:.*\.example\.com$`, "", `(?m)^DNS:.*\.example\.com$`},
		{`\Aclient\z`, "", `\Aclient\z`},
		{`abc`, "i", `(?i)abc`},
		{`a.c`, "mi", `(?is)a.c`},
		{`\h\H[\h_]`, "", `[0-9a-fA-F][^0-9a-fA-F][0-9a-fA-F_]`},
		{`\e\u00e9\u{1F600}\x41\0`, "", `\x1B\x{00e9}\x{1F600}\x{41}\x{0}`},
		{`(?<name>x)(?'other'y)`, "", `(?P<name>x)(?P<other>y)`},
		{`a{2}b{2,}c{,3}d{1,2}?`, "", `a{2}b{2,}c{0,3}d{1,2}?`},
		{`x{`, "", `x\{`},
		{`a}`, "", `a\}`},
		{`[[:alpha:]]+`, "", `[[:alpha:]]+`},
		{`[]a]`, "", `[]a]`},
		{`\/\.\ \#`, "", `/\. #`},
		{`\p{Greek}\P{L}`, "", `\p{Greek}\P{L}`},
		{`a\R`, "", `a(?:\r\n|[\n\v\f\r\x{85}\x{2028}\x{2029}])`},
	}
	for _, tt := range tests {
		p, b, err := rubyToRE2(tt.ruby, tt.flags)
		if err != nil {
			t.Errorf("rubyToRE2(%q, %q) = %v", tt.ruby, tt.flags, err.msg)
			continue
		}
		if p+b != tt.want {
			t.Errorf("rubyToRE2(%q, %q) = %q, want %q", tt.ruby, tt.flags, p+b, tt.want)
		}
	}
}

func TestLooks(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		{`SAN.include?("x")`, true},
		{`SAN.include?("x"`, true},
		{`CN =~ /x/`, true},
		{`CN.present? and true`, true},
		{`not CN.empty?`, true},
		{`SAN.any? { |s| s }`, true},
		{`CN.downcase == "x"`, true},
		{`CN == nil`, true},
		{`"#{CN}`, true},
		{`CN == "x"`, false},
		{`SAN.exists(s, s == "x"`, false},
		{`CM == "x"`, false},
		{"// a CEL comment\nCN == ", false},
		{`cert.not_after > now`, false},
		{`"unclosed`, false},
		{``, false},
	}
	for _, tt := range tests {
		if got := Looks(tt.src); got != tt.want {
			t.Errorf("Looks(%q) = %v, want %v", tt.src, got, tt.want)
		}
	}
}
