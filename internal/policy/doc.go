// Package policy makes the one decision about a client certificate that the browser,
// the CLI and the server all report: accepted (0) or one of the codes 4016–4020, with
// a one-line reason and the steps that led to it. Nothing else re-implements a piece
// of it, so the three always agree.
package policy
