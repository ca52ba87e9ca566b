package demo

import (
	"bytes"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/server/config"
	"github.com/mtlsplay/mtlsplay/server/htmlpage"
	"github.com/mtlsplay/mtlsplay/server/httperror"
	"github.com/mtlsplay/mtlsplay/web/site"
)

// tryPage is what /try/ shows.
type tryPage struct {
	EchoURL  string
	Mode     string
	Curl     string
	Commands []tryCommand
	Files    []tryFile
	Withheld string // why the demo's keys and token are not offered; "" when they are
	Clients  []tryClient

	P12Password string // the demo's .p12 files' password; "" without the demo
	// Own is one command per client of a config that borrows the demo's server
	// certificate (no tls.cert): the person's CERT.pem and KEY.pem against it.
	Own        []tryCommand
	BrowserURL string // the echo for the demo client, to open in a browser
}

type tryCommand struct{ Code, Label, Line string }

type tryFile struct{ Name, Label string }

type tryClient struct {
	Name    string
	Bundles []string
	Rule    string
	Token   bool
}

// Try serves /try/ and the demo's downloads on the page listener.
type Try struct {
	cfg      *config.Config
	demo     *State // nil when the server runs a config of its own
	lent     *State // the demo whose server certificate a config without tls.cert borrows; nil otherwise
	echoBase string // https://host:port of the echo endpoint
	log      *slog.Logger
	exposure Exposure
	withheld string // Exposure's reason, shown on /try/ when Withheld
}

// Exposure is to whom /try/ offers the demo's secrets: the client keys (which the
// demo CA trusts) and the demo client's token.
type Exposure int

const (
	// Loopback: the page listener is on a loopback address, and /try/ answers
	// only requests whose Host is a loopback name or address (see loopbackHost).
	Loopback Exposure = iota
	// Withheld: the page listener is reachable from other machines; /try/ shows
	// the commands but offers no keys and no token, and the downloads answer 403.
	Withheld
	// Public: --demo-public; offered to any Host on any listener.
	Public
)

// ExposureOf decides what /try/ offers on a page listener at addr: the demo's
// secrets only on a loopback listener, unless public (--demo-public) says
// otherwise. On a listener reachable from other machines it also returns why
// they are withheld, for the log and the page.
//
// A Host check cannot protect a listener that other machines reach (they set any
// Host they like), so such a listener offers nothing; on loopback, only local
// programs connect, and the Host check stops a web page that rebinds its own
// name to 127.0.0.1 from reading the keys through a browser.
func ExposureOf(addr net.Addr, public bool) (Exposure, string) {
	if public {
		return Public, ""
	}
	if ta, ok := addr.(*net.TCPAddr); ok && ta.IP.IsLoopback() {
		return Loopback, ""
	}
	return Withheld, "the page listener " + addr.String() + " is reachable from other machines, so /try/ offers no demo keys and no token there; " +
		"serve with --demo-public to offer them to anyone who reaches it"
}

// NewTry returns /try/ for a server with cfg whose echo endpoint is at echoBase;
// d is the demo, or nil when the config is the operator's own; e and why are
// ExposureOf's verdict on the page listener.
func NewTry(cfg *config.Config, d *State, echoBase string, log *slog.Logger, e Exposure, why string) *Try {
	return &Try{cfg: cfg, demo: d, echoBase: echoBase, log: log, exposure: e, withheld: why}
}

// Lend tells /try/ that the config borrows d's server certificate: it then
// shows a command per client and offers d's root (no secret), nothing else of d.
func (t *Try) Lend(d *State) *Try {
	t.lent = d
	return t
}

// guarded reports whether /try/ must check the Host: it offers the demo's
// secrets, on a loopback listener.
func (t *Try) guarded() bool { return t.demo != nil && t.exposure == Loopback }

// loopbackHost reports whether r's Host names the listener it came in on by a
// loopback name or address: localhost, 127.0.0.0/8 or [::1], with the listener's
// port or none. A DNS-rebinding page reaches 127.0.0.1 under its own name, which
// its Host carries.
func loopbackHost(r *http.Request) bool {
	host, port := r.Host, ""
	if h, p, err := net.SplitHostPort(r.Host); err == nil {
		host, port = h, p
	} else if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	if port != "" {
		local, ok := r.Context().Value(http.LocalAddrContextKey).(*net.TCPAddr)
		if !ok || port != strconv.Itoa(local.Port) {
			return false
		}
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Zone() == "" && a.IsLoopback() && (a.Is4() || a == netip.IPv6Loopback())
}

// forbidForeignHost answers 403 when the demo's secrets are guarded and the Host
// is not the listener's own loopback name; it reports whether it answered.
func (t *Try) forbidForeignHost(w http.ResponseWriter, r *http.Request) bool {
	if !t.guarded() || loopbackHost(r) {
		return false
	}
	httperror.Write(w, http.StatusForbidden, httperror.CodeForbidden,
		"the demo's /try/ answers only to this machine by a loopback name (localhost, 127.0.0.1, [::1]), not to Host "+strconv.Quote(r.Host))
	return true
}

// Routes adds /try/, its script and icon, and the downloads to mux. Its
// stylesheet is the site's (tryFrame).
func (t *Try) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /try/{$}", t.serveTry)
	mux.HandleFunc("GET /try/try.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		http.ServeContent(w, r, "", time.Time{}, strings.NewReader(tryJS))
	})
	mux.HandleFunc("GET /try/favicon.svg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		http.ServeContent(w, r, "", time.Time{}, strings.NewReader(htmlpage.FaviconSVG))
	})
	mux.HandleFunc("GET /try/files/{name}", t.serveFile)
}

