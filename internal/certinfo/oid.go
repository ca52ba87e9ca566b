package certinfo

import (
	"math/big"
	"strconv"
	"strings"
	"sync"
)

// maxOIDLen bounds the OBJECT IDENTIFIERs we format. Real OIDs are far shorter (a
// 2.25 UUID arc is 19 bytes); the bound keeps big-number formatting cheap.
const maxOIDLen = 256

// oidString formats the content octets of an OBJECT IDENTIFIER in dotted form. It
// handles arcs of any size (2.25.<UUID> needs 128 bits, more than
// cryptobyte.ReadASN1ObjectIdentifier accepts). ok is false for an empty,
// truncated, non-minimal or oversized encoding.
func oidString(b []byte) (string, bool) {
	if len(b) == 0 || len(b) > maxOIDLen || b[len(b)-1]&0x80 != 0 {
		return "", false
	}
	out := make([]byte, 0, 3*len(b)+2)
	first := true
	for len(b) > 0 {
		if b[0] == 0x80 { // a leading 0x80 is a non-minimal arc
			return "", false
		}
		n := 0
		for b[n]&0x80 != 0 {
			n++
		}
		n++ // n bytes in this arc, the last without the high bit
		arc := b[:n]
		b = b[n:]
		if n <= 9 { // 63 bits fit in a uint64
			var v uint64
			for _, c := range arc {
				v = v<<7 | uint64(c&0x7f)
			}
			if first {
				switch {
				case v < 40:
					out = append(out, '0', '.')
				case v < 80:
					out = append(out, '1', '.')
					v -= 40
				default:
					out = append(out, '2', '.')
					v -= 80
				}
			} else {
				out = append(out, '.')
			}
			out = strconv.AppendUint(out, v, 10)
		} else {
			v := new(big.Int)
			for _, c := range arc {
				v.Lsh(v, 7)
				v.Or(v, big.NewInt(int64(c&0x7f)))
			}
			if first {
				out = append(out, '2', '.') // an arc this big can only follow 2
				v.Sub(v, big.NewInt(80))
			} else {
				out = append(out, '.')
			}
			out = v.Append(out, 10)
		}
		first = false
	}
	return string(out), true
}

// encodeOID is the inverse of oidString for the tables below (arcs fit in uint64).
func encodeOID(dotted string) string {
	parts := strings.Split(dotted, ".")
	arcs := make([]uint64, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			panic("certinfo: bad OID in table: " + dotted)
		}
		arcs[i] = v
	}
	arcs = append([]uint64{arcs[0]*40 + arcs[1]}, arcs[2:]...)
	var out []byte
	for _, v := range arcs {
		var tmp [10]byte
		i := len(tmp) - 1
		tmp[i] = byte(v & 0x7f)
		for v >>= 7; v > 0; v >>= 7 {
			i--
			tmp[i] = byte(v&0x7f) | 0x80
		}
		out = append(out, tmp[i:]...)
	}
	return string(out)
}

// oidInfo is a known OID: its dotted form, the name we show, and for attribute
// types the Name field it also fills (one of the kind constants in dn.go).
type oidInfo struct {
	dotted string
	name   string
	kind   int8
}

// oidTable maps the DER content of an OID to its info. Keying by the DER bytes
// makes the lookup allocation-free (string(b) in a map index does not copy).
// Most OIDs in a certificate are X.500 attribute types (2.5.4.n) and X.509
// extensions (2.5.29.n), three bytes each: those are read from an array.
type oidTable struct {
	m  map[string]*oidInfo
	ds [2][128]*oidInfo // 2.5.4.n and 2.5.29.n, n < 128
}

func newOIDTable(pairs ...string) *oidTable {
	t := &oidTable{m: make(map[string]*oidInfo, len(pairs)/2)}
	for i := 0; i < len(pairs); i += 2 {
		e := &oidInfo{dotted: pairs[i], name: pairs[i+1], kind: kindNone}
		der := encodeOID(pairs[i])
		t.m[der] = e
		if d, n, ok := dsIndex([]byte(der)); ok {
			t.ds[d][n] = e
		}
	}
	return t
}

// dsIndex places a 2.5.4.n or 2.5.29.n OID (n < 128) in oidTable.ds.
func dsIndex(b []byte) (d, n int, ok bool) {
	if len(b) != 3 || b[0] != 0x55 || b[2] >= 0x80 {
		return 0, 0, false
	}
	switch b[1] {
	case 4:
		return 0, int(b[2]), true
	case 29:
		return 1, int(b[2]), true
	}
	return 0, 0, false
}

