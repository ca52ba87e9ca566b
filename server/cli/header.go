package cli

import (
	"fmt"

	"github.com/mtlsplay/mtlsplay/internal/engine"
)

// noteHeader says, on standard error, that a certificate input was a forwarded
// header: which format was read, what was left unread, and each field the header
// carries beside the certificate, compared with the certificate where the gateway
// that wrote it is known (engine.Header, as the page shows them). On standard
// error, as the key warning: standard output stays the certificate's view, byte
// for byte the one its PEM gives, and --json stays JSON.
func (c *cli) noteHeader(name string, data []byte) {
	file := displayName(name)
	certs, _ := engine.ParseChain(file, data)
	h := engine.Header(data, certs)
	if h == nil {
		return
	}
	note := func(format string, args ...any) {
		fmt.Fprintf(c.stderr, "note: %s: %s\n", file, terminalSafe(fmt.Sprintf(format, args...)))
	}
	if h.Name != "" {
		note("read from the %s header %s", h.Format, h.Name)
	} else {
		note("read as a header value pasted alone, in the %s format", h.Format)
	}
	for _, n := range h.Notes {
		note("%s", n)
	}
	for _, f := range h.Fields {
		if f.Detail == "" {
			note("the header's %s=%q", f.Name, f.Value)
			continue
		}
		note("the header's %s=%q %s", f.Name, f.Value, f.Detail)
	}
}
