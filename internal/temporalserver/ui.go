package temporalserver

import (
	"errors"
	"net"
	"reflect"
	"unsafe"

	uiserver "github.com/temporalio/ui-server/v2/server"
)

// handOverListener makes ui serve on ln, a listener already bound.
//
// ui-server's Start binds its own address and, when that fails, ends the
// whole process (echo's Logger.Fatal); choosing a free port first and
// letting it bind later leaves a window for another program to take the
// port. Its echo instance serves a listener set beforehand (Echo.Listener),
// but the instance is an unexported field, so this reaches it by
// reflection. If an upgrade of ui-server moves it, this returns an error
// (the Web UI then does not start and the server says why) and
// TestWebUIServesOnItsListener fails.
func handOverListener(ui *uiserver.Server, ln net.Listener) error {
	f := reflect.ValueOf(ui).Elem().FieldByName("httpServer")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() || f.Elem().Kind() != reflect.Struct {
		return errors.New("ui-server has no httpServer field: cannot hand it a bound listener")
	}
	// f is read-only (unexported); the same memory through NewAt is not.
	echo := reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Elem()
	l := echo.FieldByName("Listener")
	if !l.IsValid() || l.Type() != reflect.TypeFor[net.Listener]() || !l.CanSet() {
		return errors.New("ui-server's echo has no Listener field: cannot hand it a bound listener")
	}
	l.Set(reflect.ValueOf(ln))
	return nil
}
