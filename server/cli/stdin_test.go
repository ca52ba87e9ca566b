package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// TestStandardInputOnce: standard input can be read once. Given for two inputs,
// the second would read it empty (for verify's CHAIN a decision, 4017, that
// says the client sent nothing): a usage error instead, before anything is read.
func TestStandardInputOnce(t *testing.T) {
	chain := string(mustRead(t, probePKI("client-good-chain.pem")))
	for _, args := range [][]string{
		{"verify", "--bundle", "-", "-"},
		{"verify", "--bundle", probePKI("root.pem"), "--rule-file", "-", "-"},
		{"inspect", "-", "-"},
		{"eval", "--rule-file", "-", "-"},
		{"test", "-", "-"},
		{"probe", "127.0.0.1:9", "--cert", "-", "--key", "-", "--cacert", "-"},
	} {
		code, out, errs := runCLI(t, chain, args...)
		if code != exitBadInput || out != "" || !strings.HasPrefix(errs, "mtlsplay "+args[0]+": - (standard input) is given for more than one input") {
			t.Errorf("mtlsplay %q = %d, stdout %q, stderr %.120q; want 2 and the usage error", args, code, clip(out), errs)
		}
	}
}

// TestStandardInputNamed: a bundle read from standard input is called so in the
// decision, as every other input read from it is.
func TestStandardInputNamed(t *testing.T) {
	code, out, errs := runCLI(t, string(mustRead(t, probePKI("root.pem"))), "verify", "--at", pki.TestNowRFC3339, "--bundle", "-", probePKI("client-good-chain.pem"))
	if code != exitOK || !strings.Contains(out, `truststore  1 bundle(s): "standard input"`) || !strings.Contains(out, `trusted by bundle "standard input"`) {
		t.Errorf("verify --bundle - = %d\n%s%s", code, out, errs)
	}
}

// TestProbeKeyCertOnStandardInput: --cert - --key - reads one file holding the
// chain and its key from standard input once, as curl reads such a file.
func TestProbeKeyCertOnStandardInput(t *testing.T) {
	srv := goServer{clientCAs: "root.pem"}.start(t)
	keycert := append(mustRead(t, probePKI("client-good-chain.pem")), mustRead(t, probePKI("client-good.key"))...)
	var out, errb bytes.Buffer
	c := &cli{stdin: bytes.NewReader(keycert), stdout: &out, stderr: &errb, now: func() time.Time { return pki.TestNow }}
	if code := c.run([]string{"probe", srv, "--cert", "-", "--key", "-"}); code != exitOK || !strings.Contains(out.String(), "sent the given chain: 2 certificates") {
		t.Errorf("probe --cert - --key - = %d\n%s%s", code, out.String(), errb.String())
	}
}

// TestExportBundleStandardInput: an exported config names its CA file for the
// gateway to open, so --bundle - (which named the file "-" in the current
// folder) is a usage error.
func TestExportBundleStandardInput(t *testing.T) {
	code, out, errs := runCLI(t, string(mustRead(t, probePKI("root.pem"))), "export", "--gateway", "nginx", "--bundle", "-")
	if code != exitBadInput || out != "" || !strings.HasPrefix(errs, "mtlsplay export: --bundle -: the gateway opens its CA file itself") {
		t.Errorf("export --bundle - = %d, stdout %q, stderr %q; want 2 and a usage error", code, clip(out), errs)
	}
}
