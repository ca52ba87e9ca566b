// Package dialect reads a rule in the dialect its author wrote it in — CEL, or the
// Ruby-flavoured formulas of API-gateway documentation (package workato) — and
// compiles it with the one rule environment. It is the single place where the
// engine, the CLI and the page choose a dialect, so "auto" means the same
// everywhere: CEL when the rule compiles as CEL, else a formula when it
// translates as one.
//
// Everything a person sees is placed in the rule as written: compile errors,
// lint warnings (with quick fixes rewritten as formula literals), explanations
// and evaluation errors computed on the CEL translation are mapped back to the
// formula's lines and columns through the translation's source map.
package dialect
