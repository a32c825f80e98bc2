package temporalserver

import (
	"context"
	"log/slog"
	"os"
	"sync/atomic"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// slogLogger adapts slog to the server's logger interface.
type slogLogger struct {
	l     *slog.Logger
	level slog.Leveler
	// starting, while true, turns Fatal into a panic with a *startFailure
	// that Start recovers: a listener the server cannot bind (it calls
	// Fatal) fails Start instead of ending the process.
	starting *atomic.Bool
}

// startFailure is what Fatal panics with while the server starts.
type startFailure struct {
	msg string
	err error // the "error" tag, if any
}

func (f *startFailure) Error() string {
	if f.err == nil {
		return f.msg
	}
	return f.msg + ": " + f.err.Error()
}

func (f *startFailure) Unwrap() error { return f.err }

var _ log.Logger = slogLogger{}

func (s slogLogger) log(level slog.Level, msg string, tags []tag.Tag) {
	if !s.l.Enabled(context.Background(), level) || level < s.level.Level() {
		return
	}
	attrs := make([]slog.Attr, 0, len(tags))
	for _, t := range tags {
		attrs = append(attrs, slog.Any(t.Key(), t.Value()))
	}
	s.l.LogAttrs(context.Background(), level, msg, attrs...)
}

func (s slogLogger) Debug(msg string, tags ...tag.Tag) { s.log(slog.LevelDebug, msg, tags) }
func (s slogLogger) Info(msg string, tags ...tag.Tag)  { s.log(slog.LevelInfo, msg, tags) }
func (s slogLogger) Warn(msg string, tags ...tag.Tag)  { s.log(slog.LevelWarn, msg, tags) }
func (s slogLogger) Error(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }
func (s slogLogger) DPanic(msg string, tags ...tag.Tag) {
	s.log(slog.LevelError, msg, tags)
}
func (s slogLogger) Panic(msg string, tags ...tag.Tag) {
	s.log(slog.LevelError, msg, tags)
	panic(msg)
}
func (s slogLogger) Fatal(msg string, tags ...tag.Tag) {
	s.log(slog.LevelError, msg, tags)
	if s.starting != nil && s.starting.Load() {
		f := &startFailure{msg: msg}
		for _, t := range tags {
			if zt, ok := t.(tag.ZapTag); ok {
				if err, ok := zt.Field().Interface.(error); ok {
					f.err = err
				}
			}
		}
		panic(f)
	}
	os.Exit(1)
}
