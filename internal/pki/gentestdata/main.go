// Command gentestdata writes the test PKI in testdata/pki: CAs, client certificates
// for every verification outcome and every hard DN/SAN case, their keys, chain
// files, CA bundles, and a README.md that says what each file is for.
//
// The output is reproducible: keys are derived from the file names
// (pki.SeededKey), signatures are deterministic, dates are fixed. Run it with
//
//	go generate ./internal/pki
package main

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

func main() {
	out := flag.String("out", "", "directory to write the test PKI to (its *.pem, *.key and README.md are replaced)")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gentestdata -out DIR")
		os.Exit(2)
	}
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gentestdata:", err)
		os.Exit(1)
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// The fixed validity windows, chosen around pki.TestNow (2026-06-01).
var (
	caFrom, caTo             = day(2025, 1, 1), day(2045, 1, 1)
	leafFrom, leafTo         = day(2026, 1, 1), day(2028, 1, 1)
	expiredFrom, expiredTo   = day(2025, 1, 1), day(2026, 1, 1)
	futureFrom, futureTo     = day(2030, 1, 1), day(2031, 1, 1)
	oldCAFrom, oldCATo       = day(2015, 1, 1), day(2025, 1, 1)
	futureCAFrom, futureCATo = day(2030, 1, 1), day(2050, 1, 1)
	clientAuth               = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	serverAuth               = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	oidSmtpUTF8Mailbox       = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 8, 9}
	oidPrivate               = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555}
	oidOtherNameInt, oidRID  = append(slices.Clone(oidPrivate), 2), append(slices.Clone(oidPrivate), 3)
	oidUnknownAttr           = append(slices.Clone(oidPrivate), 1, 1)
	oidCriticalExt           = append(slices.Clone(oidPrivate), 4)
	soonTo                   = day(2026, 6, 20) // within 30 days of pki.TestNow
	goodClientSAN            = []pki.GeneralName{pki.DNSName("client.example.com"), pki.DNSName("api.example.com"), pki.IPAddress(netip.MustParseAddr("192.0.2.10")), pki.IPAddress(netip.MustParseAddr("2001:db8::10")), pki.EmailAddress("ops@example.com"), pki.URI("spiffe://example.com/ns/prod/sa/client")}
	goodClientSANString      = "`DNS:client.example.com`, `DNS:api.example.com`, `IP:192.0.2.10`, `IP:2001:db8::10`, `Email:ops@example.com`, `URI:spiffe://example.com/ns/prod/sa/client`"
	goodClientName           = pkix.Name{CommonName: "client.example.com"}
	acme                     = []pki.RDN{{pki.Attr("C", "US")}, {pki.Attr("O", "Acme")}}
	acmeInc                  = []pki.RDN{{pki.Attr("C", "US")}, {pki.Attr("O", "Acme, Inc.")}}
)

// file is one generated file and what the README says about it.
type file struct {
	name, section, about string
	data                 []byte
}

type gen struct {
	files   []file
	section string
	names   map[*pki.Cert]string // file each certificate was written to
}

func (g *gen) add(name, about string, data []byte) {
	g.files = append(g.files, file{name: name, section: g.section, about: about, data: data})
}

// cert creates name.pem and name.key, signed by issuer (nil: self-signed). The key
// is derived from the file name, so it never changes between runs.
func (g *gen) cert(name, about string, issuer *pki.Cert, spec pki.Spec) *pki.Cert {
	key, err := pki.SeededKey(spec.KeyType, spec.RSABits, "testdata/pki/"+name)
	check(err)
	spec.Key = key
	var c *pki.Cert
	if issuer == nil {
		c, err = pki.SelfSign(spec)
	} else {
		c, err = issuer.Issue(spec)
	}
	check(err)
	g.add(name+".pem", about, c.CertPEM())
	g.names[c] = name + ".pem"
	keyPEM, err := c.KeyPEM()
	check(err)
	g.add(name+".key", "private key of "+name+".pem (PKCS#8; test only)", keyPEM)
	return c
}