// get returns the info of the OID whose content octets are b, or nil.
func (t *oidTable) get(b []byte) *oidInfo {
	if d, n, ok := dsIndex(b); ok {
		return t.ds[d][n]
	}
	return t.m[string(b)]
}

// withKinds sets the kind of the listed OIDs.
func (t *oidTable) withKinds(kinds map[string]int8) *oidTable {
	for dotted, k := range kinds {
		t.m[encodeOID(dotted)].kind = k
	}
	return t
}

// lookup returns the dotted form and the name ("" when unknown) of the OID whose
// content octets are b. ok is false when b is not a valid OID.
func (t *oidTable) lookup(b []byte) (dotted, name string, ok bool) {
	if e := t.get(b); e != nil {
		return e.dotted, e.name, true
	}
	dotted, ok = oidString(b)
	return dotted, "", ok
}

// attributeTypes names DN attributes: RFC 4514's table first, then OpenSSL's short
// names (obj_mac.h), so the DN reads the way both documents and tools spell it.
var attributeTypes = newOIDTable(
	// RFC 4514 section 3.
	"2.5.4.3", "CN",
	"2.5.4.7", "L",
	"2.5.4.8", "ST",
	"2.5.4.10", "O",
	"2.5.4.11", "OU",
	"2.5.4.6", "C",
	"2.5.4.9", "STREET",
	"0.9.2342.19200300.100.1.25", "DC",
	"0.9.2342.19200300.100.1.1", "UID",
	// OpenSSL short names (or long names where OpenSSL has no short one).
	"2.5.4.4", "SN",
	"2.5.4.5", "serialNumber",
	"2.5.4.12", "title",
	"2.5.4.13", "description",
	"2.5.4.14", "searchGuide",
	"2.5.4.15", "businessCategory",
	"2.5.4.16", "postalAddress",
	"2.5.4.17", "postalCode",
	"2.5.4.18", "postOfficeBox",
	"2.5.4.19", "physicalDeliveryOfficeName",
	"2.5.4.20", "telephoneNumber",
	"2.5.4.21", "telexNumber",
	"2.5.4.22", "teletexTerminalIdentifier",
	"2.5.4.23", "facsimileTelephoneNumber",
	"2.5.4.24", "x121Address",
	"2.5.4.25", "internationaliSDNNumber",
	"2.5.4.26", "registeredAddress",
	"2.5.4.27", "destinationIndicator",
	"2.5.4.28", "preferredDeliveryMethod",
	"2.5.4.29", "presentationAddress",
	"2.5.4.30", "supportedApplicationContext",
	"2.5.4.31", "member",
	"2.5.4.32", "owner",
	"2.5.4.33", "roleOccupant",
	"2.5.4.34", "seeAlso",
	"2.5.4.41", "name",
	"2.5.4.42", "GN",
	"2.5.4.43", "initials",
	"2.5.4.44", "generationQualifier",
	"2.5.4.45", "x500UniqueIdentifier",
	"2.5.4.46", "dnQualifier",
	"2.5.4.47", "enhancedSearchGuide",
	"2.5.4.48", "protocolInformation",
	"2.5.4.49", "distinguishedName",
	"2.5.4.50", "uniqueMember",
	"2.5.4.51", "houseIdentifier",
	"2.5.4.54", "dmdName",
	"2.5.4.65", "pseudonym",
	"2.5.4.72", "role",
	"2.5.4.97", "organizationIdentifier",
	"2.5.4.98", "c3",
	"2.5.4.99", "n3",
	"2.5.4.100", "dnsName",
	"1.2.840.113549.1.9.1", "emailAddress",
	"1.2.840.113549.1.9.2", "unstructuredName",
	"1.2.840.113549.1.9.8", "unstructuredAddress",
	"0.9.2342.19200300.100.1.3", "mail",
	"1.3.6.1.4.1.311.60.2.1.1", "jurisdictionL",
	"1.3.6.1.4.1.311.60.2.1.2", "jurisdictionST",
	"1.3.6.1.4.1.311.60.2.1.3", "jurisdictionC",
	"1.2.643.3.131.1.1", "INN",
	"1.2.643.100.1", "OGRN",
	"1.2.643.100.3", "SNILS",
	"1.2.643.100.5", "OGRNIP",
).withKinds(map[string]int8{
	"2.5.4.3": kindCN, "2.5.4.5": kindSerialNumber,
	"2.5.4.10": kindO, "2.5.4.11": kindOU, "2.5.4.6": kindC, "2.5.4.7": kindL, "2.5.4.8": kindST,
	"2.5.4.9": kindStreet, "2.5.4.17": kindPostalCode, "1.2.840.113549.1.9.1": kindEmail,
	"0.9.2342.19200300.100.1.25": kindDC,
})

