package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/speaker/control"
	"github.com/ze-bgp/ze/speaker/daemon"
)

const daemonUsage = `usage: ze [--listen ADDR:PORT]… [--control PATH] [--log-format text|json] [--metrics ADDR:PORT] CONFIG

Runs the BGP speaker described by CONFIG (docs/config.md) until SIGTERM
or SIGINT (every session then gets Cease / Administrative Shutdown).
SIGHUP reloads CONFIG (a file that does not check is reported and the
running configuration kept); SIGUSR1 writes a status dump to stderr.
'ze cli' talks to the running daemon (docs/cli.md).

  --listen ADDR:PORT     accept connections there (repeatable; default:
                         port 179 of each peer's local-address)
  --control PATH         the control socket (default: environment
                         { control { socket PATH; } }, else
                         ` + "`ze cli`" + `'s default; "none": no socket)
  --log-format FORMAT    text or json (default: environment { log {
                         format …; } })
  --metrics ADDR:PORT    serve Prometheus /metrics there (default:
                         environment { metrics { listen …; } }; none)

Events ("ze: listening ADDR:PORT", "ze: peer NAME established", …) go
to stdout, logs to stderr.
`

// isDaemon reports whether the command line is `ze [FLAGS] CONFIG`: its
// first word is an existing file or a daemon flag.
func isDaemon(args []string) bool {
	for _, f := range []string{"--listen", "--control", "--log-format", "--metrics"} {
		if strings.HasPrefix(args[0], f) {
			return true
		}
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
	ctlPath := fs.String("control", "", "the control socket's path (none: no socket)")
	logFormat := fs.String("log-format", "", "text or json")
	metricsAddr := fs.String("metrics", "", "ADDR:PORT serving Prometheus /metrics")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if f := *logFormat; f != "" && f != "text" && f != "json" {
		fmt.Fprintf(stderr, "ze: --log-format %q: want text or json\n", f)
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
	if *logFormat != "" {
		cfg.Environment.Log.Format = *logFormat
	}
	level := new(slog.LevelVar)
	log := newLogger(cfg.Environment.Log, level, stderr)
	opt := daemon.Options{Listen: listen, Events: stdout, Logger: log, ProcessStderr: stderr,
		ConfigPath: path, LogLevel: level, Status: stderr}
	if abs, err := filepath.Abs(path); err == nil {
		opt.ConfigPath = abs // reloads read the same file whatever the working directory
	}
	opt.Control, opt.ControlOptional = controlPath(*ctlPath, cfg.Environment.Control.Socket)
	opt.Version = version
	opt.Metrics = cfg.Environment.Metrics.Listen
	if *metricsAddr != "" {
		opt.Metrics = *metricsAddr
	}
	d, err := daemon.New(cfg, opt)
	if err != nil {
		fmt.Fprintf(stderr, "ze: %v\n", err)
		return 1
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1)
	defer signal.Stop(sigs)
	go func() {
		for {
			select {
			case sig := <-sigs:
				switch sig {
				case syscall.SIGHUP:
					log.Info("signal received: reloading", "signal", sig.String(), "config", path)
					d.Reload() //nolint:errcheck // logged and reported as an event by the daemon
					continue
				case syscall.SIGUSR1:
					d.DumpStatus()
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

// controlPath chooses the control socket: the flag, else the
// configuration, else control.DefaultSocket (optional then: when another
// daemon holds it, this one runs without). "none" turns it off.
func controlPath(flagPath, configPath string) (path string, optional bool) {
	for _, p := range []string{flagPath, configPath} {
		if p == "none" {
			return "", false
		}
		if p != "" {
			return p, false
		}
	}
	return control.DefaultSocket(), true
}

// newLogger builds the slog logger of environment { log { … } }; level
// is set from it, and a reload changes it.
func newLogger(l config.Log, level *slog.LevelVar, w io.Writer) *slog.Logger {
	switch l.Level {
	case "debug":
		level.Set(slog.LevelDebug)
	case "warning":
		level.Set(slog.LevelWarn)
	case "error":
		level.Set(slog.LevelError)
	default:
		level.Set(slog.LevelInfo)
	}
	opts := &slog.HandlerOptions{Level: level}
	if l.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
