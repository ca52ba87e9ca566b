package gateway

import (
	"crypto/sha1"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

const azureVersion = "Azure API Management: context.Request.Certificate (.NET X509Certificate2; dotnet/runtime X500NameEncoder, main, December 2026) and validate-client-certificate (policy reference, December 2026)"

// azureAPIM is what API Management policies read: the C# expressions'
// context.Request.Certificate, an X509Certificate2, and the certificate
// properties validate-client-certificate's <identity> attributes are matched
// against.
var azureAPIM = Profile{
	Name:  "azure-apim",
	Title: azureVersion,
	view: func(c *certinfo.Certificate, raw rawCert) View {
		vs := values{source: Documented, version: azureVersion}
		const p = "context.Request.Certificate."
		var cannot []string
		subject, okS := dotnetName(raw.subject)
		issuer, okI := dotnetName(raw.issuer)
		if !okS {
			cannot = append(cannot, p+"Subject's text: a value whose bytes break its string type makes .NET print the whole name as \"\"")
		}
		if !okI {
			cannot = append(cannot, p+"Issuer's text: a value whose bytes break its string type makes .NET print the whole name as \"\"")
		}
		vs.add(p+"Subject", []byte(subject))
		vs.add(p+"SubjectName.Name", []byte(subject))
		vs.add(p+"Issuer", []byte(issuer))
		// GetSerialNumberString: the INTEGER's content octets, sign byte included.
		serial := appendHex(nil, raw.serial, upperHex)
		vs.add(p+"SerialNumber", serial)
		sum := sha1.Sum(c.DER())
		thumb := appendHex(nil, sum[:], upperHex)
		vs.add(p+"Thumbprint", thumb)
		if s, ok := dotnetDate(raw.notBefore); ok {
			vs.add(p+"NotBefore", []byte(s))
		}
		if s, ok := dotnetDate(raw.notAfter); ok {
			vs.add(p+"NotAfter", []byte(s))
		}
		const id = "validate-client-certificate identity@"
		vs.add(id+"thumbprint", thumb)
		vs.add(id+"serial-number", serial)
		if cn, ok := simpleName(raw.subject); ok {
			vs.add(id+"common-name", []byte(cn))
		} else {
			cannot = append(cannot, id+"common-name: the subject has no CN")
		}
		vs.add(id+"subject", []byte(subject))
		if dns, ok := firstSAN(raw, 0x82); ok {
			vs.add(id+"dns-name", dns)
		}
		vs.add(id+"issuer-subject", []byte(issuer))
		cannot = append(cannot,
			id+"issuer-thumbprint and issuer-certificate-id: they name the issuing CA's own certificate, which is not this one",
			"subjectAltName: no property; C# reads it through Extensions (the 2.5.29.17 extension's Format(false))")
		return View{Values: vs.list, CannotSee: cannot, Notes: []string{
			"Subject is .NET's X500DistinguishedName form: RDNs last first, \", \" between them, \" + \" inside a multi-valued RDN, E= for emailAddress, S= for stateOrProvinceName, OID.x.y.z= for types outside .NET's table, and a value with , + = \" < > # ; a newline, or outer spaces in double quotes (inner quotes doubled) — never backslash escapes",
			"attribute types outside .NET's own table are shown as OID.x.y.z; the platform may know a name for some of them: OpenSSL's on Linux (the self-hosted gateway, e.g. userId for UID), Windows' crypt32 on the hosted gateway",
			"SerialNumber is the DER integer's bytes in upper-case hex, a leading 00 sign byte included; Thumbprint is the upper-case hex SHA-1",
			"NotBefore and NotAfter are DateTime values; shown as ToString() under the invariant culture in UTC (compare them as DateTime, not as text)",
			"common-name is assumed to be GetNameInfo(SimpleName): the CN nearest the end of the DER name; dns-name the first DNS SAN. The policy's documentation does not say how it compares (case, exact string)",
		}}
	},
}

// dotnetDate is DateTime.ToString() under the invariant culture for a UTC time.
func dotnetDate(t rawTime) (string, bool) {
	tm, ok := certTime(t)
	return tm.Format("01/02/2006 15:04:05"), ok
}

// simpleName is the last CN of a name in DER order, as .NET's
// GetNameInfo(X509NameType.SimpleName) picks it.
func simpleName(name []byte) (string, bool) {
	entries, err := nameEntries(name)
	if err != nil {
		return "", false
	}
	for i := len(entries) - 1; i >= 0; i-- {
		if dottedOID(entries[i].oid) == "2.5.4.3" {
			s, err := dotnetString(entries[i].tag, entries[i].content)
			return s, err == nil
		}
	}
	return "", false
}
