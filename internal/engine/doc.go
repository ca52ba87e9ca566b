// Package engine is the JSON face of mtlsplay: the same requests and responses serve
// the WebAssembly bridge, the CLI's --json output and the server's POST /api/decide.
// It turns text inputs (PEM, bundles, a rule) into engine values, calls
// policy.Decide, and reports every failure in one error shape:
//
//	{"error": {"code": "...", "message": "...", "line": 1, "column": 7}}
package engine
