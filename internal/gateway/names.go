package gateway

// RFC2253Name is a DER Name (an RDNSequence) as nginx's $ssl_client_s_dn, HAProxy's
// ssl_c_s_dn(,0,rfc2253) and Envoy's connection.subject_peer_certificate print it
// (X509_NAME_print_ex with XN_FLAG_RFC2253). internal/export translates a rule's DN
// literals with it, so an exported config compares the bytes the gateway produces.
func RFC2253Name(der []byte) ([]byte, error) { return printName(der, xnRFC2253) }
