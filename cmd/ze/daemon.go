package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/speaker/daemon"
)

const daemonUsage = `usage: ze [--listen ADDR:PORT]… CONFIG

Runs the BGP speaker described by CONFIG (docs/config.md) until SIGTERM
or SIGINT (every session then gets Cease / Administrative Shutdown).
SIGHUP is logged (reload is not implemented yet).

  --listen ADDR:PORT   accept connections there (repeatable; default:
                       port 179 of each peer's local-address)

Events ("ze: listening ADDR:PORT", "ze: peer NAME established", …) go
to stdout, logs to stderr.
`

// isDaemon reports whether the command line is `ze [FLAGS] CONFIG`: its
// first word is an existing file or a daemon flag.
func isDaemon(args []string) bool {
	if strings.HasPrefix(args[0], "--listen") {
		return true
	}
	_, err := os.Stat(args[0])
	return err == nil
}

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

// daemonMain runs `ze [--listen ADDR:PORT]… CONFIG`: exit 0 after a
// signal stopped it, 1 on a configuration or start-up error, 2 on a
// usage error.
func daemonMain(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ze", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, daemonUsage) }
	var listen listFlag
	fs.Var(&listen, "listen", "ADDR:PORT to accept connections on (repeatable)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, daemonUsage)
		return 2
	}
	path := fs.Arg(0)
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintln(stderr, err) // a syntax.ErrorList: one problem per line
		return 1
	}
	log := newLogger(cfg.Environment.Log, stderr)
	d, err := daemon.New(cfg, daemon.Options{Listen: listen, Events: stdout, Logger: log, ProcessStderr: stderr})
	if err != nil {
		fmt.Fprintf(stderr, "ze: %v\n", err)
		return 1
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)
	go func() {
		for {
			select {
			case sig := <-sigs:
				if sig == syscall.SIGHUP {
					d.Reload()
					continue
				}
				log.Info("signal received", "signal", sig.String())
				cancel()
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	if err := d.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "ze: %v\n", err)
		return 1
	}
	return 0
}

// newLogger builds the slog logger of environment { log { … } }.
func newLogger(l config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	switch l.Level {
	case "debug":
		level = slog.LevelDebug
	case "warning":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level}
	if l.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
