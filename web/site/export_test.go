package site

import (
	"encoding/json"
	"errors"
	"html"
	"io/fs"
	"net/http"
	"time"

	"github.com/a-h/templ"

	"github.com/mtlsplay/mtlsplay/internal/engine"
)

// ServedHandler is Handler over the given assets, for tests.
func ServedHandler(assets fs.FS) http.Handler {
	return newHandler(assets, options{wasm: wasmRaw, served: true})
}

// ServedPageOver is s.Page over the given assets, for tests.
func ServedPageOver(assets fs.FS, s ServedPage, main templ.Component) templ.Component {
	return s.page(chromeOf(assets), main)
}

// FirstPaintOf decides a decide request (JSON) with the native engine and renders
// it as the first paint does: by element id, its inner HTML, and by "id[attribute]"
// the attributes the first paint sets ("verdict[data-value]", "near-misses[hidden]").
func FirstPaintOf(request []byte) (map[string]string, error) {
	var res fpResponse
	if err := json.Unmarshal(engine.Call("decide", request, func() time.Time { return ReferenceTime }), &res); err != nil {
		return nil, err
	}
	if res.Error != nil {
		return nil, errors.New(res.Error.Message)
	}
	var req fpRequest
	if err := json.Unmarshal(request, &req); err != nil {
		return nil, err
	}
	fp := renderFirstPaint(&res, req.Certificates, req.At)
	out := map[string]string{
		"verdict-badge": html.EscapeString(fp.badge), "decision-code": html.EscapeString(fp.code), "code-name": html.EscapeString(fp.codeName),
		"verdict[data-value]": fp.value, "decision-code[data-code]": fp.code,
	}
	for id, m := range fp.slots {
		out[id] = string(m)
	}
	for id, as := range fp.attrs {
		for k, v := range as {
			out[id+"["+k+"]"] = v
		}
	}
	for id, hidden := range fp.hidden {
		out[id+"[hidden]"] = map[bool]string{true: "hidden", false: ""}[hidden]
	}
	return out, nil
}
