package site

import (
	"io/fs"
	"net/http"
)

// ServedHandler is Handler over the given assets, for tests.
func ServedHandler(assets fs.FS) http.Handler {
	return newHandler(assets, options{wasm: wasmRaw, served: true})
}
