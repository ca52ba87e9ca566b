//go:build js && wasm

// Command wasm is the engine for the browser (GOOS=js GOARCH=wasm): a thin bridge
// that registers one function on the global scope of the Web Worker that runs it,
//
//	mtlsplay.call(op, requestJSON) → responseJSON
//
// and hands every call to call: in the rule engine suite.Call (the Cases pane's ops,
// then engine.Call, the same JSON face the CLI and the server use), in the inspector
// (-tags inspector) engine.Call without the rule operations.
// The page never loads it on its main thread, so nothing is added to window.
// A hard time limit per call is the page's job: it terminates the worker.
package main

import (
	"encoding/json"
	"fmt"
	"syscall/js"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/engine"
)

func main() {
	call := js.FuncOf(func(_ js.Value, args []js.Value) any {
		return bridge(args)
	})
	api := js.Global().Get("Object").New()
	api.Set("call", call)
	js.Global().Set("mtlsplay", api)
	select {} // keep the Go program (and the function) alive
}

// bridge runs one call. A panic becomes the error shape rather than ending the Go
// program, which would leave the worker unable to answer anything else.
func bridge(args []js.Value) (out any) {
	defer func() {
		if r := recover(); r != nil {
			out = errorJSON("internal", fmt.Sprintf("the engine failed: %v", r))
		}
	}()
	if len(args) != 2 || args[0].Type() != js.TypeString || args[1].Type() != js.TypeString {
		return errorJSON("bad_request", "mtlsplay.call takes two strings: an operation and a JSON request")
	}
	return string(call(args[0].String(), []byte(args[1].String()), time.Now))
}

func errorJSON(code, msg string) string {
	b, _ := json.Marshal(engine.ErrorResponse{Error: engine.Error{Code: code, Message: msg}})
	return string(b)
}
