package rule

// The rule reference: a doc line and an example for every name. Examples are true
// on the test PKI's client-good chain (CN=client.example.com; SANs
// DNS:client.example.com, DNS:api.example.com, IP:192.0.2.10, IP:2001:db8::10,
// Email:ops@example.com, URI:spiffe://example.com/ns/prod/sa/client; EKU
// clientAuth; ECDSA P-256; issued by CN=Acme Issuing CA) at a time within its
// validity; TestDeclarationExamples evaluates each one.
//
// Variables carry theirs on their declarations (env.go). The functions and
// operators come from cel-go's libraries, so their entries are here, by name, and
// documentFunctions puts them on those declarations; Declarations reads them back
// from cel-go. Fields and macros keep theirs here: cel-go v0.33 documents the
// fields of protobuf messages only, not of ext.NativeTypes structs, and the
// standard macros are the parser's, documented by cel-go.

type docEntry struct{ doc, example string }

var fieldDocs = map[string]docEntry{
	"certinfo.Certificate.version":             {"The X.509 version: 3 for any modern certificate.", `cert.version == 3`},
	"certinfo.Certificate.serial":              {"The serial number in uppercase hex, without separators.", `cert.serial.matches("^[0-9A-F]+$")`},
	"certinfo.Certificate.signature_algorithm": {"How the issuer signed the certificate, e.g. ECDSA-SHA256, SHA256-RSA, Ed25519.", `cert.signature_algorithm in ["ECDSA-SHA256", "ECDSA-SHA384", "SHA256-RSA", "Ed25519"]`},
	"certinfo.Certificate.issuer":              {"The issuer's name.", `cert.issuer.cn != cert.subject.cn`},
	"certinfo.Certificate.subject":             {"The subject's name; DN and CN are its dn and cn.", `cert.subject.cn == CN`},
	"certinfo.Certificate.not_before":          {"Start of validity.", `cert.not_before <= now`},
	"certinfo.Certificate.not_after":           {"End of validity.", `cert.not_after - now > duration("720h")`},
	"certinfo.Certificate.public_key":          {"The subject public key: algorithm, bits, curve.", `cert.public_key.algorithm in ["ECDSA", "Ed25519"] || cert.public_key.bits >= 2048`},
	"certinfo.Certificate.san_entries":         {"The SAN entries with type prefixes; the same list as SAN.", `cert.san_entries == SAN`},
	"certinfo.Certificate.san":                 {"The SAN entries by type, without prefixes.", `size(cert.san.dns) + size(cert.san.ip) >= 1`},
	"certinfo.Certificate.spiffe_id":           {"The URI SAN when there is exactly one with scheme spiffe, else \"\".", `cert.spiffe_id.startsWith("spiffe://example.com/")`},
	"certinfo.Certificate.key_usage":           {"Key usage names, e.g. digitalSignature, keyEncipherment.", `"digitalSignature" in cert.key_usage`},
	"certinfo.Certificate.ext_key_usage":       {"Extended key usage names, e.g. clientAuth, serverAuth; empty when the extension is absent (any usage).", `"clientAuth" in cert.ext_key_usage`},
	"certinfo.Certificate.is_ca":               {"Whether basicConstraints marks a CA.", `!cert.is_ca`},
	"certinfo.Certificate.max_path_len":        {"The basicConstraints path length; -1 when absent.", `cert.is_ca || cert.max_path_len == -1`},
	"certinfo.Certificate.subject_key_id":      {"The subject key identifier in uppercase hex; \"\" when absent.", `cert.subject_key_id.matches("^([0-9A-F]{2})*$")`},
	"certinfo.Certificate.authority_key_id":    {"The authority key identifier in uppercase hex; \"\" when absent.", `size(chain) < 2 || cert.authority_key_id == "" || cert.authority_key_id == chain[1].subject_key_id`},
	"certinfo.Certificate.self_issued":         {"Whether issuer and subject are the same name.", `!cert.self_issued`},
	"certinfo.Certificate.extensions":          {"Every extension present: oid, name, critical.", `cert.extensions.exists(e, e.name == "subjectAltName")`},
	"certinfo.Certificate.sha256":              {"The SHA-256 fingerprint of the DER in uppercase hex.", `cert.sha256.size() == 64`},
	"certinfo.Certificate.sha1":                {"The SHA-1 fingerprint of the DER in uppercase hex.", `cert.sha1.size() == 40`},
	"certinfo.Certificate.problems":            {"What is malformed in the certificate; empty when crypto/x509 accepts it too.", `size(cert.problems) == 0`},
	"certinfo.Certificate.pem":                 {"The certificate in PEM.", `cert.pem == "" || cert.pem.startsWith("-----BEGIN CERTIFICATE-----")`},

	"certinfo.Name.dn":                  {"The name as an RFC 4514 string (DN is cert.subject.dn).", `cert.subject.dn == DN`},
	"certinfo.Name.slash":               {"The name in OpenSSL's slash form, /C=US/O=Org/CN=x.", `cert.subject.slash.startsWith("/")`},
	"certinfo.Name.cn":                  {"The last CN attribute; \"\" if none (CN is cert.subject.cn).", `cert.issuer.cn.endsWith("CA")`},
	"certinfo.Name.organization":        {"O attributes, in DER order.", `cert.subject.organization.all(o, o != "")`},
	"certinfo.Name.organizational_unit": {"OU attributes, in DER order.", `!("Contractors" in cert.subject.organizational_unit)`},
	"certinfo.Name.country":             {"C attributes, in DER order.", `cert.subject.country.all(c, c.size() == 2)`},
	"certinfo.Name.locality":            {"L attributes, in DER order.", `cert.subject.locality.all(l, l != "")`},
	"certinfo.Name.province":            {"ST attributes, in DER order.", `cert.subject.province.all(p, p != "")`},
	"certinfo.Name.street_address":      {"STREET attributes, in DER order.", `cert.subject.street_address.all(s, s != "")`},
	"certinfo.Name.postal_code":         {"postalCode attributes, in DER order.", `cert.subject.postal_code.all(p, p.matches("^[0-9A-Za-z -]+$"))`},
	"certinfo.Name.email_address":       {"emailAddress attributes, in DER order (not the Email: SANs).", `cert.subject.email_address.all(e, e.contains("@"))`},
	"certinfo.Name.domain_component":    {"DC attributes, in DER order.", `cert.subject.domain_component.join(".") == "" || DN.contains("DC=")`},
	"certinfo.Name.serial_number":       {"The serialNumber attribute; \"\" if none.", `cert.subject.serial_number == "" || DN.contains("serialNumber=")`},
	"certinfo.Name.attributes":          {"Every attribute in DER order, with its RDN index, type, OID and value.", `cert.subject.attributes.exists(a, a.type == "CN" && a.value == CN)`},

	"certinfo.Attribute.rdn":   {"The index of the attribute's RDN, in DER order (first is 0).", `cert.subject.attributes.all(a, a.rdn >= 0)`},
	"certinfo.Attribute.type":  {"The short name as in DN (CN, O, emailAddress) or the dotted OID.", `cert.subject.attributes.exists(a, a.type == "CN")`},
	"certinfo.Attribute.oid":   {"The attribute type's dotted OID.", `cert.subject.attributes.exists(a, a.oid == "2.5.4.3")`},
	"certinfo.Attribute.value": {"The decoded value; #HEX of the DER for unknown types.", `cert.subject.attributes.exists(a, a.value == CN)`},

	"certinfo.SAN.dns":        {"DNS names.", `cert.san.dns.exists(d, d.endsWith(".example.com"))`},
	"certinfo.SAN.ip":         {"IP addresses: IPv4 dotted, IPv6 in RFC 5952 form.", `cert.san.ip.exists(i, cidr("192.0.2.0/24").containsIP(i))`},
	"certinfo.SAN.uri":        {"URIs, verbatim.", `cert.san.uri.exists(u, u.startsWith("spiffe://"))`},
	"certinfo.SAN.email":      {"Email addresses (rfc822Name), verbatim.", `cert.san.email.all(e, e.endsWith("@example.com"))`},
	"certinfo.SAN.upn":        {"Microsoft UPN otherNames.", `cert.san.upn.all(u, u.contains("@"))`},
	"certinfo.SAN.other_name": {"Other otherNames, as <oid>:<value>.", `cert.san.other_name.all(o, o.contains(":"))`},
	"certinfo.SAN.rid":        {"registeredID entries, as dotted OIDs.", `cert.san.rid.all(r, r.matches("^[0-9.]+$"))`},
	"certinfo.SAN.dir_name":   {"directoryName entries, in the DN format.", `cert.san.dir_name.all(d, d.contains("="))`},

	"certinfo.PublicKey.algorithm": {"RSA, ECDSA, Ed25519, …", `cert.public_key.algorithm in ["ECDSA", "RSA", "Ed25519"]`},
	"certinfo.PublicKey.bits":      {"The key size in bits.", `cert.public_key.bits >= 256`},
	"certinfo.PublicKey.curve":     {"The named curve of an EC key, e.g. P-256; \"\" for other keys.", `cert.public_key.algorithm != "ECDSA" || cert.public_key.curve in ["P-256", "P-384"]`},

	"certinfo.Extension.oid":      {"The extension's dotted OID.", `cert.extensions.exists(e, e.oid == "2.5.29.17")`},
	"certinfo.Extension.name":     {"Its name, e.g. subjectAltName; \"\" when unknown.", `cert.extensions.exists(e, e.name == "extKeyUsage")`},
	"certinfo.Extension.critical": {"Whether it is marked critical.", `cert.extensions.all(e, e.name != "extKeyUsage" || !e.critical)`},

	"rule.TLS.version":      {"The TLS version, e.g. TLS 1.3.", `tls.version in ["", "TLS 1.2", "TLS 1.3"]`},
	"rule.TLS.cipher_suite": {"The cipher suite's IANA name.", `tls.cipher_suite == "" || tls.cipher_suite.startsWith("TLS_")`},
	"rule.TLS.server_name":  {"The server name (SNI) the client asked for.", `tls.server_name == "" || tls.server_name.endsWith(".example.com")`},
	"rule.TLS.alpn":         {"The negotiated application protocol, e.g. h2.", `tls.alpn in ["", "h2", "http/1.1"]`},
}

