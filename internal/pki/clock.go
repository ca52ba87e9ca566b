package pki

import "time"

// TestNowRFC3339 is the test clock: every test that evaluates the generated test
// PKI does so at this instant, so no test depends on today's date.
const TestNowRFC3339 = "2026-06-01T00:00:00Z"

// TestNow is [TestNowRFC3339] as a time. The generated fixtures' validity windows are
// chosen around it (see testdata/pki/README.md); treat it as a constant.
var TestNow = time.Date(2026, time.June, 1, 0, 0, 0, 0, time.UTC)
