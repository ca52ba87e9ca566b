//go:build !inspector

package engine

import (
	"strings"

	"github.com/mtlsplay/mtlsplay/internal/export"
	"github.com/mtlsplay/mtlsplay/internal/policy"
)

// ExportRequest is the "export" operation: the rule as a gateway's configuration
// (design 4, export), for the page's Export panel.
type ExportRequest struct {
	Rule    string `json:"rule"`
	Dialect string `json:"dialect,omitempty"`
	Gateway string `json:"gateway"`
	// Bundles are the bundles' names; the config names each as a file of that
	// name (made safe for a config), so the user saves the bundle under it.
	Bundles []string `json:"bundles,omitempty"`
}

// Export runs an ExportRequest. A gateway export does not know is bad_request,
// a rule that does not compile the compile error, as for decide.
func Export(req ExportRequest) (*export.Result, error) {
	if len(req.Bundles) > policy.MaxBundles {
		req.Bundles = req.Bundles[:policy.MaxBundles]
	}
	cel := ""
	if strings.TrimSpace(req.Rule) != "" {
		r, err := CompileRule(req.Rule, req.Dialect)
		if err != nil {
			return nil, err
		}
		cel = r.CEL
	}
	files := make([]string, 0, len(req.Bundles))
	for _, b := range req.Bundles {
		files = append(files, bundleFile(b))
	}
	res, err := export.Export(req.Gateway, cel, export.Options{Bundles: files, Rule: req.Rule})
	if err != nil {
		return nil, &Error{Code: CodeBadRequest, Message: err.Error()}
	}
	return res, nil
}

// bundleFile is a bundle's name as a file name any config can hold:
// /etc/ssl/NAME.pem with every character but letters, digits, ".", "-" and "_"
// as "-".
func bundleFile(name string) string {
	var b strings.Builder
	for _, r := range name {
		if len(b.String()) >= 64 {
			break
		}
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	s := strings.Trim(b.String(), "-.")
	if s == "" {
		s = "client-ca"
	}
	if !strings.HasSuffix(s, ".pem") {
		s += ".pem"
	}
	return "/etc/ssl/" + s
}
