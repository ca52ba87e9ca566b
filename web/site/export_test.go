package site

import (
	"io/fs"
	"net/http"

	"github.com/a-h/templ"
)

// ServedHandler is Handler over the given assets, for tests.
func ServedHandler(assets fs.FS) http.Handler {
	return newHandler(assets, options{wasm: wasmRaw, served: true})
}

// ServedPageOver is s.Page over the given assets, for tests.
func ServedPageOver(assets fs.FS, s ServedPage, main templ.Component) templ.Component {
	return s.page(chromeOf(assets), main)
}
