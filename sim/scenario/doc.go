// Package scenario reads vsim scenario files: the YAML format of
// docs/scenarios.md (JSON Schema: docs/scenario.schema.json), from a
// topology (the L2 level: switches, hosts, links; the Docker level: nodes,
// networks, containers, clients) to timed steps with expectations.
//
// Parse decodes the YAML by hand from yaml.Node trees so that every value
// keeps its line and column, checks every key, value and reference, and
// fills in every default. Problems come back all at once as an ErrorList of
// "file:line:col: message" errors sorted by position. A valid file gives a
// Scenario of plain typed values that the runner executes; docker steps
// carry their command line already split and parsed (ParseDockerCommand),
// their semantics belong to the network package.
//
// Concurrency: Parse and ParseFile are safe to call from several
// goroutines. A Scenario is a plain value, safe for concurrent reads;
// SetSeed modifies it.
//
// Ownership: Parse does not keep data after it returns.
package scenario
