package temporalserver

import (
	"fmt"
	"net"
	"syscall"
)

// reservationsHold: on Linux a reserved port is kept from everyone else.
const reservationsHold = true

// reserve binds a TCP socket with SO_REUSEADDR to ip:port (port 0: any
// free port) and never listens on it: the port stays the caller's until
// release, and the caller's own net.Listen on it still succeeds. A port
// that some socket listens on is refused (EADDRINUSE), as by net.Listen.
func reserve(ip string, port int) (reservation, error) {
	addr := net.ParseIP(ip)
	if addr == nil {
		return reservation{}, fmt.Errorf("bad IP %q", ip)
	}
	var (
		family = syscall.AF_INET
		sa     syscall.Sockaddr
	)
	if v4 := addr.To4(); v4 != nil {
		s := &syscall.SockaddrInet4{Port: port}
		copy(s.Addr[:], v4)
		sa = s
	} else {
		family = syscall.AF_INET6
		s := &syscall.SockaddrInet6{Port: port}
		copy(s.Addr[:], addr.To16())
		sa = s
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return reservation{}, fmt.Errorf("socket: %w", err)
	}
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		syscall.Close(fd)
		return reservation{}, fmt.Errorf("SO_REUSEADDR: %w", err)
	}
	if err := syscall.Bind(fd, sa); err != nil {
		syscall.Close(fd)
		return reservation{}, err
	}
	if port == 0 {
		got, err := syscall.Getsockname(fd)
		if err != nil {
			syscall.Close(fd)
			return reservation{}, fmt.Errorf("getsockname: %w", err)
		}
		switch got := got.(type) {
		case *syscall.SockaddrInet4:
			port = got.Port
		case *syscall.SockaddrInet6:
			port = got.Port
		}
	}
	return reservation{port: port, release: func() { syscall.Close(fd) }}, nil
}
