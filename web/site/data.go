package site

// The tables of the docs pages. The decision codes and name formats are docs/design.md's
// contracts; the examples are the test PKI's (testdata/pki/README.md).

type codeDoc struct {
	Code    int
	Meaning string
	Causes  string
	HTTP    string
}

var codes = []codeDoc{
	{4020, "The API client does not exist or is not configured.", "The request named no client, or one the server does not know (path /c/NAME/… or a bearer token). Check the client's name or token.", "404"},
	{4016, "The client's configuration has no truststore bundle.", "A client must select 1 to 5 CA bundles. Add the CA that issues the partner's certificates.", "403"},
	{4017, "No client certificate was presented.", "The client sent no certificate: curl without --cert, or a client that found no certificate matching the CAs the server named in its request. In the playground: the certificate box is empty.", "401"},
	{4018, "The client certificate is invalid.", "Unparsable; no selected bundle anchors the chain (a missing intermediate is the usual cause); expired or not yet valid; not allowed for client authentication by its extended key usage or a CA's above it. The reason names which.", "403"},
	{4019, "The certificate failed the rule.", "The rule evaluated to false, or to an error. The explanation shows every sub-expression's value.", "403"},
	{0, "Accepted.", "The chain is trusted for client authentication and the rule is true (or no rule is configured).", "200"},
}

type sanDoc struct{ Prefix, What, Example string }

var sanPrefixes = []sanDoc{
	{"DNS:", "dNSName, verbatim", "DNS:client.example.com"},
	{"IP:", "iPAddress: IPv4 dotted, IPv6 in RFC 5952 form; IPv4-mapped IPv6 stays IPv6", "IP:2001:db8::10, IP:::ffff:192.0.2.1"},
	{"URI:", "uniformResourceIdentifier, verbatim (SPIFFE IDs too)", "URI:spiffe://example.com/ns/prod/sa/client"},
	{"Email:", "rfc822Name, with a capital E, the address verbatim", "Email:ops@example.com"},
	{"UPN:", "the Microsoft UPN otherName (1.3.6.1.4.1.311.20.2.3)", "UPN:ops@example.com"},
	{"OtherName:<oid>:", "any other otherName: the decoded string, or # and the uppercase hex of its DER", "OtherName:1.3.6.1.4.1.55555.2:#02012A"},
	{"RID:", "registeredID, as a dotted OID", "RID:1.3.6.1.4.1.55555.3"},
	{"DirName:", "directoryName, written as a DN (below)", "DirName:CN=Directory Entry,O=Acme,C=US"},
}

type dnDoc struct{ Slash, DN string }

var dnExamples = []dnDoc{
	{"/C=US/O=Acme, Inc./OU=a+CN=b", `CN=b+OU=a,O=Acme\, Inc.,C=US`},
	{"/DC=com/DC=example/OU=People/UID=jdoe/CN=John Doe", "CN=John Doe,UID=jdoe,OU=People,DC=example,DC=com"},
	{"/C=US/O=Acme/CN=Jane Ops/emailAddress=ops@example.com", "emailAddress=ops@example.com,CN=Jane Ops,O=Acme,C=US"},
	{"/C=US/O=Café ☕/OU=東京/CN=Zoë Ångström", "CN=Zoë Ångström,OU=東京,O=Café ☕,C=US"},
	{`/C=US/O=Acme/OU=line\nfeed/CN=nul\0byte`, `CN=nul\00byte,OU=line\0Afeed,O=Acme,C=US`},
	{"/C=US/O=Acme/1.3.6.1.4.1.55555.1.1=custom/CN=custom-oid", "CN=custom-oid,1.3.6.1.4.1.55555.1.1=#0C06637573746F6D,O=Acme,C=US"},
}
