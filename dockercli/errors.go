package dockercli

import (
	"errors"
	"fmt"
)

// Error kinds, for errors.Is.
var (
	// ErrUsage marks a command line Docker itself refuses before calling
	// the daemon: an unknown flag, a bad flag value, a wrong number of
	// arguments, a malformed -p. The text is the docker CLI's.
	ErrUsage = errors.New("usage error")
	// ErrUnsupported marks a command, flag or exec program the simulator
	// does not run; the text names what is supported.
	ErrUnsupported = errors.New("unsupported by the simulator")
	// ErrDaemon marks an error of the daemon (the network model, or the
	// Env's container bookkeeping); the text starts with "Error response
	// from daemon: " (or "docker: Error response from daemon: " for
	// docker run), and the model's error is reachable with errors.Is/As.
	ErrDaemon = errors.New("daemon error")
	// ErrRunnerExec is returned by Exec for docker exec: the command runs
	// inside a simulated container, so the runner executes it (see
	// Command.Exec).
	ErrRunnerExec = errors.New("docker exec runs in the simulated container")
)

// Error is an error of ParseCommand or Exec: its text is what docker
// prints, Kind is one of the Err* kinds above, and Cause (if any) is the
// model's error.
type Error struct {
	Kind  error
	Msg   string
	Cause error
}

func (e *Error) Error() string { return e.Msg }

// Is reports whether target is the error's kind.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

func usagef(format string, args ...any) error {
	return &Error{Kind: ErrUsage, Msg: fmt.Sprintf(format, args...)}
}

func unsupportedf(format string, args ...any) error {
	return &Error{Kind: ErrUnsupported, Msg: fmt.Sprintf(format, args...)}
}

// daemonErr is how the docker CLI prints an error of the daemon.
func daemonErr(err error) error {
	return &Error{Kind: ErrDaemon, Msg: "Error response from daemon: " + err.Error(), Cause: err}
}

// daemonErrf builds a daemon error the Env raises itself.
func daemonErrf(format string, args ...any) error {
	return &Error{Kind: ErrDaemon, Msg: "Error response from daemon: " + fmt.Sprintf(format, args...)}
}