// leaf creates a client certificate under issuer and, when intermediates are given,
// name-chain.pem: the leaf followed by them, as a client sends it.
func (g *gen) leaf(name, about string, issuer *pki.Cert, spec pki.Spec, intermediates ...*pki.Cert) *pki.Cert {
	if spec.NotBefore.IsZero() {
		spec.NotBefore, spec.NotAfter = leafFrom, leafTo
	}
	c := g.cert(name, about, issuer, spec)
	if len(intermediates) > 0 {
		g.chain(name+"-chain.pem", name+".pem followed by "+g.fileNames(intermediates)+": the chain a client sends", append([]*pki.Cert{c}, intermediates...)...)
	}
	return c
}

func (g *gen) chain(name, about string, certs ...*pki.Cert) {
	g.add(name, about, pki.ChainPEM(certs...))
}

func (g *gen) ca(name, about string, issuer *pki.Cert, spec pki.Spec) *pki.Cert {
	spec.IsCA = true
	if spec.NotBefore.IsZero() {
		spec.NotBefore, spec.NotAfter = caFrom, caTo
	}
	return g.cert(name, about, issuer, spec)
}

// dn creates a client certificate whose subject is the given RDNs (DER order) and
// records the DN string docs/design.md's format gives for it.
func (g *gen) dn(name, about, wantDN string, issuer *pki.Cert, rdns ...pki.RDN) {
	g.leaf(name, about+"; DN: `"+wantDN+"`", issuer, pki.Spec{RawSubject: pki.MustName(rdns...), ExtKeyUsage: clientAuth}, issuer)
}

func (g *gen) fileNames(certs []*pki.Cert) string {
	var s []string
	for _, c := range certs {
		s = append(s, g.names[c])
	}
	return strings.Join(s, ", ")
}

