package diagnose

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

// findDuplicates marks every presented certificate that repeats an earlier one.
func (d *diag) findDuplicates() {
	d.dup = make([]int, len(d.presented))
	first := make(map[string]int, len(d.presented))
	for i, c := range d.presented {
		d.dup[i] = -1
		if c == nil {
			continue
		}
		if j, ok := first[c.SHA256]; ok {
			d.dup[i] = j
			d.add(ChainDuplicate, Warning, i, "send each certificate once: the leaf, then each issuer in turn",
				"%s is a duplicate of certificate %d (same SHA-256)", who(i, c), j+1)
			continue
		}
		first[c.SHA256] = i
	}
}

// chain makes the checks that concern the chain as a whole: the order, certificates
// that belong to no path from the leaf, the extended key usage of the issuing CAs,
// and (with bundles) an issuer that is neither sent nor trusted.
func (d *diag) chain() {
	path := d.presentedPath()
	d.order(path)

	for _, i := range path[1:] {
		if c := d.presented[i]; !allowsClientAuth(c) {
			d.add(IntermediateNoClientAuthEKU, Error, i, "issue the client certificate from a CA whose extended key usage includes clientAuth (or that has none), and send that CA's certificate",
				"%s does not allow clientAuth: its extended key usage is %s, and servers check it along the whole chain, so no client certificate it issues is accepted", who(i, c), ekuList(c))
		}
	}
	if len(d.bundles) == 0 {
		return
	}
	top := path[len(path)-1]
	c := d.presented[top]
	if d.bundleHolding(c) != nil {
		return
	}
	if selfSigned(c) {
		if top != d.leafAt { // a self-signed leaf is self_signed_leaf's
			d.add(WrongBundle, Error, top, fmt.Sprintf("add %s to the truststore if it is the CA you mean to trust, or check you picked the right bundle", dn(c)),
				"the chain ends at the root %s, which is not in %s (%s)", who(top, c), d.bundleNames(), d.bundleContents())
		}
		return
	}
	if b, anchor := d.bundleIssuer(c); anchor != nil {
		if !allowsClientAuth(anchor) {
			d.add(IntermediateNoClientAuthEKU, Error, -1, fmt.Sprintf("issue the client certificate from a CA whose extended key usage includes clientAuth (or that has none), or replace %s in bundle %s", dn(anchor), b.Name),
				"CA certificate (%s) in bundle %s, which issued %s, does not allow clientAuth: its extended key usage is %s, so no client certificate under it is accepted", dn(anchor), b.Name, who(top, c), ekuList(anchor))
		}
		return
	}
	issuer := visible(c.Issuer.DN)
	if issuer == "" {
		issuer = "an issuer with an empty name"
	}
	if c.AuthorityKeyID != "" {
		issuer += " (authority key id " + c.AuthorityKeyID + ")"
	}
	if top != d.leafAt && c.IsCA && !d.bundleNamed(c) {
		// The chain was sent up to a CA, and nothing in the bundles even bears the
		// name of that CA's issuer: the usual cause is a bundle of another PKI.
		d.add(WrongBundle, Error, top,
			fmt.Sprintf("add the CA that issued %s (%s) to the truststore, or check you picked the right bundle; if %s is itself an intermediate CA, send it after certificate %d", dn(c), visible(c.Issuer.DN), visible(c.Issuer.DN), top+1),
			"the chain ends at %s, issued by %s, which is not sent in the chain or in %s (%s)", who(top, c), issuer, d.bundleNames(), d.bundleContents())
		return
	}
	d.add(MissingIntermediate, Error, top,
		fmt.Sprintf("if %s is an intermediate CA, send it after certificate %d (the leaf first, then each issuer: cat client.pem intermediate.pem > chain.pem); if it is a root, add it to the truststore", visible(c.Issuer.DN), top+1),
		"%s was issued by %s, which is not sent in the chain or in %s (%s)", who(top, c), issuer, d.bundleNames(), d.bundleContents())
}

// presentedPath follows issuers from the leaf (certificate d.leafAt) through the presented certificates
// (duplicates skipped) and returns their indexes, leaf first. It stops at a
// self-signed certificate or where no presented certificate issued the last one.
func (d *diag) presentedPath() []int {
	path := []int{d.leafAt}
	cur := d.presented[d.leafAt]
	for len(path) <= len(d.presented) && !selfSigned(cur) {
		next := -1
		for j, c := range d.presented {
			if c != nil && d.dup[j] < 0 && !slices.Contains(path, j) && issued(c, cur) {
				next = j
				break
			}
		}
		if next < 0 {
			break
		}
		path = append(path, next)
		cur = d.presented[next]
	}
	return path
}

