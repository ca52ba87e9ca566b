package cli

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/mtlsplay/mtlsplay/server/authz"
)

// exportDelegateCmd is `mtlsplay export --gateway NAME --delegate`: the
// configuration that makes a proxy ask mtlsplay's authorization endpoint for every
// request (authz.Recipe, the text docs/delegate.md shows and TestRecipesLive runs).
// The export of a rule into a gateway's own language is the same command without
// --delegate (server/cli/export.go, on its own branch).
func (c *cli) exportDelegateCmd(args []string) int {
	fs := c.flags("export", "--gateway nginx|caddy|traefik|envoy --delegate [--client NAME] [--authz ADDR] [--listen ADDR] [--upstream ADDR] [--server-name NAME] [--cert FILE] [--key FILE] [-o FILE]")
	gateway := fs.String("gateway", "", "the proxy to configure: "+strings.Join(authz.RecipeGateways, ", "))
	delegate := fs.Bool("delegate", false, "print the proxy's configuration that asks mtlsplay's authorization endpoint for the decision")
	out := fs.String("o", "", "write to FILE instead of standard output")
	o := c.recipeFlags(fs)
	operands, err := c.parse(fs, args)
	if err != nil {
		return parseFailed(err)
	}
	switch {
	case len(operands) > 0:
		return c.usageError(fs, "unexpected argument %q", operands[0])
	case *gateway == "":
		return c.usageError(fs, "no gateway: give --gateway %s", strings.Join(authz.RecipeGateways, "|"))
	case !*delegate:
		return c.usageError(fs, "--delegate=false: leave --delegate out to export the rule itself")
	}
	return c.writeDelegateRecipe(*gateway, *o, *out)
}

// wantsDelegate reports whether export's arguments ask for the delegate recipe
// (--delegate, -delegate or =true before any "--"): that mode takes other flags.
func wantsDelegate(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-delegate", "--delegate", "-delegate=true", "--delegate=true":
			return true
		}
	}
	return false
}

// recipeFlags are the places of a recipe a person may name; the rest take
// authz.DefaultRecipeOptions.
func (c *cli) recipeFlags(fs *flag.FlagSet) *authz.RecipeOptions {
	o := &authz.RecipeOptions{}
	d := authz.DefaultRecipeOptions
	fs.StringVar(&o.Client, "client", d.Client, "the configured client whose bundles and rule decide")
	fs.StringVar(&o.AuthzAddr, "authz", d.AuthzAddr, "the authorization endpoint as the proxy reaches it (listen.authz)")
	fs.StringVar(&o.Listen, "listen", d.Listen, "where the proxy terminates mTLS")
	fs.StringVar(&o.Upstream, "upstream", d.Upstream, "the application behind the proxy")
	fs.StringVar(&o.ServerName, "server-name", d.ServerName, "the proxy's site name")
	fs.StringVar(&o.Cert, "cert", d.Cert, "the proxy's server certificate chain (file)")
	fs.StringVar(&o.Key, "key", d.Key, "the proxy's server key (file)")
	return o
}

// writeDelegateRecipe writes gateway's recipe to out ("" is standard output).
func (c *cli) writeDelegateRecipe(gateway string, o authz.RecipeOptions, out string) int {
	recipe, err := authz.Recipe(gateway, o)
	if err != nil {
		fmt.Fprintf(c.stderr, "mtlsplay export: %s\n", terminalSafe(err.Error()))
		return exitBadInput
	}
	if out == "" {
		fmt.Fprint(c.stdout, recipe)
		return exitOK
	}
	if err := os.WriteFile(out, []byte(recipe), 0o644); err != nil {
		fmt.Fprintf(c.stderr, "mtlsplay export: %s\n", terminalSafe(strings.TrimPrefix(err.Error(), "open ")))
		return exitBadInput
	}
	return exitOK
}
