package temporalserver

import (
	"errors"
	"fmt"
	"syscall"
)

// The server's services bind their own listeners (go.temporal.io/server
// offers no way to hand it bound sockets), so a port chosen here could be
// taken by anyone between the choice and the bind. Two defences:
//
//   - On Linux every chosen port stays reserved until the server has bound
//     it: a socket bound to the port with SO_REUSEADDR that never listens.
//     The kernel gives that port to no other bind(port 0) and no outgoing
//     connection, while the server's own listener (Go sets SO_REUSEADDR)
//     may still bind and listen on it. Elsewhere the port is probed and
//     released, as before.
//   - A bind that fails anyway (a program that binds that very port) is an
//     error of Start instead of the end of the process (see slogLogger's
//     Fatal), and Start tries again with fresh ports.

// errPortTaken marks a failed start whose cause is a port someone else took.
var errPortTaken = errors.New("port taken")

// reservation holds a port until release.
type reservation struct {
	port    int
	release func()
}

// reservePorts reserves one port per entry of want: a fixed port when the
// entry is > 0, any free port when it is 0. On failure nothing stays held.
func reservePorts(ip string, want ...int) ([]reservation, error) {
	var held []reservation
	for _, w := range want {
		r, err := reserve(ip, w)
		if err != nil {
			releaseAll(held)
			if w > 0 {
				return nil, fmt.Errorf("port %d is not free: %w", w, err)
			}
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		held = append(held, r)
	}
	return held, nil
}

func releaseAll(rs []reservation) {
	for _, r := range rs {
		r.release()
	}
}

// isAddrInUse reports whether err (or a panic value of a failed start) says
// an address was already in use.
func isAddrInUse(err error) bool {
	return errors.Is(err, syscall.EADDRINUSE)
}

// ReservePort reserves a free TCP port on ip for a caller that must name an
// address before anything listens on it (a test's dev-stack address, the
// listen address of a child process). On Linux the port stays reserved
// until release: no bind to port 0 and no outgoing connection takes it,
// and a listener with SO_REUSEADDR (every Go listener) may still bind it;
// elsewhere it is only probed. Release it once the listener is up, or when
// the address is no longer needed.
func ReservePort(ip string) (port int, release func(), err error) {
	r, err := reserve(ip, 0)
	if err != nil {
		return 0, nil, fmt.Errorf("reserve a port on %s: %w", ip, err)
	}
	return r.port, r.release, nil
}