// AttributeName returns an attribute type as DN and Slash spell it, for a name
// written in any case (cn → CN, emailaddress → emailAddress) or as Windows prints
// it (E for emailAddress, S for ST); ok is false for a name the table above does
// not have. A DN written by hand compares equal to DN only when spelled this way.
func AttributeName(name string) (string, bool) {
	canon, ok := attributeNames()[strings.ToLower(name)]
	return canon, ok
}

// attributeNames maps the lower-case names of attributeTypes, and the Windows
// aliases, to their spelling. It is built on first use: only lints need it, and in
// the browser work done at init delays the engine's start.
var attributeNames = sync.OnceValue(func() map[string]string {
	m := make(map[string]string, len(attributeTypes.m)+2)
	for _, e := range attributeTypes.m {
		m[strings.ToLower(e.name)] = e.name
	}
	m["e"] = "emailAddress"
	m["s"] = "ST"
	return m
})

// extensionNames names certificate extensions in the ASN.1 module spelling.
var extensionNames = newOIDTable(
	"2.5.29.9", "subjectDirectoryAttributes",
	"2.5.29.14", "subjectKeyIdentifier",
	"2.5.29.15", "keyUsage",
	"2.5.29.16", "privateKeyUsagePeriod",
	"2.5.29.17", "subjectAltName",
	"2.5.29.18", "issuerAltName",
	"2.5.29.19", "basicConstraints",
	"2.5.29.30", "nameConstraints",
	"2.5.29.31", "cRLDistributionPoints",
	"2.5.29.32", "certificatePolicies",
	"2.5.29.33", "policyMappings",
	"2.5.29.35", "authorityKeyIdentifier",
	"2.5.29.36", "policyConstraints",
	"2.5.29.37", "extKeyUsage",
	"2.5.29.46", "freshestCRL",
	"2.5.29.54", "inhibitAnyPolicy",
	"1.3.6.1.5.5.7.1.1", "authorityInfoAccess",
	"1.3.6.1.5.5.7.1.3", "qcStatements",
	"1.3.6.1.5.5.7.1.11", "subjectInfoAccess",
	"1.3.6.1.5.5.7.1.24", "tlsFeature",
	"1.3.6.1.5.5.7.48.1.5", "ocspNoCheck",
	"1.3.6.1.4.1.11129.2.4.2", "signedCertificateTimestampList",
	"1.3.6.1.4.1.11129.2.4.3", "precertificatePoison",
	"2.16.840.1.113730.1.1", "nsCertType",
	"2.16.840.1.113730.1.13", "nsComment",
	"1.3.6.1.4.1.311.20.2", "msCertificateTemplateName",
	"1.3.6.1.4.1.311.21.1", "msCAVersion",
	"1.3.6.1.4.1.311.21.7", "msCertificateTemplate",
	"1.3.6.1.4.1.311.21.10", "msApplicationPolicies",
	"1.3.6.1.4.1.311.25.2", "msNTDSCASecurity",
)

// extKeyUsageNames uses OpenSSL's short names, which is what people search for
// (and what Go's ExtKeyUsage constants are named after).
var extKeyUsageNames = newOIDTable(
	"2.5.29.37.0", "anyExtendedKeyUsage",
	"1.3.6.1.5.5.7.3.1", "serverAuth",
	"1.3.6.1.5.5.7.3.2", "clientAuth",
	"1.3.6.1.5.5.7.3.3", "codeSigning",
	"1.3.6.1.5.5.7.3.4", "emailProtection",
	"1.3.6.1.5.5.7.3.5", "ipsecEndSystem",
	"1.3.6.1.5.5.7.3.6", "ipsecTunnel",
	"1.3.6.1.5.5.7.3.7", "ipsecUser",
	"1.3.6.1.5.5.7.3.8", "timeStamping",
	"1.3.6.1.5.5.7.3.9", "OCSPSigning",
	"1.3.6.1.5.5.7.3.10", "DVCS",
	"1.3.6.1.5.5.7.3.17", "ipsecIKE",
	"1.3.6.1.5.5.7.3.21", "secureShellClient",
	"1.3.6.1.5.5.7.3.22", "secureShellServer",
	"1.3.6.1.4.1.311.10.3.3", "msSGC",
	"2.16.840.1.113730.4.1", "nsSGC",
	"1.3.6.1.4.1.311.2.1.21", "msCodeInd",
	"1.3.6.1.4.1.311.2.1.22", "msCodeCom",
	"1.3.6.1.4.1.311.10.3.1", "msCTLSign",
	"1.3.6.1.4.1.311.10.3.4", "msEFS",
	"1.3.6.1.4.1.311.20.2.2", "msSmartcardLogin",
	"1.3.6.1.4.1.311.61.1.1", "msKernelCodeSigning",
	"1.3.6.1.5.2.3.4", "pkInitClientAuth",
	"1.3.6.1.5.2.3.5", "pkInitKDC",
)

