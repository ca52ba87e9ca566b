package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/diagnose"
	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/gateway"
)

// inspect: parse certificates and print their fields.

// inspectOutput is inspect --json: every file's certificates.
type inspectOutput struct {
	Files []inspectFile `json:"files"`
}

type inspectFile struct {
	Name         string                  `json:"name"`
	Certificates []*certinfo.Certificate `json:"certificates"`
	Findings     []diagnose.Finding      `json:"findings"`
}

// gatewayCertificate is a certificate of inspect --json --gateway: the view, then
// "gateway", one gateway.View (or a list of them for --gateway all).
type gatewayCertificate struct {
	*certinfo.Certificate
	Gateway any `json:"gateway"`
}

type inspectGatewayFile struct {
	Name         string               `json:"name"`
	Certificates []gatewayCertificate `json:"certificates"`
	Findings     []diagnose.Finding   `json:"findings"`
}

func (c *cli) inspect(args []string) int {
	fs := c.flags("inspect", "[--json] [--at TIME] [--gateway NAME|all] FILE…")
	asJSON := fs.Bool("json", false, "print the certificates as JSON")
	at := fs.String("at", "", "the time for 'days left' (RFC 3339, or a date for midnight UTC; default now)")
	gw := fs.String("gateway", "", "also show each certificate as this gateway's rules see it: "+strings.Join(gateway.Names(), ", ")+", or all")
	files, err := c.parse(fs, args)
	if err != nil {
		return parseFailed(err)
	}
	if len(files) == 0 {
		return c.usageError(fs, "no FILE given (use - for standard input)")
	}
	if stdinTwice(files...) {
		return c.usageError(fs, stdinOnce)
	}
	var profiles []gateway.Profile
	switch *gw {
	case "":
	case "all":
		profiles = gateway.Profiles()
	default:
		p, ok := gateway.Lookup(*gw)
		if !ok {
			return c.usageError(fs, "unknown gateway %q (known: %s, all)", *gw, strings.Join(gateway.Names(), ", "))
		}
		profiles = []gateway.Profile{p}
	}
	now, err := engine.ParseTime(*at, c.now)
	if err != nil {
		return c.fail(*asJSON, err)
	}
	instant := now.Format(time.RFC3339Nano) // one instant for every file
	var out inspectOutput
	for _, name := range files {
		data, err := c.readCertificates(name)
		if err != nil {
			return c.fail(*asJSON, err)
		}
		// A file to inspect may be a CA bundle, not a chain: up to a bundle's count.
		res, err := engine.Inspect(engine.InspectRequest{Certificates: string(data), Source: displayName(name), At: instant, Bundle: true}, c.now)
		if err != nil {
			return c.fail(*asJSON, err)
		}
		out.Files = append(out.Files, inspectFile{Name: displayName(name), Certificates: res.Certificates, Findings: res.Findings})
	}
	if *asJSON {
		if profiles == nil {
			c.writeJSON(out)
			return exitOK
		}
		files := make([]inspectGatewayFile, len(out.Files))
		for i, f := range out.Files {
			files[i] = inspectGatewayFile{Name: f.Name, Certificates: make([]gatewayCertificate, len(f.Certificates)), Findings: f.Findings}
			for j, cert := range f.Certificates {
				views := viewsOf(profiles, cert)
				var g any = views
				if *gw != "all" {
					g = views[0]
				}
				files[i].Certificates[j] = gatewayCertificate{Certificate: cert, Gateway: g}
			}
		}
		c.writeJSON(struct {
			Files []inspectGatewayFile `json:"files"`
		}{files})
		return exitOK
	}
	for i, f := range out.Files {
		if i > 0 {
			fmt.Fprintln(c.stdout)
		}
		for j, cert := range f.Certificates {
			if j > 0 {
				fmt.Fprintln(c.stdout)
			}
			fmt.Fprintf(c.stdout, "%s: certificate %d of %d\n", f.Name, j+1, len(f.Certificates))
			writeCertificate(c.stdout, cert, now)
			switch {
			case *gw == "all":
				writeGatewayTable(c.stdout, profiles, viewsOf(profiles, cert))
			case profiles != nil:
				writeGateway(c.stdout, profiles[0], viewsOf(profiles, cert)[0])
			}
		}
		writeFindings(c.stdout, f.Findings)
	}
	return exitOK
}

func viewsOf(profiles []gateway.Profile, c *certinfo.Certificate) []gateway.View {
	views := make([]gateway.View, len(profiles))
	for i, p := range profiles {
		views[i] = p.View(c)
	}
	return views
}
