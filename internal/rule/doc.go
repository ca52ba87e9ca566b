// Package rule compiles and evaluates mtlsplay's certificate rules: CEL expressions
// over the variables of docs/design.md (CN, SAN, DN, cert, chain, now, tls) that must
// evaluate to bool.
//
// One Env serves the CLI, the server and the WebAssembly playground, so a rule
// means the same thing everywhere. The environment is deliberately small: the CEL
// standard library, ext.Strings and ext.Network, typed variables (so a typo is a
// compile error with a line and column, not a runtime surprise), and limits on
// source size, parser depth and evaluation cost (so no rule can crash the engine or
// run for more than a few milliseconds).
//
// Three ways to use a compiled Program, and the reference:
//   - Eval: the fast path used for decisions; no state is tracked.
//   - Explain: the value of every sub-expression with its source range, per element
//     inside exists/all/filter/map, and which list elements decided the result, for
//     the playground's verdict pane (the work is package explain's).
//   - lint.Check (package lint): rules that compile but cannot mean what their
//     author wants ("test" in SAN, a DN in slash form, …), as warnings with a fix.
//   - Declarations (on Env): variables, certificate fields, functions and macros with
//     a doc line and an example, for the editor's completion and the rule reference.
//
// Files: env.go (NewEnv, limits), compile.go (Compile, Issue, CompileError, the
// program cache), eval.go (Vars, Eval, Explain), cost.go (the untracked fast path),
// decls.go and decls_docs.go (the reference). Subpackages: span (source ranges),
// celtext (values and types as text), explain, lint.
package rule