// fnDocs documents functions by name, opDocs operators as written.
var fnDocs = map[string]docEntry{
	"bool":                 {"Converts a string (\"true\"/\"false\") to a bool.", `bool("true")`},
	"bytes":                {"Converts a string to its UTF-8 bytes.", `bytes(CN).size() == size(CN)`},
	"charAt":               {"The character at an index, \"\" at the end.", `SAN.exists(s, s.charAt(3) == ":")`},
	"cidr":                 {"Parses a CIDR range, e.g. cidr(\"10.0.0.0/8\").", `SAN.exists(s, s.startsWith("IP:") && cidr("192.0.2.0/24").containsIP(s.substring(3)))`},
	"contains":             {"Whether a string contains a substring.", `DN.contains("CN=client")`},
	"containsCIDR":         {"Whether a CIDR range contains another.", `cidr("192.0.2.0/24").containsCIDR("192.0.2.0/28")`},
	"containsIP":           {"Whether a CIDR range contains an address.", `SAN.exists(s, s.startsWith("IP:") && cidr("192.0.2.0/24").containsIP(ip(s.substring(3))))`},
	"double":               {"Converts a number or string to a double.", `double(cert.public_key.bits) >= 256.0`},
	"duration":             {"Parses a duration such as \"720h\" or \"90m\".", `cert.not_after - cert.not_before > duration("24h")`},
	"dyn":                  {"Tells the type checker a value's type is only known when the rule runs.", `dyn(cert.public_key.bits) >= 256`},
	"endsWith":             {"Whether a string ends with a suffix.", `SAN.exists(s, s.endsWith(".example.com"))`},
	"family":               {"An address's family: 4 or 6.", `SAN.exists(s, s.startsWith("IP:") && ip(s.substring(3)).family() == 6)`},
	"format":               {"Formats values into a string, like printf: \"%s has %d SANs\".format([CN, size(SAN)]).", `"%d bits".format([cert.public_key.bits]) == string(cert.public_key.bits) + " bits"`},
	"getDate":              {"Day of the month, from 1 (UTC, or an IANA time zone on the server).", `cert.not_before.getDate() >= 1`},
	"getDayOfMonth":        {"Day of the month, from 0 (UTC, or an IANA time zone on the server).", `cert.not_before.getDayOfMonth() < 31`},
	"getDayOfWeek":         {"Day of the week, Sunday is 0 (UTC, or an IANA time zone on the server).", `now.getDayOfWeek() < 7`},
	"getDayOfYear":         {"Day of the year, from 0 (UTC, or an IANA time zone on the server).", `now.getDayOfYear() < 366`},
	"getFullYear":          {"The year (UTC, or an IANA time zone on the server).", `cert.not_after.getFullYear() >= cert.not_before.getFullYear()`},
	"getHours":             {"The hour of a timestamp, or a duration in whole hours.", `(cert.not_after - cert.not_before).getHours() > 24`},
	"getMilliseconds":      {"The milliseconds of a timestamp or duration.", `now.getMilliseconds() < 1000`},
	"getMinutes":           {"The minute of a timestamp, or a duration in whole minutes.", `now.getMinutes() < 60`},
	"getMonth":             {"Month of the year, January is 0 (UTC, or an IANA time zone on the server).", `now.getMonth() < 12`},
	"getSeconds":           {"The second of a timestamp, or a duration in whole seconds.", `(cert.not_after - now).getSeconds() > 0`},
	"indexOf":              {"The index of a substring, or -1.", `SAN.exists(s, s.indexOf(":") == 3)`},
	"int":                  {"Converts to an int; a timestamp becomes seconds since 1970.", `int(cert.not_after) > int(now)`},
	"ip":                   {"Parses an IP address (not IPv4-mapped IPv6), or a CIDR range's address.", `SAN.exists(s, s.startsWith("IP:") && ip(s.substring(3)) == ip("192.0.2.10"))`},
	"ip.isCanonical":       {"Whether an address string is in canonical (RFC 5952) form.", `cert.san.ip.all(i, ip.isCanonical(i))`},
	"isCIDR":               {"Whether a string is a CIDR range.", `isCIDR("192.0.2.0/24")`},
	"isGlobalUnicast":      {"Whether an address is global unicast.", `cert.san.ip.exists(i, ip(i).isGlobalUnicast())`},
	"isIP":                 {"Whether a string is an IP address.", `cert.san.ip.all(i, isIP(i))`},
	"isLinkLocalMulticast": {"Whether an address is link-local multicast.", `!cert.san.ip.exists(i, ip(i).isLinkLocalMulticast())`},
	"isLinkLocalUnicast":   {"Whether an address is link-local unicast.", `!cert.san.ip.exists(i, ip(i).isLinkLocalUnicast())`},
	"isLoopback":           {"Whether an address is a loopback address.", `!cert.san.ip.exists(i, ip(i).isLoopback())`},
	"isMask":               {"Whether a CIDR range has no host bits set.", `cidr("192.0.2.0/24").isMask()`},
	"isUnspecified":        {"Whether an address is 0.0.0.0 or ::.", `!cert.san.ip.exists(i, ip(i).isUnspecified())`},
	"join":                 {"Joins a list of strings, with an optional separator.", `cert.san.dns.join(",").contains("client.example.com")`},
	"lastIndexOf":          {"The index of the last occurrence of a substring, or -1.", `cert.spiffe_id.lastIndexOf("/") > 0`},
	"lowerAscii":           {"The string with ASCII letters in lower case.", `CN.lowerAscii() == CN`},
	"masked":               {"The CIDR range with host bits cleared.", `cidr("192.0.2.10/24").masked() == cidr("192.0.2.0/24")`},
	"matches":              {"Whether a string matches an RE2 regular expression (anchor it with ^ and $ to match all of it).", `CN.matches("^[a-z0-9.-]+$")`},
	"prefixLength":         {"A CIDR range's prefix length.", `cidr("192.0.2.0/24").prefixLength() == 24`},
	"replace":              {"Replaces occurrences of a substring.", `SAN.exists(s, s.replace("DNS:", "") == CN)`},
	"reverse":              {"The string reversed.", `CN.reverse().reverse() == CN`},
	"size":                 {"The length of a string (in characters), list or map.", `size(SAN) >= 1`},
	"split":                {"Splits a string by a separator.", `CN.split(".").size() >= 2`},
	"startsWith":           {"Whether a string starts with a prefix.", `SAN.exists(s, s.startsWith("URI:spiffe://"))`},
	"string":               {"Converts a value to a string.", `string(cert.version) == "3"`},
	"strings.quote":        {"Quotes a string as a CEL literal.", `strings.quote(CN).startsWith("\"")`},
	"substring":            {"The part of a string between two indexes (in characters).", `SAN.exists(s, s.substring(0, 4) == "DNS:")`},
	"timestamp":            {"Parses an RFC 3339 timestamp.", `cert.not_after > timestamp("2000-01-01T00:00:00Z")`},
	"trim":                 {"The string without leading and trailing white space.", `CN.trim() == CN`},
	"type":                 {"The type of a value.", `type(cert.public_key.bits) == int`},
	"uint":                 {"Converts to an unsigned int.", `uint(cert.public_key.bits) >= 256u`},
	"upperAscii":           {"The string with ASCII letters in upper case.", `cert.sha256.upperAscii() == cert.sha256`},
}

