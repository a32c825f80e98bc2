//go:build !linux

package temporalserver

// reservationsHold: here a reservation is only a probe.
const reservationsHold = false

// reserve probes the port and releases it: only Linux lets a port stay
// reserved while the server binds it (see ports.go); Start's retry covers
// the window here.
func reserve(ip string, port int) (reservation, error) {
	return probe(ip, port)
}
