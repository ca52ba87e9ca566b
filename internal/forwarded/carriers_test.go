package forwarded

import (
	"strings"
	"testing"
)

// TestCarriers: every name of Carriers carries a certificate, and every carrier
// Parse knows is listed, so a server offering "any of them" offers them all.
func TestCarriers(t *testing.T) {
	listed := map[string]bool{}
	for _, name := range Carriers {
		if !IsCarrier(name) || !IsCarrier(strings.ToUpper(name)) {
			t.Errorf("IsCarrier(%q) = false, want true", name)
		}
		listed[name] = true
	}
	for name, k := range known {
		if k.role == carrier && !listed[name] {
			t.Errorf("%s carries a certificate but is not in Carriers", name)
		}
	}
	if IsCarrier("client-cert-chain") || IsCarrier("x-forwarded-tls-client-cert-info") {
		t.Errorf("a companion header is called a carrier")
	}
}
