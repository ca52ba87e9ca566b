package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/mtlsplay/mtlsplay/web/site"
)

// siteCmd exports the static site: the playground and the documentation, with the
// engine, for any plain static file host.
func (c *cli) siteCmd(args []string) int {
	fs := c.flags("site", "-o DIR")
	out := fs.String("o", "", "the directory to write the site into (created if missing)")
	operands, err := c.parse(fs, args)
	if err != nil {
		return parseFailed(err)
	}
	switch {
	case *out == "":
		return c.usageError(fs, "no output directory: give -o DIR")
	case len(operands) > 0:
		return c.usageError(fs, "unexpected argument %q", operands[0])
	}
	if fi, err := os.Stat(*out); err == nil && !fi.IsDir() {
		// Said first: whether the assets are built is another matter.
		fmt.Fprintf(c.stderr, "mtlsplay site: %s: not a directory\n", terminalSafe(*out))
		return exitBadInput
	}
	if err := site.Export(*out); err != nil {
		// A file system error names its path: "DIR/index.html: permission denied", not "open DIR/index.html: …".
		if pe := (*os.PathError)(nil); errors.As(err, &pe) {
			err = fmt.Errorf("%s: %w", pe.Path, pe.Err)
		}
		fmt.Fprintf(c.stderr, "mtlsplay site: %s\n", terminalSafe(err.Error()))
		return exitBadInput
	}
	fmt.Fprintf(c.stdout, "wrote the site to %s; serve it with any static file server, e.g. python3 -m http.server -d %s\n", *out, *out)
	return exitOK
}
