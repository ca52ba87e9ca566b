// Package lru is the one bounded cache of mtlsplay: a map that forgets its least
// recently used entries when it holds too many of them or too many bytes. Compiled
// rules (rule) and verified chains (trust) are kept in one, so that every cache
// has the same eviction policy and the same way of saying what an entry costs.
//
// Bytes are what the caller says an entry costs (its key and value, roughly as
// they sit in memory): the cache cannot know, and a bound in entries alone lets a
// client that sends large certificates fill the memory with a few hundred of them.
//
// It is pure Go with no operating system underneath, so the same cache runs in
// the playground's WebAssembly engine.
package lru
