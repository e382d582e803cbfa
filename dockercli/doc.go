// Package dockercli is the docker command line over vswitch's network
// model: it parses what a user types after "docker" and runs it against a
// network.Controller, printing what the docker CLI prints.
//
// ParseCommand does everything the docker CLI does before it talks to the
// daemon: cobra/pflag flag parsing (--long, --long=value, -abc clusters,
// -ovalue, --), flag value validation, argument counts, the -p grammar and
// the IPAM flag grouping, each with the CLI's own message. It returns a
// typed Command. Exec runs a Command against an Env: it calls the model,
// keeps the few container facts the model does not (image, command, state,
// published ports) and renders Docker's output: tables through a
// tabwriter with Docker's settings, --format Go templates with Docker's
// template functions, inspect JSON indented by four spaces.
//
// Error texts are the first lines of what docker prints on stderr, without
// the "See 'docker X --help'." and usage trailers: pflag's "unknown flag:
// --foo", cobra's `"docker network create" requires exactly 1 argument.`,
// the daemon's errors behind "Error response from daemon: ", and for
// docker run the "docker: " prefix docker run adds. Errors of ParseCommand
// match ErrUsage (Docker itself refuses the command) or ErrUnsupported (the
// simulator cannot run it); errors of Exec wrap the model's error, so
// errors.Is finds network.ErrConflict and the other classes.
//
// A failed Exec leaves the model and the Env as they were, except where
// Docker itself is not atomic: commands over several objects (network rm
// a b, rm a b, start, stop) act on each object in turn as Docker does, and
// return the successful part of the output together with the error.
//
// Containers are modelled, not run: a container runs from docker run (or
// docker start) until docker stop or docker rm whatever its command, and
// docker run without -d prints nothing, as the attached process's output
// is not simulated. Created and stopped containers have no endpoints, as
// in Docker; their network settings come back when they start. Published
// ports are bound in the Env (fixed ports checked for conflicts, random
// ones from the Linux default ip_local_port_range, 32768-60999) and handed to the runner in RunSpec.Ports.
//
// exec commands (docker exec NAME ping ...) are parsed into an ExecCommand
// with a typed Tool; Exec refuses them with ErrRunnerExec because they run
// inside a simulated container, which is the runner's business.
//
// Concurrency: an Env and the Commands are not safe for concurrent use;
// the caller serializes, as it does for the Controller. Exec calls the Env
// hooks synchronously.
//
// Ownership: Commands own their slices; Exec does not keep the Command.
// Hooks receive the model's objects, which stay owned by the Controller.
package dockercli
