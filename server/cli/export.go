package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/export"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/trust"
	"github.com/mtlsplay/mtlsplay/server/config"
)

// export: the rule as a gateway's own configuration.

// exitPartial is export's status when the gateway cannot express the whole rule:
// the config is written, and says what it leaves out.
const exitPartial = 3

func (c *cli) exportCmd(args []string) int {
	fs := c.flags("export", "--gateway nginx|haproxy|caddy|envoy (--config FILE --client NAME | --bundle CA.pem […] [--rule EXPR | --rule-file F] [--dialect D]) [--cert F] [--key F] [--listen ADDR] [--server-name NAME] [--upstream HOST:PORT] [-o FILE]")
	gw := fs.String("gateway", "", "the gateway to write the config for: "+strings.Join(export.Gateways(), ", "))
	configPath := fs.String("config", "", "the YAML config that defines --client")
	client := fs.String("client", "", "export this client of --config: its bundles and its rule")
	dialectName := fs.String("dialect", "auto", "the rule's language: cel, workato (Ruby-style formulas) or auto")
	out := fs.String("o", "", "write the config to this file instead of standard output")
	listen := fs.String("listen", "", "the address the gateway listens on (default 0.0.0.0:443)")
	serverName := fs.String("server-name", "", "the site's name (default example.com)")
	cert := fs.String("cert", "", "the server certificate file the config names (HAProxy: certificate and key in one PEM)")
	key := fs.String("key", "", "the server key file the config names")
	upstream := fs.String("upstream", "", "HOST:PORT accepted requests are sent to (default: answer 200 \"accepted\")")
	// --delegate (true) is the other mode, wantsDelegate routes it; here it is false.
	fs.Bool("delegate", false, "instead, the gateway's configuration that asks mtlsplay's authorization endpoint for every decision (docs/delegate.md)")
	var bundles stringList
	fs.Var(&bundles, "bundle", "a truststore bundle: a PEM file of CA certificates (repeat, up to 5)")
	readRule := c.ruleFlags(fs)
	operands, err := c.parse(fs, args)
	if err != nil {
		return parseFailed(err)
	}
	src, ruleGiven, usage, err := readRule()
	switch {
	case usage:
		return c.usageError(fs, "%v", err)
	case err != nil:
		return c.fail(false, err)
	case len(operands) != 0:
		return c.usageError(fs, "export takes no operands, got %q", operands[0])
	case !known(export.Gateways(), *gw):
		return c.usageError(fs, "--gateway must be one of %s", strings.Join(export.Gateways(), ", "))
	case (*client != "") != (*configPath != ""):
		return c.usageError(fs, "--client and --config go together")
	case *client != "" && (len(bundles) > 0 || ruleGiven):
		return c.usageError(fs, "give --client (its bundles and rule come from --config) or --bundle and --rule, not both")
	case *client == "" && len(bundles) == 0:
		return c.usageError(fs, "give --config and --client, or at least one --bundle")
	case slices.Contains(bundles, "-"):
		return c.usageError(fs, "--bundle -: the gateway opens its CA file itself, so give the bundle's path")
	case len(bundles) > policy.MaxBundles:
		return c.usageError(fs, "%d --bundle flags; a client selects at most %d bundles", len(bundles), policy.MaxBundles)
	}

	cel := ""
	if *client != "" {
		cfg, err := config.Load(*configPath, c.now())
		if err != nil {
			return c.fail(false, err)
		}
		cl := cfg.Find(*client)
		if cl == nil {
			return c.fail(false, fmt.Errorf("%s: no client named %q", *configPath, *client))
		}
		bundles = nil
		for _, b := range cl.Bundles {
			path := relativeTo(*configPath, b.Name)
			// The config loaded, so each bundle named a file it read, or was PEM
			// written in the config (- name: … pem: |, as the page writes it),
			// which the gateway has no file of: its config would name a file that
			// is not there.
			if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
				return c.fail(false, fmt.Errorf("%s: client %q: bundle %q is PEM written in the config, not a file the gateway can open: save it to a file and name the file in bundles, or give --bundle FILE", *configPath, *client, b.Name))
			}
			bundles = append(bundles, path)
		}
		if cl.Written != nil {
			src, cel = cl.Written.Source, cl.Written.CEL
		}
	} else {
		for _, name := range bundles {
			data, err := c.readInput(name, certinput.MaxBytes)
			if err != nil {
				return c.fail(false, err)
			}
			if _, err := trust.ParseBundle(name, data, c.now()); err != nil {
				return c.fail(false, err)
			}
		}
		if strings.TrimSpace(src) != "" {
			r, err := engine.CompileRule(src, *dialectName)
			if err != nil {
				return c.fail(false, err)
			}
			cel = r.CEL
			info := r.Info(nil)
			c.warnRule(&info)
		}
	}
	for i, b := range bundles {
		// The gateway opens them from its own working directory.
		if abs, err := filepath.Abs(b); err == nil {
			bundles[i] = abs
		}
	}
	res, err := export.Export(*gw, cel, export.Options{
		Bundles: bundles, ServerCert: *cert, ServerKey: *key, Listen: *listen, ServerName: *serverName,
		Upstream: *upstream, Rule: src,
	})
	if err != nil {
		return c.fail(false, err)
	}
	if *out != "" {
		if err := os.WriteFile(*out, []byte(res.Config), 0o644); err != nil {
			return c.fail(false, errors.New(strings.TrimPrefix(err.Error(), "open ")))
		}
	} else {
		fmt.Fprint(c.stdout, res.Config)
	}
	for _, n := range res.Notes {
		fmt.Fprintf(c.stderr, "note: %s\n", terminalSafe(n))
	}
	if !res.Complete {
		for _, m := range res.Missing {
			fmt.Fprintf(c.stderr, "not expressed: %s\n", terminalSafe(m))
		}
		fmt.Fprintf(c.stderr, "partial: the %s config refuses what it cannot decide; %s\n", *gw, export.DelegateHint(*gw))
		return exitPartial
	}
	return exitOK
}

// relativeTo is a bundle path of a config as the gateway must open it: relative
// to the config file's folder, as the config reads it.
func relativeTo(configPath, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(filepath.Dir(configPath), name)
}