var opDocs = map[string]docEntry{
	"==": {"Equal: same type and value. Strings compare exactly, case included.", `CN == cert.subject.cn`},
	"!=": {"Not equal.", `CN != ""`},
	"<":  {"Less than: numbers, strings, timestamps, durations.", `now < cert.not_after`},
	"<=": {"Less than or equal.", `cert.not_before <= now`},
	">":  {"Greater than.", `cert.public_key.bits > 0`},
	">=": {"Greater than or equal.", `size(SAN) >= 1`},
	"+":  {"Adds numbers and durations, concatenates strings and lists.", `"DNS:" + CN in SAN`},
	"-":  {"Subtracts numbers, timestamps and durations; negates a number.", `cert.not_after - now > duration("0s") && -1 < 0`},
	"*":  {"Multiplies numbers.", `cert.public_key.bits * 2 >= 512`},
	"/":  {"Divides numbers (ints round toward zero).", `cert.public_key.bits / 8 >= 32`},
	"%":  {"Remainder of an int division.", `cert.public_key.bits % 8 == 0`},
	"!":  {"Not.", `!cert.is_ca`},
	"&&": {"And. An error on one side is ignored when the other side is false.", `!cert.is_ca && "clientAuth" in cert.ext_key_usage`},
	"||": {"Or. An error on one side is ignored when the other side is true.", `cert.is_ca || "clientAuth" in cert.ext_key_usage`},
	"?:": {"Condition ? value if true : value if false.", `(cert.is_ca ? "CA" : "leaf") == "leaf"`},
	"[]": {"An element of a list (from 0) or a value of a map by key.", `SAN[0].startsWith("DNS:")`},
	"in": {"Whether a list has an element (exactly equal), or a map has a key.", `"clientAuth" in cert.ext_key_usage`},
}

