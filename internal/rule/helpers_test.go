package rule

import (
	"sync"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/rule/internal/ruletest"
)

// The shared fixtures, under the names this package's tests use.
var (
	testNow    = ruletest.Now
	goodClient = ruletest.GoodClient
	issuingCA  = ruletest.IssuingCA
)

// goodVars are the variables of the client-good chain at the test clock.
func goodVars() Vars {
	leaf := goodClient()
	return Vars{Cert: leaf, Chain: []*certinfo.Certificate{leaf, issuingCA()}, Now: testNow}
}

var (
	envOnce sync.Once
	env     *Env
	envErr  error
)

func testEnv(t testing.TB) *Env {
	t.Helper()
	envOnce.Do(func() { env, envErr = NewEnv() })
	if envErr != nil {
		t.Fatalf("NewEnv() = %v", envErr)
	}
	return env
}

func mustCompile(t testing.TB, src string) *Program {
	t.Helper()
	p, err := testEnv(t).Compile(src)
	if err != nil {
		t.Fatalf("Compile(%q) = %v", src, err)
	}
	return p
}
