package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"unicode/utf8"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

// Source says how a value is known to be what the gateway produces.
type Source string

const (
	// Tested values were compared byte for byte with the running gateway
	// (TestGatewaysLive) at the version the value names.
	Tested Source = "tested"
	// Documented values follow the gateway's source code and documentation at
	// the version the value names; no running gateway checked them.
	Documented Source = "documented"
)

// Value is one field as a gateway exposes it to rules.
type Value struct {
	// Name is spelled as the gateway's config language spells it:
	// $ssl_client_s_dn, ssl_c_s_dn(,0,rfc2253), {http.request.tls.client.subject}.
	Name string
	// Bytes are exactly what the gateway produces. They need not be UTF-8:
	// HAProxy hands a BMPString's raw UCS-2 bytes to its rules.
	Bytes   []byte
	Source  Source
	Version string // the gateway version (and library) the value follows
}

// MarshalJSON writes {"name", "value" | "value_base64", "source", "version"}:
// "value" when Bytes are valid UTF-8, else "value_base64", so no byte is lost
// to a replacement character.
func (v Value) MarshalJSON() ([]byte, error) {
	type text struct {
		Name    string `json:"name"`
		Value   string `json:"value"`
		Source  Source `json:"source"`
		Version string `json:"version"`
	}
	type binary struct {
		Name        string `json:"name"`
		ValueBase64 string `json:"value_base64"`
		Source      Source `json:"source"`
		Version     string `json:"version"`
	}
	var x any = binary{v.Name, base64.StdEncoding.EncodeToString(v.Bytes), v.Source, v.Version}
	if utf8.Valid(v.Bytes) {
		x = text{v.Name, string(v.Bytes), v.Source, v.Version}
	}
	// Not json.Marshal: it writes < > & as \u003c…, and these values are meant
	// to be read and pasted; an encoder's SetEscapeHTML does not undo a
	// Marshaler's escapes.
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// View is one certificate as one gateway shows it.
type View struct {
	Name      string   `json:"name"`
	Values    []Value  `json:"values"`
	CannotSee []string `json:"cannot_see"` // what the gateway exposes no field for, or refuses
	Notes     []string `json:"notes"`
}

// Profile is one gateway.
type Profile struct {
	Name  string // the --gateway name: nginx, haproxy, caddy, workato, …
	Title string // the product and the version its values follow
	view  func(c *certinfo.Certificate, raw rawCert) View
}

// View shows c as the gateway does. A certificate whose fields the gateway
// could not read has fewer values and says why in CannotSee.
func (p Profile) View(c *certinfo.Certificate) View {
	raw, err := parseRaw(c.DER())
	var v View
	if err != nil {
		v = View{CannotSee: []string{"the certificate's fields: " + err.Error()}}
	} else {
		v = p.view(c, raw)
	}
	v.Name = p.Name
	if v.Values == nil {
		v.Values = []Value{}
	}
	if v.CannotSee == nil {
		v.CannotSee = []string{}
	}
	if v.Notes == nil {
		v.Notes = []string{}
	}
	return v
}

// Profiles lists every gateway, Workato (the playground's own view) first.
func Profiles() []Profile {
	return []Profile{workato, nginx, haproxy, caddy, envoy, traefik, cloudflare, awsAPIGW, awsALB, azureAPIM}
}

// Lookup returns the profile named name.
func Lookup(name string) (Profile, bool) {
	for _, p := range Profiles() {
		if p.Name == name {
			return p, true
		}
	}
	return Profile{}, false
}

// Names lists the profiles' names in Profiles' order.
func Names() []string {
	ps := Profiles()
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return names
}

// values collects a view's values with one source and version.
type values struct {
	list    []Value
	source  Source
	version string
}

func (vs *values) add(name string, b []byte) {
	vs.list = append(vs.list, Value{Name: name, Bytes: b, Source: vs.source, Version: vs.version})
}
