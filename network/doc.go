// Package network is the control plane of vswitch's Docker model: the
// Container Network Model (CNM) of libnetwork with Docker's semantics and
// Docker's error texts.
//
// A Controller per node owns Networks, Sandboxes (containers) and their
// Endpoints: a sandbox has at most one endpoint per network, and an
// endpoint belongs to exactly one network. Every controller starts with
// Docker's predefined networks, bridge (172.17.0.0/16, no embedded DNS, no
// aliases), host and none, which cannot be removed. Networks are created,
// listed with Docker's filters, inspected in the exact JSON shape of
// `docker network inspect`, removed (refused while endpoints are attached)
// and pruned; containers are run, connected, disconnected and removed.
//
// Drivers are an interface: bridge, host and null are built in; overlay and
// macvlan plug in later through ControllerConfig.Drivers. Addresses come
// from package ipam with Docker's default pools, which are configurable per
// node, unlike Docker.
//
// Every failing call returns Docker's message (errors.Is matches the
// ErrNotFound, ErrConflict, ErrInvalidParameter, ErrForbidden,
// ErrUnavailable or ErrNotImplemented class, the daemon's errdefs) and
// leaves the controller exactly as it was, random stream included.
//
// This package is pure: no OS access, no goroutines, no wall clock. IDs and
// MAC addresses come from the seeded random stream of ControllerConfig.Rand
// and Created timestamps from ControllerConfig.Clock, so the same inputs give
// the same IDs, addresses and JSON.
//
// The data plane (switches, gateways, embedded DNS) follows the model
// through an Observer, called synchronously after each successful change.
//
// Concurrency: a Controller and the objects it returns are not safe for
// concurrent use; callers serialize (the daemon holds one lock, the
// simulator runs on one goroutine). Observers run inside the mutating call
// and must not call back into the Controller's mutating methods.
//
// Ownership: maps and slices returned by accessors are copies; maps and
// slices passed in are copied.
package network
