package rule

import (
	"encoding/pem"
	"os"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

// TestExamplesOnTestPKI evaluates the reference examples on the real client-good
// chain when the test PKI and the parser are there; the hand-built certificate of
// the other tests mirrors it. It skips rather than fails when the parser cannot
// read the file, as the parser is tested on its own.
func TestExamplesOnTestPKI(t *testing.T) {
	data, err := os.ReadFile("../../testdata/pki/client-good-chain.pem")
	if err != nil {
		t.Skipf("no test PKI: %v", err)
	}
	var chain []*certinfo.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		c, err := certinfo.Parse(b.Bytes)
		if err != nil {
			t.Skipf("certinfo.Parse: %v", err)
		}
		chain = append(chain, c)
	}
	if len(chain) != 2 {
		t.Skipf("client-good-chain.pem: %d certificates, want 2", len(chain))
	}
	v := Vars{Cert: chain[0], Chain: chain, Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	for _, d := range testEnv(t).Declarations() {
		p, err := testEnv(t).Compile(d.Example)
		if err != nil {
			t.Errorf("Compile(%s) = %v", d.Example, err)
			continue
		}
		if got, err := p.Eval(v); err != nil || !got {
			t.Errorf("%s %s: Eval(%s) = %v, %v on client-good; want true", d.Kind, d.Name, d.Example, got, err)
		}
	}
}
