//go:build js && wasm && inspector

package main

import (
	"time"

	"github.com/mtlsplay/mtlsplay/internal/engine"
)

// call is the inspector's entry point (-tags inspector): engine.Call, whose rule
// operations this build leaves out; nothing that compiles a rule is linked here.
func call(op string, request []byte, now func() time.Time) []byte {
	return engine.Call(op, request, now)
}