// order reports presented certificates on no path from the leaf, and a path that
// does not follow the order the certificates were sent in. Go and OpenSSL servers
// reorder; TLS 1.2 (RFC 5246) requires each certificate to be followed by its
// issuer, and some stacks enforce it.
func (d *diag) order(path []int) {
	for i, c := range d.presented {
		if i == d.leafAt || c == nil || d.dup[i] >= 0 || slices.Contains(path, i) {
			continue
		}
		d.add(ChainUnrelatedCertificate, Warning, i, "remove it from the chain, and send the CA that did issue the certificate before it instead (check the issuer name and authority key id)",
			"%s did not issue any certificate on the path from the leaf; the chain carries a certificate that does not belong to it", who(i, c))
	}
	if d.leafAt != 0 {
		return // leaf_not_first says what to move
	}
	sorted := slices.Clone(path)
	slices.Sort(sorted)
	for k := 1; k < len(path); k++ {
		if path[k] != sorted[k] {
			prev, want, got := path[k-1], path[k], sorted[k]
			d.add(ChainOutOfOrder, Warning, -1, "send the leaf first, then each certificate's issuer in turn (leaf, intermediate, …, root); TLS 1.2 requires this order and some servers enforce it",
				"the chain is out of order: after %s should come its issuer, %s, not %s", who(prev, d.presented[prev]), who(want, d.presented[want]), who(got, d.presented[got]))
			return
		}
	}
}

// issued says whether parent is the issuer of child: parent's subject is child's
// issuer (the raw bytes when crypto/x509 parsed both), and the key ids agree where
// both are given.
func issued(parent, child *certinfo.Certificate) bool {
	if parent == child {
		return false
	}
	px, cx := parent.X509(), child.X509()
	if px != nil && cx != nil {
		if !bytes.Equal(px.RawSubject, cx.RawIssuer) {
			return false
		}
	} else if parent.Subject.DN != child.Issuer.DN {
		return false
	}
	return child.AuthorityKeyID == "" || parent.SubjectKeyID == "" || child.AuthorityKeyID == parent.SubjectKeyID
}

// bundleHolding returns the first bundle that holds c itself.
func (d *diag) bundleHolding(c *certinfo.Certificate) *trust.Bundle {
	for _, b := range d.bundles {
		for _, bc := range b.Certs {
			if bc != nil && bc.SHA256 == c.SHA256 {
				return b
			}
		}
	}
	return nil
}

// bundleNamed says whether a bundle holds a certificate whose subject is c's issuer
// name (then a key id that does not match is the likelier story: a renewed CA).
func (d *diag) bundleNamed(c *certinfo.Certificate) bool {
	cx := c.X509()
	for _, b := range d.bundles {
		for _, bc := range b.Certs {
			if bc == nil {
				continue
			}
			if bx := bc.X509(); bx != nil && cx != nil {
				if bytes.Equal(bx.RawSubject, cx.RawIssuer) {
					return true
				}
			} else if bc.Subject.DN == c.Issuer.DN {
				return true
			}
		}
	}
	return false
}

// bundleContents says what the bundles hold, so that a finding connects the chain
// with the bundle: "it holds CN=Other Root CA", "they hold CN=A; CN=B". At most
// maxNamedBundleCerts subjects are named.
func (d *diag) bundleContents() string {
	var names []string
	total := 0
	for _, b := range d.bundles {
		for _, bc := range b.Certs {
			if bc == nil {
				continue
			}
			total++
			if len(names) < maxNamedBundleCerts {
				names = append(names, dn(bc))
			}
		}
	}
	held := "it holds "
	if len(d.bundles) > 1 {
		held = "they hold "
	}
	switch {
	case total == 0:
		return held + "no certificate"
	case total > len(names):
		return fmt.Sprintf("%s%s and %d more", held, strings.Join(names, "; "), total-len(names))
	}
	return held + strings.Join(names, "; ")
}

// maxNamedBundleCerts bounds the subjects a finding lists from the bundles.
const maxNamedBundleCerts = 5

// LeafIndex returns the index of the client certificate in a chain: 0, unless the
// first certificate is a CA and a later one is not a CA and was issued by another
// certificate of the chain — an intermediate pasted before its leaf, the usual
// mistake when a chain file is assembled by hand. Then it is that later one's
// index (the first such). Only a chain that was pasted or read from a file may be
// read this way: in a TLS handshake the first certificate is the one whose key
// signed it.
func LeafIndex(presented []*certinfo.Certificate) int {
	if len(presented) < 2 || presented[0] == nil || !presented[0].IsCA {
		return 0
	}
	for k, c := range presented {
		if k == 0 || c == nil || c.IsCA {
			continue
		}
		for j, p := range presented {
			if j != k && p != nil && issued(p, c) {
				return k
			}
		}
	}
	return 0
}

// bundleIssuer returns the first bundle certificate that issued c, as crypto/x509
// looks in the roots first.
func (d *diag) bundleIssuer(c *certinfo.Certificate) (*trust.Bundle, *certinfo.Certificate) {
	for _, b := range d.bundles {
		for _, bc := range b.Certs {
			if bc != nil && bc.X509() != nil && issued(bc, c) {
				return b, bc
			}
		}
	}
	return nil, nil
}

// bundleNames says "bundle a.pem" or "bundles a.pem, b.pem", as trust does.
func (d *diag) bundleNames() string {
	names := make([]string, len(d.bundles))
	for i, b := range d.bundles {
		names[i] = b.Name
	}
	if len(names) == 1 {
		return "bundle " + names[0]
	}
	return "bundles " + strings.Join(names, ", ")
}
