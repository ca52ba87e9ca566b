package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/export"
	"github.com/mtlsplay/mtlsplay/server/authz"
)

func TestExportCommand(t *testing.T) {
	root, err := filepath.Abs("../../testdata/pki/root.pem")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "mtlsplay.yaml")
	pki := func(f string) string { p, _ := filepath.Abs("../../testdata/pki/" + f); return p }
	yaml := fmt.Sprintf("tls: {cert: %s, key: %s}\nclients:\n  - name: partner-a\n    bundles: [%s]\n    rule: 'CN.include?(\"client\")'\n",
		pki("server-localhost-chain.pem"), pki("server-localhost.key"), root)
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	outFile := filepath.Join(dir, "nginx.conf")
	tests := []struct {
		name      string
		args      []string
		code      int
		stdout    []string // each must appear
		stderr    []string
		noStdout  bool
		fileHolds string
	}{
		{"nginx, fully expressed", []string{"export", "--gateway", "nginx", "--bundle", root, "--rule", `CN == "client.example.com"`},
			exitOK, []string{"ssl_client_certificate " + root, "ssl_verify_client on;", `CN=client\\x2Eexample\\x2Ecom`, "fully expressed"}, nil, false, ""},
		{"haproxy, partial", []string{"export", "--gateway", "haproxy", "--bundle", root, "--rule", `"DNS:api.example.com" in SAN || CN == "x"`},
			exitPartial, []string{"PARTIAL", "ca-file " + root, "acl mtls_c1 ssl_c_s_dn(,0,rfc2253) -m reg", "--delegate"},
			[]string{"not expressed: \"DNS:api.example.com\" in SAN: HAProxy 2.6 has no fetch", "partial:"}, false, ""},
		{"caddy from a config client's formula", []string{"export", "--gateway", "caddy", "--config", cfg, "--client", "partner-a"},
			exitOK, []string{"trusted_ca_cert_file " + root, `CN.include?("client")`, "@mtls_refused not expression", "matches("}, nil, false, ""},
		{"envoy", []string{"export", "--gateway", "envoy", "--bundle", root, "--rule", `"Eng" in cert.subject.organizational_unit`},
			exitOK, []string{"envoy.filters.http.rbac", `"function":"matches"`, "subject_peer_certificate"}, nil, false, ""},
		{"-o writes the file", []string{"export", "--gateway", "nginx", "--bundle", root, "--rule", `CN == "a"`, "-o", outFile},
			exitOK, nil, nil, true, "map $ssl_client_s_dn $mtls_c1"},
		{"unknown gateway", []string{"export", "--gateway", "traefik", "--bundle", root}, exitBadInput, nil, []string{"--gateway must be one of"}, true, ""},
		{"no bundle", []string{"export", "--gateway", "nginx", "--rule", "true"}, exitBadInput, nil, []string{"--bundle"}, true, ""},
		{"client without config", []string{"export", "--gateway", "nginx", "--client", "x"}, exitBadInput, nil, []string{"go together"}, true, ""},
		{"unknown client", []string{"export", "--gateway", "nginx", "--config", cfg, "--client", "nobody"}, exitBadInput, nil, []string{`no client named "nobody"`}, true, ""},
		{"bad rule", []string{"export", "--gateway", "nginx", "--bundle", root, "--rule", "CN =="}, exitBadInput, nil, []string{"rule:1:"}, true, ""},
		{"not a bundle", []string{"export", "--gateway", "nginx", "--bundle", cfg, "--rule", "true"}, exitBadInput, nil, []string{"mtlsplay:"}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", tt.args...)
			if code != tt.code {
				t.Fatalf("mtlsplay %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(tt.args, " "), code, tt.code, stdout, stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			if tt.noStdout && stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if tt.fileHolds != "" {
				b, err := os.ReadFile(outFile)
				if err != nil || !strings.Contains(string(b), tt.fileHolds) {
					t.Errorf("-o file: %v, lacks %q:\n%s", err, tt.fileHolds, b)
				}
			}
		})
	}
}

// TestExportPartialPointsToWorkingDelegate: a partial export points its reader
// to the delegate recipe, in the config and on standard error; the command it
// names must work (HAProxy has no recipe: it was told to run one that exits 2).
func TestExportPartialPointsToWorkingDelegate(t *testing.T) {
	root, err := filepath.Abs("../../testdata/pki/root.pem")
	if err != nil {
		t.Fatal(err)
	}
	command := regexp.MustCompile(`mtlsplay export --gateway (\w+) --delegate`)
	for _, gw := range export.Gateways() {
		// A SAN condition of a type none of the four can see: partial everywhere.
		code, out, errs := runCLI(t, "", "export", "--gateway", gw, "--bundle", root, "--rule", `"UPN:a@example.com" in SAN`)
		if code != exitPartial {
			t.Fatalf("export --gateway %s = %d, want %d\n%s", gw, code, exitPartial, errs)
		}
		hints := command.FindAllStringSubmatch(out+errs, -1)
		if slices.Contains(authz.RecipeGateways, gw) && len(hints) != 2 {
			t.Errorf("export --gateway %s: %d delegate commands in the config and on stderr, want 2\n%s%s", gw, len(hints), out, errs)
		}
		for _, h := range hints {
			if code, _, errs := runCLI(t, "", "export", "--gateway", h[1], "--delegate"); code != exitOK {
				t.Errorf("export --gateway %s points to %q, which exits %d: %s", gw, h[0], code, errs)
			}
		}
	}
}

// TestExportInlineBundle: a config client whose bundle is PEM written in the
// config (as the page's suite export and "Serve it yourself" write it) has no
// file for the gateway to open; the export named a file that does not exist
// ("ssl_client_certificate DIR/partner-roots;") and exited 0. It is bad input.
func TestExportInlineBundle(t *testing.T) {
	root, err := os.ReadFile("../../testdata/pki/root.pem")
	if err != nil {
		t.Fatal(err)
	}
	indented := "        " + strings.ReplaceAll(strings.TrimSpace(string(root)), "\n", "\n        ") + "\n"
	dir := t.TempDir()
	for name, bundle := range map[string]string{
		"partner-roots":   "      - name: partner-roots\n        pem: |\n  " + strings.ReplaceAll(indented, "\n        ", "\n          "),
		"inline bundle 1": "      - |\n" + indented,
	} {
		cfg := filepath.Join(dir, "mtlsplay.yaml")
		if err := os.WriteFile(cfg, []byte("clients:\n  - name: a\n    bundles:\n"+bundle+"    rule: CN == \"x\"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errs := runCLI(t, "", "export", "--gateway", "nginx", "--config", cfg, "--client", "a")
		want := "mtlsplay: " + cfg + `: client "a": bundle "` + name + `" is PEM written in the config, not a file the gateway can open`
		if code != exitBadInput || out != "" || !strings.HasPrefix(errs, want) {
			t.Errorf("export of a client with bundle %q = %d, stdout %q, stderr %q; want 2 and %q", name, code, clip(out), errs, want)
		}
	}
}