func (t *Try) page() tryPage {
	s := t
	p := tryPage{EchoURL: s.echoBase + "/", Mode: s.cfg.Mode}
	for _, c := range s.cfg.Clients {
		tc := tryClient{Name: c.Name, Token: c.Token != nil}
		for _, b := range c.Bundles {
			tc.Bundles = append(tc.Bundles, b.Name)
		}
		if c.Written != nil {
			tc.Rule = c.Written.Program.Source()
		}
		p.Clients = append(p.Clients, tc)
	}
	if d := s.lent; d != nil && s.demo == nil {
		for _, c := range s.cfg.Clients {
			p.Own = append(p.Own, tryCommand{Label: c.Name, Line: d.OwnCurlLine(s.echoBase, c.Name)})
		}
	}
	if d := s.demo; d != nil {
		offer := s.exposure != Withheld
		p.Curl = d.CurlLine(s.echoBase, "demo", "good")
		p.Files = append(p.Files, tryFile{"root.pem", "the demo root CA, for curl --cacert (no secret: offered everywhere)"})
		for _, c := range Clients {
			p.Commands = append(p.Commands, tryCommand{strconv.Itoa(c.Code), c.CN + ": " + c.Shows, d.CurlLine(s.echoBase, c.Client, c.Name)})
			if offer {
				p.Files = append(p.Files, tryFile{c.Name + ".pem", c.CN + " (" + c.Shows + ")"}, tryFile{c.Name + ".key", "its private key"},
					tryFile{c.Name + ".p12", "both in one PKCS#12 file for a browser, password " + P12Password})
			}
		}
		if !offer {
			p.Withheld = s.withheld
		}
		p.P12Password = P12Password
		p.BrowserURL = s.echoBase + "/c/demo/"
		code := strconv.Itoa
		p.Commands = append(p.Commands,
			tryCommand{code(policy.NoCertificate), "no certificate", d.CurlLine(s.echoBase, "demo", "")},
			tryCommand{code(policy.RuleFailed), "the good certificate fails client demo-rule's rule", d.CurlLine(s.echoBase, "demo-rule", "good")},
			tryCommand{code(policy.NoTruststore), "client demo-no-bundle has no truststore bundle", d.CurlLine(s.echoBase, "demo-no-bundle", "good")},
			tryCommand{code(policy.ClientNotConfigured), "no client is called nosuch", d.CurlLine(s.echoBase, "nosuch", "good")},
		)
		if c := s.cfg.Find("demo"); offer && c != nil && c.Token != nil {
			line := d.CurlLine(s.echoBase, "demo", "good")
			line = line[:len(line)-len("/c/demo/")] + "/ -H " + htmlpage.ShellQuote("Authorization: Bearer "+string(c.Token))
			p.Commands = append(p.Commands, tryCommand{code(policy.Accepted), "client demo selected by its bearer token", line})
		}
	}
	return p
}

func (t *Try) serveTry(w http.ResponseWriter, r *http.Request) {
	if t.forbidForeignHost(w, r) {
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := tryFrame.Page(tryMain(t.page())).Render(r.Context(), w); err != nil {
		t.log.Debug("rendering /try/", "error", err)
	}
}

// tryFrame puts /try/ in the site's layout, with its own icon and the script of
// its copy buttons (both same-origin files: the page listener's CSP allows no
// inline script or style).
var tryFrame = site.ServedPage{
	Path:        "try/",
	Title:       "Try it over mTLS — mtlsplay",
	Description: "The echo endpoint of this mtlsplay server: curl commands for every decision code, the demo certificates, and how to try your own certificate end to end.",
	Icon:        "try/favicon.svg",
	Script:      "try/try.js",
}

// serveFile offers the demo's client certificates, their keys (also as PKCS#12)
// and the demo root for download. Only those: the CA keys and the server key never
// leave the state folder. Keys only to a loopback Host, and not at all on a
// listener other machines reach (see ExposureOf); the root, which is no secret,
// everywhere.
func (t *Try) serveFile(w http.ResponseWriter, r *http.Request) {
	if t.forbidForeignHost(w, r) {
		return
	}
	name := r.PathValue("name")
	var data []byte
	if t.demo != nil {
		data = t.demo.Files[name]
	} else if t.lent != nil && name == "root.pem" {
		data = t.lent.RootPEM
	}
	if data != nil && t.exposure == Withheld && name != "root.pem" {
		httperror.Write(w, http.StatusForbidden, httperror.CodeForbidden, t.withheld)
		return
	}
	if data == nil {
		httperror.Write(w, http.StatusNotFound, httperror.CodeNotFound, "no demo file is called "+strconv.Quote(name))
		return
	}
	w.Header().Set("Content-Type", contentTypeOf(name))
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

// contentTypeOf is a download's media type, by its name.
func contentTypeOf(name string) string {
	if strings.HasSuffix(name, ".p12") {
		return "application/x-pkcs12"
	}
	return "application/x-pem-file"
}

// tryJS gives /try/'s copy buttons their function: each copies the text of the
// element its data-copy names. A file of its own (/try/try.js): the page
// listener's CSP runs no inline script.
const tryJS = `document.addEventListener("click", async (e) => {
  const b = e.target.closest("button[data-copy]");
  if (!b) return;
  const el = document.getElementById(b.dataset.copy);
  try {
    await navigator.clipboard.writeText(el.textContent);
    b.textContent = "Copied";
    b.classList.add("done");
  } catch {
    b.textContent = "Select and copy";
  }
  setTimeout(() => { b.textContent = "Copy"; b.classList.remove("done"); }, 1500);
});
`

// ownID is the element id of /try/'s i-th own-certificate command.
func ownID(i int) string { return "own-" + strconv.Itoa(i) }

// cmdID is the element id of /try/'s i-th command, for its copy button.
func cmdID(i int) string { return "cmd-" + strconv.Itoa(i) }
