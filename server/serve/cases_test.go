package serve

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// casesConfig is testConfig with cases over the test PKI: one per client, and
// one whose expectation is expect.
func casesConfig(expect string) string {
	return testConfig("report") + fmt.Sprintf(`cases:
  - name: partner-a good
    client: partner-a
    chain: %[1]s/client-good-chain.pem
    expect: 0
  - name: partner-b other root
    client: partner-b
    chain: %[1]s/client-good-chain.pem
    expect: {code: 4018, reason: "Acme Root CA"}
  - name: no bundle
    client: no-bundle
    expect: 4016
  - name: partner-a expired
    client: partner-a
    chain: %[1]s/client-expired-chain.pem
    expect: %[2]s
`, testPKIDir, expect)
}

// runUntilReady runs serve with opts and returns its exit status when it
// stops before listening, or -1 (and stops it) when it listens.
func runUntilReady(t *testing.T, opts Options) (code int, stderr string) {
	t.Helper()
	opts.HTTPAddr, opts.MTLSAddr = "127.0.0.1:0", "127.0.0.1:0"
	if opts.Now == nil {
		opts.Now = func() time.Time { return pki.TestNow }
	}
	var out, errs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan struct{})
	opts.Ready = func(*Server) { close(ready) }
	done := make(chan int, 1)
	go func() { done <- Run(ctx, opts, &out, &errs) }()
	select {
	case code := <-done:
		return code, errs.String()
	case <-ready:
		cancel()
		<-done
		return -1, errs.String()
	case <-time.After(hangGuard):
		t.Fatal("serve neither started nor stopped")
	}
	return 0, ""
}

// TestServeCases: a config whose cases pass starts and logs them; one with a
// failing case does not start, and says which case failed and why.
func TestServeCases(t *testing.T) {
	ts := startServe(t, Options{ConfigPath: writeConfig(t, casesConfig("{code: 4018, finding: expired}"))})
	ts.stop()
	if log := ts.stderr.String(); !strings.Contains(log, `msg="cases passed" count=4`) {
		t.Errorf("serve with passing cases logs no cases line:\n%s", log)
	}

	path := writeConfig(t, casesConfig("0"))
	code, stderr := runUntilReady(t, Options{ConfigPath: path})
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	want := []string{
		"mtlsplay serve: " + path + `: case "partner-a expired" failed: expected 0, got 4018 (invalid client certificate: certificate `,
		"mtlsplay serve: " + path + ": 3 passed, 1 failed",
		"mtlsplay serve: " + path + ": the config's cases failed, so the server did not start (fix the rule or the cases; mtlsplay test " + path + " explains each case; --skip-cases starts anyway)",
	}
	if code != ExitFailed || len(lines) != 3 {
		t.Fatalf("serve with a failing case = %d, stderr:\n%s", code, stderr)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q\nwant %q…", i+1, lines[i], w)
		}
	}
	if !strings.Contains(lines[0], " (CN=client.example.com) expired at 2026-01-01T00:00:00Z") {
		t.Errorf("the failed case's line does not say why: %q", lines[0])
	}

	code, stderr = runUntilReady(t, Options{ConfigPath: path, SkipCases: true})
	if code != -1 || !strings.Contains(stderr, `level=WARN msg="cases skipped" count=4`) {
		t.Errorf("serve --skip-cases = %d, stderr:\n%s", code, stderr)
	}
}

// TestServeCaseBadInput: a case the config cannot read is a config error
// (exit 2), one line naming the case and the field.
func TestServeCaseBadInput(t *testing.T) {
	path := writeConfig(t, testConfig("report")+"cases:\n  - name: typo\n    client: partner-c\n    expect: 0\n")
	code, stderr := runUntilReady(t, Options{ConfigPath: path})
	if code != ExitBadInput || stderr != "mtlsplay serve: "+path+`: case "typo": client "partner-c" is not in clients (known: partner-a, partner-rule, partner-b, no-bundle)`+"\n" {
		t.Errorf("serve with an unknown client in a case = %d, %q", code, stderr)
	}
}
