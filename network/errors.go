package network

import (
	"errors"
	"fmt"
)

// Error classes, after Docker's errdefs: the daemon maps them to HTTP
// statuses (404, 409, 400, 403, 503, 501). Match them with errors.Is.
var (
	ErrNotFound         = errors.New("not found")
	ErrConflict         = errors.New("conflict")
	ErrInvalidParameter = errors.New("invalid parameter")
	ErrForbidden        = errors.New("forbidden")
	ErrUnavailable      = errors.New("unavailable")
	ErrNotImplemented   = errors.New("not implemented")
)

// Error is a Docker error: its text is exactly what the Docker daemon says,
// its Class one of the Err* classes, its cause (if any) reachable with
// errors.Is/As (for example ipam.ErrIPAlreadyAllocated).
type Error struct {
	Class error
	Msg   string
	Cause error
}

func (e *Error) Error() string { return e.Msg }

// Is reports whether target is the error's class.
func (e *Error) Is(target error) bool { return target == e.Class }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

func errorf(class error, format string, args ...any) error {
	return &Error{Class: class, Msg: fmt.Sprintf(format, args...)}
}

// wrap gives cause a class and, when prefix is not empty, a prefix.
func wrap(class error, prefix string, cause error) error {
	return &Error{Class: class, Msg: prefix + cause.Error(), Cause: cause}
}

// prefixed keeps err's class and cause and puts prefix before its text.
func prefixed(prefix string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return &Error{Class: e.Class, Msg: prefix + e.Msg, Cause: e.Cause}
	}
	return &Error{Class: ErrInvalidParameter, Msg: prefix + err.Error(), Cause: err}
}
