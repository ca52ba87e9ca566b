package trust

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// maxWalk bounds the explanation walk; crypto/x509 gives up long before.
const maxWalk = 16

// walk explains an unknown-authority error for bundle b: crypto/x509 reports it for
// any chain it could not complete, and keeps the real cause (an expired or non-CA
// issuer, a bad signature) in an unexported hint.
func (v *verifier) walk(b *Bundle) *Failure {
	_, f := v.path(b)
	return f
}

// path follows issuers from the leaf, as crypto/x509 builds chains (bundle
// certificates before presented ones), and returns the certificates it got through
// and the first problem that stopped it, or nil if it reached a bundle certificate.
func (v *verifier) path(b *Bundle) ([]node, *Failure) {
	cur := v.node(v.presented[0].X509(), b)
	path := []node{cur}
	for range maxWalk {
		if cur.index == -1 || b.contains(cur.x) {
			return path, nil
		}
		var cands []node
		for x := range b.anchors {
			if bytes.Equal(x.RawSubject, cur.x.RawIssuer) && !inPath(path, x) {
				cands = append(cands, v.node(x, b))
			}
		}
		sortNodes(cands)
		for i, c := range v.presented[1:] {
			if x := c.X509(); bytes.Equal(x.RawSubject, cur.x.RawIssuer) && !inPath(path, x) {
				cands = append(cands, node{x: x, info: c, index: i + 1})
			}
		}
		if len(cands) == 0 {
			return path, v.unknownIssuer(cur, b)
		}
		var first *Failure
		next := -1
		for i, cand := range cands {
			f := v.checkIssuer(cur, cand, b)
			if f == nil {
				next = i
				break
			}
			if first == nil {
				first = f
			}
		}
		if next < 0 {
			return path, first
		}
		cur = cands[next]
		path = append(path, cur)
	}
	return path, nil
}

func inPath(path []node, x *x509.Certificate) bool {
	for _, n := range path {
		if n.x == x || n.x.Equal(x) {
			return true
		}
	}
	return false
}

// sortNodes orders bundle candidates by fingerprint: b.anchors is a map, and the
// explanation must not change from run to run.
func sortNodes(ns []node) {
	for i := 1; i < len(ns); i++ {
		for j := i; j > 0 && bytes.Compare(ns[j].x.Raw, ns[j-1].x.Raw) < 0; j-- {
			ns[j], ns[j-1] = ns[j-1], ns[j]
		}
	}
}

func (b *Bundle) contains(x *x509.Certificate) bool {
	if _, ok := b.anchors[x]; ok {
		return true
	}
	for a := range b.anchors {
		if a.Equal(x) {
			return true
		}
	}
	return false
}

// checkIssuer makes crypto/x509's checks of a candidate issuer of child, in its
// order: the signature, then the candidate's own validity and CA status.
func (v *verifier) checkIssuer(child, cand node, b *Bundle) *Failure {
	if err := cand.x.CheckSignature(child.x.SignatureAlgorithm, child.x.RawTBSCertificate, child.x.Signature); err != nil {
		akid, skid := child.x.AuthorityKeyId, cand.x.SubjectKeyId
		if len(akid) > 0 && len(skid) > 0 && !bytes.Equal(akid, skid) {
			// Same name, another key: the issuer with the right key is what is missing.
			f := v.unknownIssuer(child, b)
			f.Message += fmt.Sprintf("; %s has that name but key id %s", cand.who(), keyID(skid))
			f.notIn = nil
			return f
		}
		return child.failure(Signature, "has a signature that does not verify with the key of its issuer, %s: %s", cand.who(), goError(err))
	}
	if err := child.x.CheckSignatureFrom(cand.x); err != nil {
		var insecure x509.InsecureAlgorithmError
		switch {
		case errors.As(err, &insecure):
			return child.failure(Signature, "is signed with %s, which crypto/x509 no longer accepts", x509.SignatureAlgorithm(insecure))
		case errors.As(err, new(x509.ConstraintViolationError)):
			if !cand.x.BasicConstraintsValid || !cand.x.IsCA {
				return cand.failure(Other, "issued %s but is not a CA certificate (basic constraints CA:FALSE or absent)", child.who())
			}
			return cand.failure(Other, "issued %s but its key usage does not include keyCertSign", child.who())
		}
		return child.failure(Signature, "has a signature that does not verify with the key of its issuer, %s: %s", cand.who(), goError(err))
	}
	if f := v.checkCert(cand); f != nil {
		return f
	}
	if cand.index >= 0 && !b.contains(cand.x) && (!cand.x.BasicConstraintsValid || !cand.x.IsCA) {
		return cand.failure(Other, "issued %s but is not a CA certificate (basic constraints CA:FALSE or absent)", child.who())
	}
	return nil
}

// unknownIssuer says which issuer is missing: its name and key id, or that the
// certificate signed itself and is not in the bundle.
func (v *verifier) unknownIssuer(n node, b *Bundle) *Failure {
	issuer, akid := "", keyID(n.x.AuthorityKeyId)
	if n.info != nil {
		issuer = n.info.Issuer.DN
	}
	f := &Failure{Kind: UnknownIssuer, Cert: n.index, Subject: n.subject(), MissingIssuer: issuer, MissingKeyID: akid}
	if bytes.Equal(n.x.RawIssuer, n.x.RawSubject) && n.x.CheckSignature(n.x.SignatureAlgorithm, n.x.RawTBSCertificate, n.x.Signature) == nil {
		if f.MissingKeyID == "" {
			f.MissingKeyID = keyID(n.x.SubjectKeyId)
		}
		f.notIn = func(where string) string {
			return fmt.Sprintf("unknown issuer: %s is self-signed and is not in %s", n.who(), where)
		}
	} else {
		name := issuer
		if name == "" {
			name = "an issuer with an empty name"
		}
		if akid != "" {
			name += " (authority key id " + akid + ")"
		}
		f.notIn = func(where string) string {
			return fmt.Sprintf("unknown issuer: %s is not in %s or sent in the chain", name, where)
		}
	}
	f.Message = f.notIn(inBundles([]string{b.Name}))
	return f
}

func keyID(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }

func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}
