// Package httperror writes the one JSON error shape of every HTTP response the
// server makes, {"error": {"code", "message"}}: the shape of the engine's errors
// (engine.ErrorResponse), so a script reads a failed /api/decide, a refused echo
// request and a missing download alike.
package httperror

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/mtlsplay/mtlsplay/internal/engine"
)

// Codes of the errors the server itself reports; the engine's own codes
// (engine.CodeBadRequest and the rest) pass through unchanged.
const (
	CodeNotFound         = "not_found"
	CodeForbidden        = "forbidden" // 403: /try/ and its downloads refused to this Host or listener
	CodeMethodNotAllowed = "method_not_allowed"
	CodeTooLarge         = "too_large"
	CodeNotImplemented   = "not_implemented"
	CodeInternal         = "internal"
	CodeBusy             = "busy"    // 503: every slot taken; Retry-After says when to try again
	CodeTimeout          = "timeout" // 408: the request did not arrive in time
)

// Body is the error shape as one line of JSON, newline-terminated.
func Body(code, message string) []byte {
	b, err := json.Marshal(engine.ErrorResponse{Error: engine.Error{Code: code, Message: message}})
	if err != nil { // a string pair always encodes; keep the shape whatever happens
		b = []byte(`{"error":{"code":"internal","message":"encoding an error"}}`)
	}
	return append(b, '\n')
}

// Write answers with status and the error shape. Nothing may have been written yet.
func Write(w http.ResponseWriter, status int, code, message string) {
	body := Body(code, message)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Raw is a whole HTTP/1.1 response carrying the error shape, for a connection that
// net/http does not serve (the echo's own HTTP/1.1 loop answering a request it
// could not parse). It closes the connection.
func Raw(status int, code, message string) []byte {
	body := Body(code, message)
	return []byte("HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) +
		"\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + string(body))
}