// macroDocs lists CEL's macros: the parser expands them, so cel-go's function
// declarations do not have them.
var macroDocs = []struct{ name, signature, doc, example string }{
	{"all", "list.all(x, predicate) -> bool\nmap.all(key, predicate) -> bool", "Whether the predicate holds for every element (true for an empty list).", `SAN.all(s, s.contains(":"))`},
	{"exists", "list.exists(x, predicate) -> bool\nmap.exists(key, predicate) -> bool", "Whether the predicate holds for at least one element.", `SAN.exists(s, s.endsWith(".example.com"))`},
	{"exists_one", "list.exists_one(x, predicate) -> bool\nmap.exists_one(key, predicate) -> bool", "Whether the predicate holds for exactly one element.", `SAN.exists_one(s, s.startsWith("URI:spiffe://"))`},
	{"filter", "list.filter(x, predicate) -> list\nmap.filter(key, predicate) -> list", "The elements for which the predicate holds.", `SAN.filter(s, s.startsWith("DNS:")).size() == 2`},
	{"has", "has(x.field) -> bool", "Whether a field is set to a non-empty value (or a map has a key).", `has(cert.subject.cn)`},
	{"map", "list.map(x, transform) -> list\nlist.map(x, predicate, transform) -> list", "Each element transformed; with a predicate, only the elements for which it holds.", `SAN.map(s, s.split(":")[0]).exists(t, t == "Email")`},
}
