// Package rule compiles and evaluates mtlsplay's certificate rules: CEL expressions
// over the variables of DESIGN.md (CN, SAN, DN, cert, chain, now, tls) that must
// evaluate to bool.
//
// One Env serves the CLI, the server and the WebAssembly playground, so a rule
// means the same thing everywhere. The environment is deliberately small: the CEL
// standard library, ext.Strings and ext.Network, typed variables (so a typo is a
// compile error with a line and column, not a runtime surprise), and limits on
// source size, parser depth and evaluation cost (so no rule can crash the engine or
// run for more than a few milliseconds).
//
// Three ways to run a compiled Program:
//   - Eval: the fast path used for decisions; no state is tracked.
//   - Explain: the value of every sub-expression with its source range, per element
//     inside exists/all/filter/map, and which list elements decided the result, for
//     the playground's verdict pane.
//   - Declarations (on Env): variables, certificate fields, functions and macros with
//     a doc line and an example, for the editor's completion and the rule reference.
//
// Lint and LintWith find rules that compile but cannot mean what their author
// wants ("test" in SAN, a DN in slash form, …): warnings with a fix and a quick-fix
// edit, for both dialects (package dialect maps them onto formulas).
package rule
