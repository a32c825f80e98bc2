//go:build !linux

package temporalserver

import (
	"net"
	"strconv"
)

// reservationsHold: here a reservation is only a probe.
const reservationsHold = false

// reserve probes the port and releases it: only Linux lets a port stay
// reserved while the server binds it (see ports.go); Start's retry covers
// the window here.
func reserve(ip string, port int) (reservation, error) {
	return probe(ip, port)
}

// probe is the portable fallback: it finds that the port is free now and
// releases it at once.
func probe(ip string, port int) (reservation, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return reservation{}, err
	}
	defer l.Close()
	return reservation{port: l.Addr().(*net.TCPAddr).Port, release: func() {}}, nil
}
