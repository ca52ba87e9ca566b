package certinfo

import (
	"crypto/x509"
	"time"
)

// Certificate is the one view of a certificate. The page, the CLI's --json, the echo
// endpoint and the CEL variable `cert` all read this struct; its json tags are also
// the CEL field names, so renaming one is a change of the rule language.
//
// Problems lists what is malformed, at most 50 lines and a count. When crypto/x509
// rejects the certificate, its reason is one line ("crypto/x509 rejects it: …") and
// X509 returns nil. Problems can also hold lines about things crypto/x509 accepts
// (a DNS name with a space, an empty RDN, a PrintableString with non-ASCII bytes),
// so "can it be trusted" is X509() != nil, not len(Problems) == 0.
type Certificate struct {
	Version            int         `json:"version"`
	Serial             string      `json:"serial"` // uppercase hex, no separators
	SignatureAlgorithm string      `json:"signature_algorithm"`
	Issuer             Name        `json:"issuer"`
	Subject            Name        `json:"subject"`
	NotBefore          time.Time   `json:"not_before"`
	NotAfter           time.Time   `json:"not_after"`
	PublicKey          PublicKey   `json:"public_key"`
	SANEntries         []string    `json:"san_entries"` // the rule variable SAN, in certificate order
	SAN                SAN         `json:"san"`
	SPIFFEID           string      `json:"spiffe_id"`
	KeyUsage           []string    `json:"key_usage"`
	ExtKeyUsage        []string    `json:"ext_key_usage"`
	IsCA               bool        `json:"is_ca"`
	MaxPathLen         int         `json:"max_path_len"` // -1 when absent
	SubjectKeyID       string      `json:"subject_key_id"`
	AuthorityKeyID     string      `json:"authority_key_id"`
	SelfIssued         bool        `json:"self_issued"` // issuer and subject are the same name
	Extensions         []Extension `json:"extensions"`
	SHA256             string      `json:"sha256"` // uppercase hex of the DER's SHA-256
	SHA1               string      `json:"sha1"`
	Problems           []string    `json:"problems"` // what is malformed, one line each (see below)
	PEM                string      `json:"pem"`

	der  []byte
	x509 *x509.Certificate
}

// Name is a subject or issuer name.
type Name struct {
	DN                 string      `json:"dn"`    // RFC 4514, as docs/design.md fixes it
	Slash              string      `json:"slash"` // OpenSSL's one-line form, /C=US/O=Org/CN=x
	CN                 string      `json:"cn"`    // the last CN attribute in DER order
	Organization       []string    `json:"organization"`
	OrganizationalUnit []string    `json:"organizational_unit"`
	Country            []string    `json:"country"`
	Locality           []string    `json:"locality"`
	Province           []string    `json:"province"`
	StreetAddress      []string    `json:"street_address"`
	PostalCode         []string    `json:"postal_code"`
	EmailAddress       []string    `json:"email_address"`
	DomainComponent    []string    `json:"domain_component"`
	SerialNumber       string      `json:"serial_number"`
	Attributes         []Attribute `json:"attributes"` // every attribute, in DER order
}

// Attribute is one attribute of a name, with where it sits, so a page can point at
// the part of the DN that decided a rule.
type Attribute struct {
	RDN   int    `json:"rdn"`  // index of its RDN in DER order
	Type  string `json:"type"` // short name (CN, emailAddress) or dotted OID
	OID   string `json:"oid"`
	Value string `json:"value"` // decoded text; #HEX of the DER for unknown types
}

// SAN holds the subjectAltName entries by type, each list in certificate order.
type SAN struct {
	DNS       []string `json:"dns"`
	IP        []string `json:"ip"`
	URI       []string `json:"uri"`
	Email     []string `json:"email"`
	UPN       []string `json:"upn"`
	OtherName []string `json:"other_name"` // "<oid>:<value>" for otherNames that are not UPN
	RID       []string `json:"rid"`
	DirName   []string `json:"dir_name"`
}

// PublicKey describes the subject public key.
type PublicKey struct {
	Algorithm string `json:"algorithm"` // RSA, ECDSA, Ed25519, …
	Bits      int    `json:"bits"`
	Curve     string `json:"curve"` // P-256 …; "" for non-EC keys
}

// Extension lists one extension present in the certificate.
type Extension struct {
	OID      string `json:"oid"`
	Name     string `json:"name"` // e.g. subjectAltName; "" when unknown
	Critical bool   `json:"critical"`
}

// DER returns the certificate's encoding.
func (c *Certificate) DER() []byte { return c.der }

// X509 returns crypto/x509's parse of the certificate, or nil when crypto/x509
// rejected it (Problems says why). Chain verification needs it.
func (c *Certificate) X509() *x509.Certificate { return c.x509 }
