package suite

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/gateway"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

// GatewayVerifier verifies a chain as gateway name would trust it with the
// client's bundles as its CA file: Go's verification (through verify), then
// gateway.Trust's verdict where it differs. The decision's checks stay
// policy.Decide's, so a case run this way differs only where the gateway's
// trust does. ok is false for a gateway with no trust model.
func GatewayVerifier(name string, verify engine.Verifier) (engine.Verifier, bool) {
	if !slices.Contains(gateway.TrustModels(), name) {
		return nil, false
	}
	if verify == nil {
		verify = trust.Verify
	}
	return func(presented []*certinfo.Certificate, bundles []*trust.Bundle, now time.Time) trust.Result {
		res := verify(presented, bundles, now)
		v, _ := gateway.Trust(name, presented, bundles, res, now)
		if !v.Differs {
			return res
		}
		why := v.Reason
		if v.Error != "" {
			why = "error " + v.Error + ": " + why
		}
		if v.Option != "" {
			why += "; " + v.Option
		}
		if v.OK {
			// The gateway trusts what Go refuses: it found its own chain, which
			// gateway.Trust does not return; the presented one stands for it.
			names := make([]string, 0, len(bundles))
			for _, b := range bundles {
				names = append(names, b.Name)
			}
			out := trust.Result{OK: true, Bundle: fmt.Sprintf("%s, as %s trusts it (%s)", strings.Join(names, ", "), name, v.Behaviour), Tried: res.Tried}
			for _, c := range presented {
				out.Chain = append(out.Chain, trust.ChainCert{SHA256: c.SHA256, Subject: c.Subject.DN})
			}
			return out
		}
		return trust.Result{Tried: res.Tried, Failure: &trust.Failure{
			Kind: behaviourKind(v.Behaviour), Cert: 0, Subject: presented[0].Subject.DN,
			Message: fmt.Sprintf("gateway %s refuses the chain that crypto/x509 trusts (%s, %s %s): %s", name, v.Behaviour, v.Source, v.Version, strings.TrimSpace(why)),
		}}
	}, true
}

// behaviourKind is the verification failure kind closest to a gateway's
// reason for refusing a chain Go trusts.
func behaviourKind(b string) trust.Kind {
	switch b {
	case "partial_chain", "leaf_in_bundle":
		return trust.UnknownIssuer
	case "expired_bundle_issuer", "expired_sent_issuer":
		return trust.Expired
	case "any_eku", "key_usage":
		return trust.ExtKeyUsage
	case "critical_extension", "go_version":
		return trust.CriticalExtension
	}
	return trust.Other
}
