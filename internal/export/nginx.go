package export

import (
	"fmt"
	"strings"
)

// renderNginx writes the maps and the server block of an http { } context. Each
// condition is a map from $ssl_client_s_dn to 0 or 1; nginx has no boolean
// operators, so a last map lists the combinations of those bits for which the
// rule is true (its truth table), and the location refuses any other.
func renderNginx(tree *node, opt Options, res *Result) string {
	var b strings.Builder
	b.WriteString(header("# ", res, opt, "nginx 1.22 with OpenSSL 3.0, Debian 12; tested"))
	b.WriteString("# Goes in the http { } block. $ssl_client_s_dn is the subject in OpenSSL's RFC 2253\n")
	b.WriteString("# form (non-ASCII bytes as \\XX, multi-valued RDN members reversed); the regexes\n")
	b.WriteString("# below match that form, so edit the rule in mtlsplay and export again.\n\n")
	var conds []string
	collect(tree, &conds)
	src := map[string][]string{}
	sources(tree, src)
	check := ""
	switch {
	case tree.op == "const" && tree.val:
	case tree.op == "const":
		check = "        return 403; # no certificate can satisfy the exported part of the rule\n"
	default:
		vars := make([]string, len(conds))
		for i, c := range conds {
			vars[i] = fmt.Sprintf("$%s_c%d", opt.Name, i+1)
			for _, s := range src[c] {
				fmt.Fprintf(&b, "# %s\n", oneLine(s))
			}
			fmt.Fprintf(&b, "map $ssl_client_s_dn %s {\n    %s 1;\n    default 0;\n}\n", vars[i], nginxQuote("~"+c))
		}
		fmt.Fprintf(&b, "# the rule: %s\n", oneLine(celText(tree, func(c string) string { return vars[index(conds, c)] })))
		fmt.Fprintf(&b, "map \"%s\" $%s_allow {\n", strings.Join(vars, ""), opt.Name)
		for row := 0; row < 1<<len(conds); row++ {
			truth := map[string]bool{}
			key := make([]byte, len(conds))
			for i, c := range conds {
				truth[c] = row>>(len(conds)-1-i)&1 == 1
				key[i] = '0'
				if truth[c] {
					key[i] = '1'
				}
			}
			if eval(tree, truth) {
				fmt.Fprintf(&b, "    %s 1;\n", key)
			}
		}
		b.WriteString("    default 0;\n}\n")
		check = "        if ($" + opt.Name + "_allow != 1) { return 403; }\n"
	}
	upstream := nginxUpstream(opt)
	if tree.op == "const" && !tree.val {
		upstream = ""
	}
	bundle := caFile(opt, res, "nginx reads one ssl_client_certificate file")
	fmt.Fprintf(&b, `
server {
    listen %s ssl;
    server_name %s;
    ssl_certificate     %s;
    ssl_certificate_key %s;
    ssl_client_certificate %s;
    ssl_verify_client on;
    ssl_verify_depth 16;

    location / {
%s%s    }
}
`, opt.Listen, opt.ServerName, opt.ServerCert, opt.ServerKey, bundle, check, upstream)
	res.Notes = append(res.Notes,
		"ssl_verify_client on: nginx answers 400 itself to a request without a trusted certificate; the rule's 403 comes only for trusted ones",
		"nginx compares the map keys as regular expressions over $ssl_client_s_dn: a string key would compare without case")
	return b.String()
}

func nginxUpstream(opt Options) string {
	if opt.Upstream == "" {
		return "        default_type text/plain;\n        return 200 \"accepted\\n\";\n"
	}
	return "        proxy_pass http://" + opt.Upstream + ";\n"
}

// caFile is the one CA file a gateway reads; several bundles must be joined.
func caFile(opt Options, res *Result, why string) string {
	if len(opt.Bundles) == 1 {
		return opt.Bundles[0]
	}
	res.Notes = append(res.Notes, why+": join the bundles first: cat "+strings.Join(opt.Bundles, " ")+" > mtlsplay-bundles.pem")
	return "mtlsplay-bundles.pem"
}

// nginxQuote writes s as a double-quoted nginx token: the parser turns \\ and \"
// back into \ and ", and keeps any other backslash.
func nginxQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func index(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// oneLine keeps a condition's text on one comment line.
func oneLine(s string) string {
	return commentSafe(strings.Join(strings.Fields(s), " "))
}
