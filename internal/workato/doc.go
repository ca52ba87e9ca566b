// Package workato reads rules written in the Ruby-flavoured formula language of
// API-gateway documentation ("Workato-style" certificate validation rules, such
// as SAN.include?("Email:ops@example.com")) and translates them to CEL, so the one
// rule engine evaluates both and a person sees the CEL their formula means.
//
// The subset is the one documentation uses: string and list include? (with Ruby's
// two meanings: on SAN, a list, exact membership; on CN or DN, strings, a substring
// test), start_with?, end_with?, match? and =~ with regular expressions, downcase,
// upcase, strip, present?, blank?, empty?, size and length, any?/all?/none? with a
// block, &&, ||, !, and, or, not, comparisons, parentheses, string, array and
// regexp literals. Types are known statically (CN and DN are strings, SAN is a
// list of strings), so every method is translated by the type of its receiver, and
// a formula that Ruby would run but that cannot mean what its author wants (a
// string used as a condition, a comparison with nil) is an error.
//
// Anything else is an *Error at its line and column that names the construct and
// shows how CEL writes it. The parser is hand-written and bounded (source size,
// tokens, nesting), so hostile input is a clean error, never a panic or a long
// wait. The package is pure Go with no dependencies beyond the standard library,
// so the WebAssembly build carries it at almost no cost.
//
// Translate returns the CEL text and a SourceMap from CEL ranges back to the
// formula, so that compile errors, lints and explanations computed on the CEL can
// be shown at the formula's own columns.
package workato