func (g *gen) build() {
	g.section = "Certificate authorities (" + caFrom.Format(time.DateOnly) + " to " + caTo.Format(time.DateOnly) + " unless said otherwise)"
	root := g.ca("root", "`CN=Acme Root CA`, the trusted root; also the one-root bundle", nil, pki.Spec{Subject: pkix.Name{CommonName: "Acme Root CA"}})
	inter := g.ca("intermediate", "`CN=Acme Issuing CA`, issued by root.pem, path length 0, no EKU: issues the client certificates below", root, pki.Spec{Subject: pkix.Name{CommonName: "Acme Issuing CA"}, MaxPathLenZero: true})
	serverInter := g.ca("intermediate-serverauth", "`CN=Server Intermediate`, issued by root.pem, EKU serverAuth only: a clientAuth leaf under it fails (Go checks EKU along the chain)", root, pki.Spec{Subject: pkix.Name{CommonName: "Server Intermediate"}, ExtKeyUsage: serverAuth, MaxPathLenZero: true})
	constrained := g.ca("intermediate-name-constrained", "`CN=Acme Constrained CA`, issued by root.pem, name constraints: permitted DNS example.org only", root, pki.Spec{Subject: pkix.Name{CommonName: "Acme Constrained CA"}, PermittedDNSDomains: []string{"example.org"}, PermittedDNSDomainsCritical: true, MaxPathLenZero: true})
	rootB := g.ca("root-b", "`CN=Partner Root CA`, a second trusted root (two-bundle and two-root cases)", nil, pki.Spec{Subject: pkix.Name{CommonName: "Partner Root CA"}})
	untrusted := g.ca("untrusted-root", "`CN=Untrusted Root CA`, a root that no bundle here contains", nil, pki.Spec{Subject: pkix.Name{CommonName: "Untrusted Root CA"}})
	oldCA := g.ca("ca-expired", "`CN=Acme Expired Root CA`, "+oldCAFrom.Format(time.DateOnly)+" to "+oldCATo.Format(time.DateOnly)+": expired at the test clock", nil, pki.Spec{Subject: pkix.Name{CommonName: "Acme Expired Root CA"}, NotBefore: oldCAFrom, NotAfter: oldCATo})
	futureCA := g.ca("ca-not-yet-valid", "`CN=Acme Future Root CA`, "+futureCAFrom.Format(time.DateOnly)+" to "+futureCATo.Format(time.DateOnly)+": not yet valid at the test clock", nil, pki.Spec{Subject: pkix.Name{CommonName: "Acme Future Root CA"}, NotBefore: futureCAFrom, NotAfter: futureCATo})

	g.section = "Client certificates under intermediate.pem (" + leafFrom.Format(time.DateOnly) + " to " + leafTo.Format(time.DateOnly) + ", EKU clientAuth, unless said otherwise)"
	good := g.leaf("client-good", "`CN=client.example.com`; SAN "+goodClientSANString+"; trusted by root.pem with the intermediate. Alone (without the intermediate) it is the leaf-only case: unknown issuer `CN=Acme Issuing CA`", inter, pki.Spec{Subject: goodClientName, SAN: goodClientSAN, ExtKeyUsage: clientAuth}, inter)
	g.chain("client-good-fullchain.pem", "client-good.pem, intermediate.pem, root.pem: a chain that also carries the root", good, inter, root)
	g.leaf("client-expired", "as client-good, but valid "+expiredFrom.Format(time.DateOnly)+" to "+expiredTo.Format(time.DateOnly)+": expired", inter, pki.Spec{Subject: goodClientName, SAN: goodClientSAN, ExtKeyUsage: clientAuth, NotBefore: expiredFrom, NotAfter: expiredTo}, inter)
	g.leaf("client-not-yet-valid", "as client-good, but valid "+futureFrom.Format(time.DateOnly)+" to "+futureTo.Format(time.DateOnly)+": not yet valid", inter, pki.Spec{Subject: goodClientName, SAN: goodClientSAN, ExtKeyUsage: clientAuth, NotBefore: futureFrom, NotAfter: futureTo}, inter)
	g.leaf("server-localhost", "`CN=localhost`, SAN `DNS:localhost`, `IP:127.0.0.1`, `IP:::1`, EKU serverAuth only: fails client auth; also a server certificate for loopback TLS tests", inter, pki.Spec{Subject: pkix.Name{CommonName: "localhost"}, SAN: []pki.GeneralName{pki.DNSName("localhost"), pki.IPAddress(netip.MustParseAddr("127.0.0.1")), pki.IPAddress(netip.MustParseAddr("::1"))}, ExtKeyUsage: serverAuth}, inter)
	g.leaf("client-no-eku", "`CN=no-eku.example.com`, no EKU extension: passes client auth (no EKU means any usage)", inter, pki.Spec{Subject: pkix.Name{CommonName: "no-eku.example.com"}, SAN: []pki.GeneralName{pki.DNSName("no-eku.example.com")}}, inter)
	g.leaf("client-rsa", "`CN=rsa.example.com`, RSA 2048 key", inter, pki.Spec{Subject: pkix.Name{CommonName: "rsa.example.com"}, SAN: []pki.GeneralName{pki.DNSName("rsa.example.com")}, ExtKeyUsage: clientAuth, KeyType: pki.RSA}, inter)
	g.leaf("client-ed25519", "`CN=ed25519.example.com`, Ed25519 key", inter, pki.Spec{Subject: pkix.Name{CommonName: "ed25519.example.com"}, SAN: []pki.GeneralName{pki.DNSName("ed25519.example.com")}, ExtKeyUsage: clientAuth, KeyType: pki.Ed25519}, inter)

	bad := g.leaf("client-bad-signature", "`CN=bad-signature.example.com`, its signature altered after signing: right issuer name and key id, signature does not verify", inter, pki.Spec{Subject: pkix.Name{CommonName: "bad-signature.example.com"}, SAN: []pki.GeneralName{pki.DNSName("bad-signature.example.com")}, ExtKeyUsage: clientAuth}, inter)
	bad.DER[len(bad.DER)-1] ^= 0x01 // the last byte of the signature's s
	g.replace("client-bad-signature.pem", bad.CertPEM())
	g.replace("client-bad-signature-chain.pem", pki.ChainPEM(bad, inter))

	g.section = "subjectAltName cases (under intermediate.pem; SAN strings as docs/design.md writes them)"
	dirName := pki.MustName(append(slices.Clone(acme), pki.RDN{pki.Attr("CN", "Directory Entry")})...)
	g.leaf("client-san-othernames", "`CN=othernames.example.com`; SAN `DNS:othernames.example.com`, `UPN:ops@example.com`, `OtherName:1.3.6.1.5.5.7.8.9:zoë@example.com`, `OtherName:1.3.6.1.4.1.55555.2:#02012A`, `RID:1.3.6.1.4.1.55555.3`, `DirName:CN=Directory Entry,O=Acme,C=US` (crypto/x509 sees only the DNS name)", inter, pki.Spec{
		Subject: pkix.Name{CommonName: "othernames.example.com"},
		SAN: []pki.GeneralName{
			pki.DNSName("othernames.example.com"),
			pki.UPN("ops@example.com"),
			pki.OtherName(oidSmtpUTF8Mailbox, pki.UTF8String("zoë@example.com")),
			pki.OtherName(oidOtherNameInt, []byte{0x02, 0x01, 0x2A}),
			pki.RegisteredID(oidRID),
			pki.DirectoryName(dirName),
		},
		ExtKeyUsage: clientAuth,
	}, inter)
	g.leaf("client-san-bad-uri", "`CN=bad-uri.example.com`; SAN `DNS:bad-uri.example.com`, `URI:http://exa mple/`: crypto/x509 refuses to parse it (unparsable, decision 4018)", inter, pki.Spec{Subject: pkix.Name{CommonName: "bad-uri.example.com"}, SAN: []pki.GeneralName{pki.DNSName("bad-uri.example.com"), pki.URI("http://exa mple/")}, ExtKeyUsage: clientAuth}, inter)
	g.leaf("client-san-critical-upn", "`CN=upn-only`; a critical SAN holding only `UPN:upn-only@example.com`: crypto/x509 Verify fails with \"unhandled critical extension\"", inter, pki.Spec{Subject: pkix.Name{CommonName: "upn-only"}, SAN: []pki.GeneralName{pki.UPN("upn-only@example.com")}, SANCritical: true, ExtKeyUsage: clientAuth}, inter)
	g.leaf("client-san-ipv4-mapped", "`CN=mapped.example.com`; SAN `DNS:mapped.example.com`, `IP:::ffff:192.0.2.1` (16 bytes, IPv4-mapped), `IP:192.0.2.1` (4 bytes)", inter, pki.Spec{Subject: pkix.Name{CommonName: "mapped.example.com"}, SAN: []pki.GeneralName{pki.DNSName("mapped.example.com"), pki.IPAddress(netip.MustParseAddr("::ffff:192.0.2.1")), pki.IPAddress(netip.MustParseAddr("192.0.2.1"))}, ExtKeyUsage: clientAuth}, inter)

	g.section = "Distinguished-name cases (under intermediate.pem, no SAN; DN as docs/design.md formats it, RDNs listed here in DER order)"
	bmp := func(typ, v string) pki.Attribute {
		a := pki.Attr(typ, "")
		a.Tag, a.Value = asn1.TagBMPString, pki.BMPString(v)
		return a
	}
	t61 := func(typ string, v []byte) pki.Attribute {
		a := pki.Attr(typ, "")
		a.Tag, a.Value = asn1.TagT61String, v
		return a
	}
	g.dn("dn-multivalued", "`C=US / O=Acme, Inc. / CN=b+OU=a`: the multi-valued RDN DER-sorted, as OpenSSL writes `/C=US/O=Acme, Inc./OU=a+CN=b`", `CN=b+OU=a,O=Acme\, Inc.,C=US`, inter,
		append(slices.Clone(acmeInc), pki.RDN{pki.Attr("CN", "b"), pki.Attr("OU", "a")})...)
	g.dn("dn-multivalued-unsorted", "`C=US / O=Acme, Inc. / OU=a+CN=b`: the multi-valued RDN's members in that (unsorted) DER order, which the DN keeps", `OU=a+CN=b,O=Acme\, Inc.,C=US`, inter,
		append(slices.Clone(acmeInc), pki.RDN{pki.Attr("OU", "a"), pki.Attr("CN", "b")})...)
	g.dn("dn-escapes", "every RFC 4514 escape: `,` `+` `\"` `\\` `<` `>` `;`, a leading `#` and space, a trailing space", `CN=\#leading hash,OU=trailing space\ ,OU=\ leading space,OU=plus\+quote\"back\\slash\<lt\>gt\;semi,O=Acme\, Inc.,C=US`, inter,
		append(slices.Clone(acmeInc),
			pki.RDN{pki.Attr("OU", `plus+quote"back\slash<lt>gt;semi`)},
			pki.RDN{pki.Attr("OU", " leading space")},
			pki.RDN{pki.Attr("OU", "trailing space ")},
			pki.RDN{pki.Attr("CN", "#leading hash")})...)
	g.dn("dn-utf8", "UTF8String values beyond ASCII", `CN=Zoë Ångström,OU=東京,O=Café ☕,C=US`, inter,
		pki.RDN{pki.Attr("C", "US")}, pki.RDN{pki.Attr("O", "Café ☕")}, pki.RDN{pki.Attr("OU", "東京")}, pki.RDN{pki.Attr("CN", "Zoë Ångström")})
	g.dn("dn-bmpstring", "O and CN as BMPString (UTF-16BE)", `CN=Zoë Ångström,O=Grüße GmbH,C=US`, inter,
		pki.RDN{pki.Attr("C", "US")}, pki.RDN{bmp("O", "Grüße GmbH")}, pki.RDN{bmp("CN", "Zoë Ångström")})
	g.dn("dn-teletex", "O and CN as TeletexString (T61String); the CN holds byte 0xE9, é when read as Latin-1 as OpenSSL does", `CN=café,O=Teletex Corp,C=US`, inter,
		pki.RDN{pki.Attr("C", "US")}, pki.RDN{t61("O", []byte("Teletex Corp"))}, pki.RDN{t61("CN", []byte("caf\xe9"))})
	g.dn("dn-control", "control characters: LF in an OU, DEL in another, NUL in the CN (UTF8String)", `CN=nul\00byte,OU=del\7Fchar,OU=line\0Afeed,O=Acme,C=US`, inter,
		append(slices.Clone(acme), pki.RDN{pki.Attr("OU", "line\nfeed")}, pki.RDN{pki.Attr("OU", "del\x7fchar")}, pki.RDN{pki.Attr("CN", "nul\x00byte")})...)
	g.dn("dn-dc", "LDAP-style name with DC (IA5String) and UID components", `CN=John Doe,UID=jdoe,OU=People,DC=example,DC=com`, inter,
		pki.RDN{pki.Attr("DC", "com")}, pki.RDN{pki.Attr("DC", "example")}, pki.RDN{pki.Attr("OU", "People")}, pki.RDN{pki.Attr("UID", "jdoe")}, pki.RDN{pki.Attr("CN", "John Doe")})
	g.dn("dn-email", "emailAddress attribute (IA5String) after the CN", `emailAddress=ops@example.com,CN=Jane Ops,O=Acme,C=US`, inter,
		append(slices.Clone(acme), pki.RDN{pki.Attr("CN", "Jane Ops")}, pki.RDN{pki.Attr("emailAddress", "ops@example.com")})...)
	g.dn("dn-unknown-oid", "an attribute of unknown type 1.3.6.1.4.1.55555.1.1 (UTF8String \"custom\"), shown as #hex of its DER", `CN=custom-oid,1.3.6.1.4.1.55555.1.1=#0C06637573746F6D,O=Acme,C=US`, inter,
		append(slices.Clone(acme), pki.RDN{{Type: oidUnknownAttr, Tag: asn1.TagUTF8String, Value: []byte("custom")}}, pki.RDN{pki.Attr("CN", "custom-oid")})...)
	g.dn("dn-repeated-ou", "two OU attributes in separate RDNs, kept apart and in order", `CN=repeated,OU=ops,OU=eng,O=Acme,C=US`, inter,
		append(slices.Clone(acme), pki.RDN{pki.Attr("OU", "eng")}, pki.RDN{pki.Attr("OU", "ops")}, pki.RDN{pki.Attr("CN", "repeated")})...)
	g.dn("dn-all-names", "the common RFC 4514 and OpenSSL short names, once each", `CN=Jane Doe,serialNumber=A123,SN=Doe,GN=Jane,initials=JD,title=Engineer,pseudonym=jd,OU=Eng,O=Acme,organizationIdentifier=VATUS-123,businessCategory=Private Organization,postalCode=94105,STREET=1 Main St,L=San Francisco,ST=California,C=US`, inter,
		pki.RDN{pki.Attr("C", "US")}, pki.RDN{pki.Attr("ST", "California")}, pki.RDN{pki.Attr("L", "San Francisco")},
		pki.RDN{pki.Attr("STREET", "1 Main St")}, pki.RDN{pki.Attr("postalCode", "94105")}, pki.RDN{pki.Attr("businessCategory", "Private Organization")},
		pki.RDN{pki.Attr("organizationIdentifier", "VATUS-123")}, pki.RDN{pki.Attr("O", "Acme")}, pki.RDN{pki.Attr("OU", "Eng")},
		pki.RDN{pki.Attr("pseudonym", "jd")}, pki.RDN{pki.Attr("title", "Engineer")}, pki.RDN{pki.Attr("initials", "JD")},
		pki.RDN{pki.Attr("GN", "Jane")}, pki.RDN{pki.Attr("SN", "Doe")}, pki.RDN{pki.Attr("serialNumber", "A123")}, pki.RDN{pki.Attr("CN", "Jane Doe")})

	g.section = "Client certificates under other issuers (" + leafFrom.Format(time.DateOnly) + " to " + leafTo.Format(time.DateOnly) + ", EKU clientAuth)"
	g.leaf("client-under-serverauth-intermediate", "`CN=partner.example.com` under intermediate-serverauth.pem: fails client auth at certificate 2 (`CN=Server Intermediate`, serverAuth only)", serverInter, pki.Spec{Subject: pkix.Name{CommonName: "partner.example.com"}, SAN: []pki.GeneralName{pki.DNSName("partner.example.com")}, ExtKeyUsage: clientAuth}, serverInter)
	g.leaf("client-name-constrained", "`CN=client.example.com`, SAN `DNS:client.example.com` under intermediate-name-constrained.pem (permits example.org only): violates the name constraints", constrained, pki.Spec{Subject: goodClientName, SAN: []pki.GeneralName{pki.DNSName("client.example.com")}, ExtKeyUsage: clientAuth}, constrained)
	g.leaf("client-root-b", "`CN=partner-b.example.com`, issued directly by root-b.pem: trusted by root-b.pem and bundle-two-roots.pem, not by root.pem", rootB, pki.Spec{Subject: pkix.Name{CommonName: "partner-b.example.com"}, SAN: []pki.GeneralName{pki.DNSName("partner-b.example.com")}, ExtKeyUsage: clientAuth})
	g.leaf("client-untrusted", "`CN=untrusted.example.com`, issued directly by untrusted-root.pem: unknown issuer `CN=Untrusted Root CA` for every bundle here", untrusted, pki.Spec{Subject: pkix.Name{CommonName: "untrusted.example.com"}, SAN: []pki.GeneralName{pki.DNSName("untrusted.example.com")}, ExtKeyUsage: clientAuth})
	g.leaf("client-under-expired-ca", "`CN=old-ca.example.com`, issued directly by ca-expired.pem: with bundle-expired-ca.pem, the chain fails because the bundle's CA expired", oldCA, pki.Spec{Subject: pkix.Name{CommonName: "old-ca.example.com"}, SAN: []pki.GeneralName{pki.DNSName("old-ca.example.com")}, ExtKeyUsage: clientAuth})
	g.leaf("client-self-signed", "`CN=self-signed.example.com`, a self-signed leaf (not a CA): trusted by no bundle", nil, pki.Spec{Subject: pkix.Name{CommonName: "self-signed.example.com"}, SAN: []pki.GeneralName{pki.DNSName("self-signed.example.com")}, ExtKeyUsage: clientAuth})

	g.section = "Diagnostics cases (each triggers one finding of internal/diagnose; under intermediate.pem, " + leafFrom.Format(time.DateOnly) + " to " + leafTo.Format(time.DateOnly) + ", EKU clientAuth, unless said otherwise)"
	g.leaf("client-expiring-soon", "`CN=expiring.example.com`, valid "+leafFrom.Format(time.DateOnly)+" to "+soonTo.Format(time.DateOnly)+": expires "+trust.FormatSpan(soonTo.Sub(pki.TestNow))+" after the test clock (finding expires_soon)", inter, pki.Spec{Subject: pkix.Name{CommonName: "expiring.example.com"}, SAN: []pki.GeneralName{pki.DNSName("expiring.example.com")}, ExtKeyUsage: clientAuth, NotBefore: leafFrom, NotAfter: soonTo}, inter)
	g.leaf("client-cn-only", "`CN=cn-only.example.com` and no subjectAltName: a CN-only identity (finding no_san)", inter, pki.Spec{Subject: pkix.Name{CommonName: "cn-only.example.com"}, ExtKeyUsage: clientAuth}, inter)
	g.leaf("client-rsa-1024", "`CN=rsa1024.example.com`, RSA 1024 key: below 2048 bits (finding weak_rsa_key)", inter, pki.Spec{Subject: pkix.Name{CommonName: "rsa1024.example.com"}, SAN: []pki.GeneralName{pki.DNSName("rsa1024.example.com")}, ExtKeyUsage: clientAuth, KeyType: pki.RSA, RSABits: 1024}, inter)
	g.leaf("client-sha1", "`CN=sha1.example.com`, signed with ECDSA-SHA1, which crypto/x509 no longer accepts (finding weak_signature)", inter, pki.Spec{Subject: pkix.Name{CommonName: "sha1.example.com"}, SAN: []pki.GeneralName{pki.DNSName("sha1.example.com")}, ExtKeyUsage: clientAuth, SignatureAlgorithm: x509.ECDSAWithSHA1}, inter)
	g.leaf("client-critical-unknown-ext", "`CN=critical-ext.example.com`, a critical private extension 1.3.6.1.4.1.55555.4 that no TLS stack handles (finding unhandled_critical_extension)", inter, pki.Spec{Subject: pkix.Name{CommonName: "critical-ext.example.com"}, SAN: []pki.GeneralName{pki.DNSName("critical-ext.example.com")}, ExtKeyUsage: clientAuth, ExtraExtensions: []pkix.Extension{{Id: oidCriticalExt, Critical: true, Value: []byte{0x05, 0x00}}}}, inter)
	g.ca("client-ca-as-leaf", "`CN=Acme Client CA`, issued by root.pem, a CA certificate (CA:TRUE) with EKU clientAuth, sent as if it were a client certificate (finding ca_as_client_cert)", root, pki.Spec{Subject: pkix.Name{CommonName: "Acme Client CA"}, ExtKeyUsage: clientAuth, MaxPathLenZero: true})
	g.chain("client-good-out-of-order.pem", "client-good.pem, root.pem, intermediate.pem: the full chain with its CAs in the wrong order (finding chain_out_of_order)", good, root, inter)
	g.chain("client-good-duplicate.pem", "client-good.pem, intermediate.pem, intermediate.pem: the intermediate sent twice (finding chain_duplicate)", good, inter, inter)
	g.chain("client-good-wrong-intermediate.pem", "client-good.pem followed by intermediate-serverauth.pem, an intermediate that did not issue it: the right one is missing (findings chain_unrelated_certificate, missing_intermediate)", good, serverInter)

	g.section = "CA bundles (truststores)"
	g.chain("bundle-two-roots.pem", "root.pem and root-b.pem: no warnings", root, rootB)
	g.chain("bundle-with-leaf.pem", "root.pem and client-good.pem: warning for certificate 2, not a CA", root, good)
	g.chain("bundle-expired-ca.pem", "root.pem and ca-expired.pem: warning for certificate 2, expired", root, oldCA)
	g.chain("bundle-not-yet-valid-ca.pem", "root.pem and ca-not-yet-valid.pem: warning for certificate 2, not yet valid", root, futureCA)
	g.chain("bundle-duplicate.pem", "root.pem, root-b.pem, root.pem again: warning for certificate 3, a duplicate of certificate 1", root, rootB, root)
}

