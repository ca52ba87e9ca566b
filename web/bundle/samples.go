package bundle

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// SampleSet is what the page offers in its sample pickers (the virtual module
// "mtlsplay:samples", also written as samples.json for the docs).
type SampleSet struct {
	DefaultRule string `json:"defaultRule"`
	// At is the test PKI's clock (pki.TestNowRFC3339). The page evaluates the samples
	// at this time, so that they show what their descriptions say on any date: the
	// good certificates end on 2028-01-01, and "now" would one day make them expired.
	At      string         `json:"at"`
	Certs   []SampleCert   `json:"certs"`
	Bundles []SampleBundle `json:"bundles"`
}

// SampleCert is one certificate (or chain) sample, optionally with a rule that shows
// what it is about.
type SampleCert struct {
	ID          string `json:"id"`
	Label       string `json:"label"`
	Description string `json:"description"`
	File        string `json:"file"`
	PEM         string `json:"pem"`
	Rule        string `json:"rule,omitempty"`
}

// SampleBundle is one truststore bundle sample.
type SampleBundle struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Name  string `json:"name"` // the bundle's name in the page and in the decision's steps
	File  string `json:"file"`
	PEM   string `json:"pem"`
}

// DefaultRule is the rule the page opens with: it passes on the good sample and
// shows sub-expressions of every kind.
const DefaultRule = `CN == "client.example.com" &&
  SAN.exists(s, s.startsWith("URI:spiffe://example.com/"))`

// The samples, from the generated test PKI (testdata/pki/README.md describes each
// file). Chains are the "-chain" files: the leaf and the intermediate a client sends.
var sampleCerts = []SampleCert{
	{ID: "good", Label: "Good client (chain)", File: "client-good-chain.pem", Description: "CN=client.example.com with DNS, IP, Email and SPIFFE URI SANs, EKU clientAuth, valid 2026-01-01 to 2028-01-01, sent with its intermediate: trusted by the Acme Root CA bundle."},
	{ID: "expired", Label: "Expired client", File: "client-expired-chain.pem", Description: "As the good client, but valid 2025-01-01 to 2026-01-01: the chain check fails with 4018 (expired)."},
	{ID: "not-yet-valid", Label: "Not yet valid", File: "client-not-yet-valid-chain.pem", Description: "Valid from 2030-01-01: 4018 (not yet valid)."},
	{ID: "serverauth", Label: "serverAuth-only certificate", File: "server-localhost-chain.pem", Description: "A server certificate (EKU serverAuth only): not allowed for client authentication, 4018.", Rule: `cert.ext_key_usage.exists(u, u == "clientAuth")`},
	{ID: "serverauth-intermediate", Label: "Under a serverAuth-only intermediate", File: "client-under-serverauth-intermediate-chain.pem", Description: "A clientAuth leaf whose intermediate is restricted to serverAuth: Go checks EKU along the whole chain, 4018."},
	{ID: "untrusted", Label: "Untrusted issuer", File: "client-untrusted.pem", Description: "Issued by a root no sample bundle contains: 4018 (unknown authority)."},
	{ID: "self-signed", Label: "Self-signed leaf", File: "client-self-signed.pem", Description: "A self-signed certificate that is not a CA: trusted by no bundle."},
	{ID: "leaf-only", Label: "Leaf without its intermediate", File: "client-good.pem", Description: "The good client sent alone: the bundle has only the root, so the issuer CN=Acme Issuing CA is unknown. Clients must send their intermediates."},
	{ID: "spiffe", Label: "SPIFFE ID", File: "client-good-chain.pem", Description: "The good client's URI SAN is a SPIFFE ID; cert.spiffe_id holds it when there is exactly one.", Rule: `cert.spiffe_id == "spiffe://example.com/ns/prod/sa/client"`},
	{ID: "email", Label: "Email SAN", File: "client-good-chain.pem", Description: "Email SANs are written Email: with a capital E, the address verbatim.", Rule: `"Email:ops@example.com" in SAN`},
	{ID: "ip", Label: "IP SANs", File: "client-san-ipv4-mapped-chain.pem", Description: "IPv4 dotted; IPv6 in RFC 5952 form; an IPv4-mapped IPv6 address stays IPv6 (IP:::ffff:192.0.2.1).", Rule: `"IP:::ffff:192.0.2.1" in SAN && "IP:192.0.2.1" in SAN`},
	{ID: "othernames", Label: "UPN, otherName, RID, DirName", File: "client-san-othernames-chain.pem", Description: "SAN types crypto/x509 drops: UPN:, OtherName:<oid>:, RID:, DirName: (in the DN format).", Rule: `SAN.exists(s, s.startsWith("UPN:"))`},
	{ID: "no-eku", Label: "No EKU extension", File: "client-no-eku-chain.pem", Description: "No extended key usage at all means any usage: it passes client auth."},
	{ID: "dn-email", Label: "DN with emailAddress", File: "dn-email-chain.pem", Description: "An emailAddress attribute in the subject, not a SAN: the DN names it emailAddress=.", Rule: `cert.subject.email_address.exists(e, e == "ops@example.com")`},
	{ID: "dn-multivalued", Label: "DN: multi-valued RDN", File: "dn-multivalued-chain.pem", Description: "OpenSSL writes /C=US/O=Acme, Inc./OU=a+CN=b; RFC 4514 order reverses the RDNs and keeps the members in DER order.", Rule: `DN == "CN=b+OU=a,O=Acme\\, Inc.,C=US"`},
	{ID: "dn-escapes", Label: "DN: every escape", File: "dn-escapes-chain.pem", Description: "Commas, plus, quotes, backslash, angle brackets, semicolon, leading # and spaces, trailing space: all escaped as RFC 4514 says.", Rule: `DN.startsWith("CN=\\#leading hash,")`},
	{ID: "dn-utf8", Label: "DN: UTF-8", File: "dn-utf8-chain.pem", Description: "Non-ASCII values stay raw UTF-8 (OpenSSL would escape every byte).", Rule: `cert.subject.organization == ["Café ☕"]`},
	{ID: "dn-control", Label: "DN: control characters", File: "dn-control-chain.pem", Description: "LF, DEL and NUL inside values are escaped as \\0A, \\7F, \\00."},
	{ID: "dn-unknown-oid", Label: "DN: unknown attribute", File: "dn-unknown-oid-chain.pem", Description: "An attribute type without a short name is written <OID>=#<hex of its DER>."},
	{ID: "dn-all-names", Label: "DN: all short names", File: "dn-all-names-chain.pem", Description: "RFC 4514's names and OpenSSL's short names (serialNumber, SN, GN, title, …)."},
	{ID: "bad-uri", Label: "Unparsable URI SAN", File: "client-san-bad-uri-chain.pem", Description: "crypto/x509 rejects URI:http://exa mple/; the page still shows every field, and the chain check fails (4018)."},
}

