// Package diagnose looks at a presented client certificate chain and says what a
// person should know before a server sees it: findings such as a leaf without the
// clientAuth extended key usage, an intermediate that was not sent, a certificate
// that expires next week, a SHA-1 signature or a 1024-bit RSA key.
//
// trust.Verify gives the one reason a chain fails; Findings lists everything worth
// fixing, also on chains that verify (an expiry reminder, an out-of-order chain that
// Go accepts and a stricter stack rejects). Messages use trust's wording
// ("certificate 1 (CN=…) …", numbered from 1) so the two read as one voice.
//
// The package is pure (no os, net or syscall/js): the browser build runs it too.
package diagnose
