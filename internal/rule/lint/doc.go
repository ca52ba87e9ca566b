// Package lint finds rules that compile and run but cannot mean what their author
// wants: a SAN compared with a value that has no type prefix ("test" in SAN is
// never true), a prefix in the wrong case (email: for Email:), a DN copied from
// `openssl x509 -subject` (/C=US/O=Org/CN=x), an IPv6 address not in RFC 5952
// form, a DNS name with capitals compared case-sensitively, a regexp without
// anchors where equality was meant.
//
// The lints work on the checked AST, so they know which expression is a SAN entry,
// a DN or a CN, whatever the rule calls its iteration variables. Each warning is a
// rule.Issue that says what will happen and how to fix it, with an edit an editor
// can apply; package dialect maps them onto formulas. They write SAN entries and
// DNs as package certinfo does, so a fix matches what a certificate shows.
package lint
