// Package gateway shows a certificate as each API gateway shows it to the rules
// written for it: the variables, placeholders and sample fetches of nginx, HAProxy,
// Caddy and others, named as their config languages spell them and holding the
// exact bytes each produces. A rule written against mtlsplay's DN silently never
// matches on a gateway that prints the same subject in another order, with other
// escapes or in another encoding; this package says what that gateway compares.
//
// Each Profile turns a parsed certificate into a View: the values, what the
// gateway cannot see, and notes. Every value says whether it was proven byte for
// byte against the running gateway (Tested, by TestGatewaysLive) or built from
// the gateway's source and documentation (Documented), and which version.
//
// The formatting is ported from the gateways' own code, not approximated:
// openssl.go is OpenSSL 3.0's X509_NAME_print_ex (XN_FLAG_RFC2253),
// X509_NAME_oneline, i2a_ASN1_INTEGER and ASN1_TIME_print, which nginx and
// HAProxy call; caddy.go uses crypto/x509 and pkix.Name.String() as Caddy does.
//
// Files: gateway.go (Value, View, Profile, the registry), der.go (the raw fields
// of a certificate and the entries of a name), openssl.go, dotnet.go (.NET's
// X500 name decoder, for Azure), one file per gateway or vendor (workato.go,
// nginx.go, haproxy.go, caddy.go, envoy.go, traefik.go, cloudflare.go, aws.go
// for API Gateway and the ALB, azure.go), subject.go (the subject as every
// gateway writes it, for the dn_gateway_form lint),
// live_test.go (TestGatewaysLive), and trust.go: the gateway's trust verdict on
// a chain where it differs from crypto/x509's (OpenSSL 3.0's one-chain build
// for nginx and HAProxy), proven by trust_live_test.go (TestTrustLive). It lives
// here, not in internal/trust, because it is per gateway (versions, config
// options, tested or documented) while trust stays the one verdict mtlsplay
// decides with.
package gateway
