package lint

import (
	"sync"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/rule"
	"github.com/mtlsplay/mtlsplay/internal/rule/internal/ruletest"
)

var goodClient = ruletest.GoodClient

// goodVars are the variables of the client-good chain at the test clock.
func goodVars() rule.Vars {
	leaf := goodClient()
	return rule.Vars{Cert: leaf, Chain: []*certinfo.Certificate{leaf, ruletest.IssuingCA()}, Now: ruletest.Now}
}

var testEnv = sync.OnceValues(rule.NewEnv)

func mustCompile(t testing.TB, src string) *rule.Program {
	t.Helper()
	env, err := testEnv()
	if err != nil {
		t.Fatalf("NewEnv() = %v", err)
	}
	p, err := env.Compile(src)
	if err != nil {
		t.Fatalf("Compile(%q) = %v", src, err)
	}
	return p
}
