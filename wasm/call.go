//go:build js && wasm && !inspector

package main

import (
	"time"

	"github.com/mtlsplay/mtlsplay/internal/engine"
)

// call is the rule engine's entry point: every operation.
func call(op string, request []byte, now func() time.Time) []byte {
	return engine.Call(op, request, now)
}