// signatureAlgorithms uses crypto/x509's SignatureAlgorithm.String() names, so the
// view agrees with what Go programs print. RSASSA-PSS is resolved separately from
// its parameters, as Go does.
var signatureAlgorithms = newOIDTable(
	"1.2.840.113549.1.1.2", "MD2-RSA",
	"1.2.840.113549.1.1.4", "MD5-RSA",
	"1.2.840.113549.1.1.5", "SHA1-RSA",
	"1.3.14.3.2.29", "SHA1-RSA",
	"1.2.840.113549.1.1.11", "SHA256-RSA",
	"1.2.840.113549.1.1.12", "SHA384-RSA",
	"1.2.840.113549.1.1.13", "SHA512-RSA",
	"1.2.840.10040.4.3", "DSA-SHA1",
	"2.16.840.1.101.3.4.3.2", "DSA-SHA256",
	"1.2.840.10045.4.1", "ECDSA-SHA1",
	"1.2.840.10045.4.3.2", "ECDSA-SHA256",
	"1.2.840.10045.4.3.3", "ECDSA-SHA384",
	"1.2.840.10045.4.3.4", "ECDSA-SHA512",
	"1.3.101.112", "Ed25519",
	"1.3.101.113", "Ed448",
	"2.16.840.1.101.3.4.3.17", "ML-DSA-44",
	"2.16.840.1.101.3.4.3.18", "ML-DSA-65",
	"2.16.840.1.101.3.4.3.19", "ML-DSA-87",
)

// pssHashNames maps the hash inside RSASSA-PSS parameters to Go's names.
var pssHashNames = newOIDTable(
	"2.16.840.1.101.3.4.2.1", "SHA256-RSAPSS",
	"2.16.840.1.101.3.4.2.2", "SHA384-RSAPSS",
	"2.16.840.1.101.3.4.2.3", "SHA512-RSAPSS",
)

// publicKeyAlgorithms uses crypto/x509's PublicKeyAlgorithm names where Go has one.
var publicKeyAlgorithms = newOIDTable(
	"1.2.840.113549.1.1.1", "RSA",
	"1.2.840.113549.1.1.10", "RSA-PSS",
	"1.2.840.10040.4.1", "DSA",
	"1.2.840.10045.2.1", "ECDSA",
	"1.3.101.110", "X25519",
	"1.3.101.111", "X448",
	"1.3.101.112", "Ed25519",
	"1.3.101.113", "Ed448",
	"2.16.840.1.101.3.4.3.17", "ML-DSA-44",
	"2.16.840.1.101.3.4.3.18", "ML-DSA-65",
	"2.16.840.1.101.3.4.3.19", "ML-DSA-87",
)

// namedCurves maps ECDSA curve OIDs to crypto/elliptic's names.
var namedCurves = newOIDTable(
	"1.3.132.0.33", "P-224",
	"1.2.840.10045.3.1.7", "P-256",
	"1.3.132.0.34", "P-384",
	"1.3.132.0.35", "P-521",
	"1.3.132.0.10", "secp256k1",
	"1.3.36.3.3.2.8.1.1.7", "brainpoolP256r1",
	"1.3.36.3.3.2.8.1.1.11", "brainpoolP384r1",
	"1.3.36.3.3.2.8.1.1.13", "brainpoolP512r1",
)

// curveBits is the key size of each named curve.
var curveBits = map[string]int{
	"P-224": 224, "P-256": 256, "P-384": 384, "P-521": 521, "secp256k1": 256,
	"brainpoolP256r1": 256, "brainpoolP384r1": 384, "brainpoolP512r1": 512,
}

// Single OIDs the parser dispatches on, as DER content strings.
var (
	oidUPN               = encodeOID("1.3.6.1.4.1.311.20.2.3")
	oidExtSAN            = encodeOID("2.5.29.17")
	oidExtKeyUsage       = encodeOID("2.5.29.15")
	oidExtExtKeyUsage    = encodeOID("2.5.29.37")
	oidExtBasicConstr    = encodeOID("2.5.29.19")
	oidExtSubjectKeyID   = encodeOID("2.5.29.14")
	oidExtAuthorityKeyID = encodeOID("2.5.29.35")
	oidSigRSAPSS         = encodeOID("1.2.840.113549.1.1.10")
)
