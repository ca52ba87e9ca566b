package gateway

import (
	"errors"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// rawCert holds the fields of a certificate as its DER spells them. Gateways read
// these bytes, not a decoded view: OpenSSL prints the serial's magnitude, the
// string types of a name decide its escaping, and the time's encoding decides its
// text.
type rawCert struct {
	serial          []byte // INTEGER content, two's complement
	issuer, subject []byte // the whole Name element
	notBefore       rawTime
	notAfter        rawTime
	san             []byte // the subjectAltName extnValue content; nil when absent
	hasSAN          bool
	ski             []byte // the subjectKeyIdentifier's key identifier; nil when absent
	akid            []byte // the authorityKeyIdentifier's keyIdentifier; nil when absent
}

type rawTime struct {
	tag   asn1.Tag
	bytes []byte
}

var (
	tagVersion    = asn1.Tag(0).Constructed().ContextSpecific()
	tagIssuerUID  = asn1.Tag(1).ContextSpecific()
	tagSubjectUID = asn1.Tag(2).ContextSpecific()
	tagExtensions = asn1.Tag(3).Constructed().ContextSpecific()
)

var (
	oidSAN  = []byte{0x55, 0x1d, 0x11} // 2.5.29.17
	oidSKI  = []byte{0x55, 0x1d, 0x0e} // 2.5.29.14
	oidAKID = []byte{0x55, 0x1d, 0x23} // 2.5.29.35
)

var errNotCert = errors.New("not a DER certificate")

// parseRaw reads the TBSCertificate fields the gateways print. certinfo has
// already accepted der as a certificate, so an error here means only that a field
// is malformed beyond what a gateway would accept.
func parseRaw(der []byte) (rawCert, error) {
	var r rawCert
	in := cryptobyte.String(der)
	var cert, tbs, validity, spki cryptobyte.String
	if !in.ReadASN1(&cert, asn1.SEQUENCE) || !cert.ReadASN1(&tbs, asn1.SEQUENCE) {
		return r, errNotCert
	}
	var serial, issuer, subject, sigAlg cryptobyte.String
	if !tbs.SkipOptionalASN1(tagVersion) ||
		!tbs.ReadASN1(&serial, asn1.INTEGER) ||
		!tbs.ReadASN1(&sigAlg, asn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&issuer, asn1.SEQUENCE) ||
		!tbs.ReadASN1(&validity, asn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&subject, asn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&spki, asn1.SEQUENCE) {
		return r, errNotCert
	}
	r.serial, r.issuer, r.subject = serial, issuer, subject
	for _, t := range []*rawTime{&r.notBefore, &r.notAfter} {
		var b cryptobyte.String
		if !validity.ReadAnyASN1(&b, &t.tag) {
			return r, errNotCert
		}
		t.bytes = b
	}
	var exts cryptobyte.String
	var has bool
	if !tbs.SkipOptionalASN1(tagIssuerUID) || !tbs.SkipOptionalASN1(tagSubjectUID) ||
		!tbs.ReadOptionalASN1(&exts, &has, tagExtensions) {
		return r, nil
	}
	if !has || !exts.ReadASN1(&exts, asn1.SEQUENCE) {
		return r, nil
	}
	for !exts.Empty() {
		var ext, oid, value cryptobyte.String
		if !exts.ReadASN1(&ext, asn1.SEQUENCE) || !ext.ReadASN1(&oid, asn1.OBJECT_IDENTIFIER) {
			return r, nil
		}
		if ext.PeekASN1Tag(asn1.BOOLEAN) {
			ext.SkipASN1(asn1.BOOLEAN)
		}
		if !ext.ReadASN1(&value, asn1.OCTET_STRING) {
			return r, nil
		}
		switch string(oid) {
		case string(oidSAN):
			r.san, r.hasSAN = value, true
		case string(oidSKI):
			var id cryptobyte.String
			if value.ReadASN1(&id, asn1.OCTET_STRING) {
				r.ski = id
			}
		case string(oidAKID):
			var seq, id cryptobyte.String
			if value.ReadASN1(&seq, asn1.SEQUENCE) && seq.ReadASN1(&id, asn1.Tag(0).ContextSpecific()) {
				r.akid = id
			}
		}
	}
	return r, nil
}

// entry is one AttributeTypeAndValue of a name, flattened as OpenSSL's X509_NAME
// holds it: set is the index of its RDN, so members of a multi-valued RDN share it.
type entry struct {
	oid     []byte // OBJECT IDENTIFIER content
	tag     asn1.Tag
	content []byte // the value's content octets
	elem    []byte // the value's whole DER element
	set     int
}

// nameEntries flattens a Name element into its entries in DER order.
func nameEntries(name []byte) ([]entry, error) {
	in := cryptobyte.String(name)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, asn1.SEQUENCE) {
		return nil, errors.New("malformed name")
	}
	var out []entry
	for set := 0; !seq.Empty(); set++ {
		var rdn cryptobyte.String
		if !seq.ReadASN1(&rdn, asn1.SET) {
			return nil, errors.New("malformed name")
		}
		for !rdn.Empty() {
			var atv, oid, elem cryptobyte.String
			var tag asn1.Tag
			if !rdn.ReadASN1(&atv, asn1.SEQUENCE) || !atv.ReadASN1(&oid, asn1.OBJECT_IDENTIFIER) ||
				!atv.ReadAnyASN1Element(&elem, &tag) {
				return nil, errors.New("malformed name")
			}
			var content cryptobyte.String
			e := cryptobyte.String(elem)
			e.ReadAnyASN1(&content, &tag)
			out = append(out, entry{oid: oid, tag: tag, content: content, elem: elem, set: set})
		}
	}
	return out, nil
}
