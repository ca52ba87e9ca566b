package suite

import (
	"slices"

	"github.com/mtlsplay/mtlsplay/internal/diagnose"
	"github.com/mtlsplay/mtlsplay/internal/policy"
)

// FindingIDs are the finding ids an expectation may name: a misspelt id would
// make a case that can never pass, so it is refused when the suite is read.
// TestFindingIDs keeps the list equal to diagnose's constants.
var FindingIDs = diagnose.IDs

// KnownFinding reports whether id is a finding id.
func KnownFinding(id string) bool { return slices.Contains(FindingIDs, id) }

// KnownCode reports whether code is a decision code.
func KnownCode(code int) bool { return slices.Contains(policy.Codes, code) }
