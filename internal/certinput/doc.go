// Package certinput finds the certificates in what a person pastes or uploads: PEM
// with any number of blocks (with leading text, CRLF, a UTF-8 BOM, stray white space),
// binary DER, or bare base64. It refuses private keys outright, bounds the input, and
// names where every problem is ("block 2 (line 14)"), so the message can be acted on.
package certinput
