package export

// rfcTranslator is the gateways whose rules see the subject as OpenSSL's RFC 2253
// string: nginx ($ssl_client_s_dn), HAProxy (ssl_c_s_dn(,0,rfc2253)) and Envoy
// (connection.subject_peer_certificate). Every condition becomes a regular
// expression over that one string; none of them sees every SAN.
type rfcTranslator struct {
	gateway string
	noSAN   string // why SAN conditions cannot be expressed
}

// openSSLNames are the RFC 2253 names of the subject lists' attributes.
var openSSLNames = map[string]string{
	"O": "O", "OU": "OU", "C": "C", "L": "L", "ST": "ST", "street": "street",
	"postalCode": "postalCode", "emailAddress": "emailAddress", "DC": "DC",
}

func (t rfcTranslator) condition(a *atom) (string, string) {
	switch a.kind {
	case cnEq, cnPrefix, cnSuffix, cnContains:
		return cnCondition(a, rfc2253Value, rfcFirstCN, rfcUnit)
	case attrHas:
		v, err := rfc2253Value(a.value, "whole")
		if err != nil {
			return "", err.Error()
		}
		return anyAttr(rfcUnit, openSSLNames[a.field]) + literal(v) + sep, ""
	case dnEq:
		dn, err := dnAsRFC2253(a.value)
		if err != nil {
			return "", err.Error()
		}
		return "^" + literal(dn) + "$", ""
	case sanHas, sanPrefix, sanSuffix, sanContains, sanMatches:
		return "", t.noSAN
	}
	return "", unsupported
}

const unsupported = "export translates conditions on CN, DN, subject attributes and SAN entries (==, !=, in, startsWith, endsWith, contains, exists) only"

// cnCondition is a CN condition as a regex: up to the rule's CN with firstCN,
// then its value as form writes it.
func cnCondition(a *atom, form func(v, pos string) (string, error), firstCN, unit string) (string, string) {
	pos := position(a.kind)
	if a.value == "" {
		return "", "a comparison with the empty string is not translated"
	}
	if why := positionSensitive(a.value, pos); why != "" {
		return "", why
	}
	v, err := form(a.value, pos)
	if err != nil {
		return "", err.Error()
	}
	return firstCN + valueRegex(unit, v, a.kind), ""
}

func (t rfcTranslator) render(tree *node, opt Options, res *Result) string {
	switch t.gateway {
	case "nginx":
		return renderNginx(tree, opt, res)
	case "haproxy":
		return renderHAProxy(tree, opt, res)
	}
	return renderEnvoy(tree, opt, res)
}
