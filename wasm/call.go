//go:build js && wasm && !inspector

package main

import (
	"time"

	"github.com/mtlsplay/mtlsplay/internal/suite"
)

// call is the rule engine's entry point: every operation, the Cases pane's
// (suite.Call) included, which hands the rest to engine.Call.
func call(op string, request []byte, now func() time.Time) []byte {
	return suite.Call(op, request, now)
}