var sampleBundles = []SampleBundle{
	{ID: "acme-root", Label: "Acme Root CA", Name: "acme-root", File: "root.pem"},
	{ID: "partner-root", Label: "Partner Root CA", Name: "partner-root", File: "root-b.pem"},
	{ID: "two-roots", Label: "Acme + Partner roots", Name: "two-roots", File: "bundle-two-roots.pem"},
	{ID: "untrusted-root", Label: "Untrusted Root CA", Name: "untrusted-root", File: "untrusted-root.pem"},
	{ID: "with-leaf", Label: "Bundle holding a leaf (warning)", Name: "with-leaf", File: "bundle-with-leaf.pem"},
	{ID: "expired-ca", Label: "Bundle with an expired CA (warning)", Name: "expired-ca", File: "bundle-expired-ca.pem"},
}

// LoadSamples reads the sample files from dir (testdata/pki).
func LoadSamples(dir string) (*SampleSet, error) {
	s := &SampleSet{DefaultRule: DefaultRule, At: pki.TestNowRFC3339}
	for _, c := range sampleCerts {
		b, err := os.ReadFile(filepath.Join(dir, c.File))
		if err != nil {
			return nil, fmt.Errorf("bundle: sample %q: %w (regenerate with `go generate ./internal/pki`)", c.ID, err)
		}
		c.PEM = string(b)
		s.Certs = append(s.Certs, c)
	}
	for _, bu := range sampleBundles {
		b, err := os.ReadFile(filepath.Join(dir, bu.File))
		if err != nil {
			return nil, fmt.Errorf("bundle: sample bundle %q: %w", bu.ID, err)
		}
		bu.PEM = string(b)
		s.Bundles = append(s.Bundles, bu)
	}
	return s, nil
}
