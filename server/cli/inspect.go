package cli

import (
	"fmt"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/diagnose"
	"github.com/mtlsplay/mtlsplay/internal/engine"
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

func (c *cli) inspect(args []string) int {
	fs := c.flags("inspect", "[--json] [--at TIME] FILE…")
	asJSON := fs.Bool("json", false, "print the certificates as JSON")
	at := fs.String("at", "", "the time for 'days left' (RFC 3339; default now)")
	files, err := parse(fs, args)
	if err != nil {
		return exitBadInput
	}
	if len(files) == 0 {
		return c.usageError(fs, "no FILE given (use - for standard input)")
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
		c.writeJSON(out)
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
		}
		writeFindings(c.stdout, f.Findings)
	}
	return exitOK
}
