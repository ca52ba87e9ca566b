package engine

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/diagnose"
	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// The helpers the tests of both builds share: the rule engine's (the default) and
// the inspector's (-tags inspector; the tests of the rule operations are tagged
// !inspector).

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pki", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func testNow() time.Time { return pki.TestNow }

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// errorOf decodes the error shape, failing the test when the response is not one.
func errorOf(t *testing.T, resp []byte) Error {
	t.Helper()
	var e ErrorResponse
	if err := json.Unmarshal(resp, &e); err != nil || e.Error.Code == "" {
		t.Fatalf("response is not the error shape: %s", resp)
	}
	return e.Error
}

func hasFinding(fs []diagnose.Finding, id string) *diagnose.Finding {
	for i := range fs {
		if fs[i].ID == id {
			return &fs[i]
		}
	}
	return nil
}
