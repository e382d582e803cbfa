// Package arch holds the architecture test: the layering rules of
// DESIGN.md checked against the source, so that the engine stays free of the
// OS and of the layers above it. It has no code of its own.
package arch