// replace swaps the content of an already added file.
func (g *gen) replace(name string, data []byte) {
	for i := range g.files {
		if g.files[i].name == name {
			g.files[i].data = data
			return
		}
	}
	panic("replace: no file " + name)
}

func run(out string) error {
	g := &gen{names: map[*pki.Cert]string{}}
	g.build()
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	// Remove what an earlier run wrote, so a renamed fixture leaves no stale file.
	for _, pattern := range []string{"*.pem", "*.key", "README.md"} {
		old, err := filepath.Glob(filepath.Join(out, pattern))
		if err != nil {
			return err
		}
		for _, f := range old {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	for _, f := range g.files {
		if err := os.WriteFile(filepath.Join(out, f.name), f.data, 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(out, "README.md"), g.readme(), 0o644)
}

func (g *gen) readme() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `# Test PKI

Generated by `+"`go generate ./internal/pki`"+` (internal/pki/gentestdata); never edit by hand.
Regenerating gives the same bytes: keys are derived from the file names, signatures are
deterministic and every date is fixed.

**Test clock:** tests evaluate these certificates at %s (`+"`pki.TestNow`"+`). At that
instant the CAs (%s to %s) and the good leaves (%s to %s) are valid; the
expired leaf ended %s, the not-yet-valid one starts %s.

Every *.key is the PKCS#8 private key of the *.pem beside it. They are test keys,
published on purpose: never trust these CAs outside tests.
`, pki.TestNowRFC3339, caFrom.Format(time.DateOnly), caTo.Format(time.DateOnly), leafFrom.Format(time.DateOnly), leafTo.Format(time.DateOnly),
		expiredTo.Format(time.DateOnly), futureFrom.Format(time.DateOnly))
	section := ""
	for _, f := range g.files {
		if strings.HasSuffix(f.name, ".key") {
			continue
		}
		if f.section != section {
			section = f.section
			fmt.Fprintf(&b, "\n## %s\n\n| file | what it is for |\n|---|---|\n", section)
		}
		fmt.Fprintf(&b, "| `%s` | %s |\n", f.name, strings.ReplaceAll(f.about, "|", `\|`))
	}
	return b.Bytes()
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "gentestdata:", err)
		os.Exit(1)
	}
}
