package demo

import (
	"bytes"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/server/config"
	"github.com/mtlsplay/mtlsplay/server/htmlpage"
	"github.com/mtlsplay/mtlsplay/server/httperror"
)

// tryPage is what /try/ shows.
type tryPage struct {
	EchoURL  string
	Mode     string
	Curl     string
	Commands []tryCommand
	Files    []tryFile
	Clients  []tryClient
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
	echoBase string // https://host:port of the echo endpoint
	log      *slog.Logger
}

// NewTry returns /try/ for a server with cfg whose echo endpoint is at echoBase;
// d is the demo, or nil when the config is the operator's own.
func NewTry(cfg *config.Config, d *State, echoBase string, log *slog.Logger) *Try {
	return &Try{cfg: cfg, demo: d, echoBase: echoBase, log: log}
}

// Routes adds /try/, its stylesheet and the downloads to mux.
func (t *Try) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /try/{$}", t.serveTry)
	mux.HandleFunc("GET /try/style.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		http.ServeContent(w, r, "", time.Time{}, strings.NewReader(htmlpage.CSS))
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
		if c.Rule != nil {
			tc.Rule = c.Rule.Source()
		}
		p.Clients = append(p.Clients, tc)
	}
	if d := s.demo; d != nil {
		p.Curl = d.CurlLine(s.echoBase, "demo", "good")
		p.Files = append(p.Files, tryFile{"root.pem", "the demo root CA, for curl --cacert"})
		for _, c := range Clients {
			p.Commands = append(p.Commands, tryCommand{strconv.Itoa(c.Code), c.CN + ": " + c.Shows, d.CurlLine(s.echoBase, c.Client, c.Name)})
			p.Files = append(p.Files, tryFile{c.Name + ".pem", c.CN + " (" + c.Shows + ")"}, tryFile{c.Name + ".key", "its private key"})
		}
		code := strconv.Itoa
		p.Commands = append(p.Commands,
			tryCommand{code(policy.NoCertificate), "no certificate", d.CurlLine(s.echoBase, "demo", "")},
			tryCommand{code(policy.RuleFailed), "the good certificate fails client demo-rule's rule", d.CurlLine(s.echoBase, "demo-rule", "good")},
			tryCommand{code(policy.NoTruststore), "client demo-no-bundle has no truststore bundle", d.CurlLine(s.echoBase, "demo-no-bundle", "good")},
			tryCommand{code(policy.ClientNotConfigured), "no client is called nosuch", d.CurlLine(s.echoBase, "nosuch", "good")},
		)
		if c := s.cfg.Find("demo"); c != nil && c.Token != nil {
			line := d.CurlLine(s.echoBase, "demo", "good")
			line = line[:len(line)-len("/c/demo/")] + "/ -H " + ShellQuote("Authorization: Bearer "+string(c.Token))
			p.Commands = append(p.Commands, tryCommand{code(policy.Accepted), "client demo selected by its bearer token", line})
		}
	}
	return p
}

func (t *Try) serveTry(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := tryHTML(t.page()).Render(r.Context(), w); err != nil {
		t.log.Debug("rendering /try/", "error", err)
	}
}

// serveFile offers the demo's client certificates, their keys and the demo root
// for download. Only those: the CA keys and the server key never leave the state
// folder.
func (t *Try) serveFile(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var data []byte
	if t.demo != nil {
		data = t.demo.Files[name]
	}
	if data == nil {
		httperror.Write(w, http.StatusNotFound, httperror.CodeNotFound, "no demo file is called "+strconv.Quote(name))
		return
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}
