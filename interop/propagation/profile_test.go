//go:build interop

package propagation

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ze-bgp/ze/interop/harness"
	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/speaker/daemon"
)

// profilesWritten is the line the profiled ze prints once its profiles
// are on disk.
const profilesWritten = "zepb: profiles written"

// TestMain doubles as the profiled ze: with ZEPB_ZE_CONFIG set the test
// binary runs ze's daemon instead of the tests (see zeProfiledDUT).
func TestMain(m *testing.M) {
	if conf := os.Getenv("ZEPB_ZE_CONFIG"); conf != "" {
		os.Exit(profiledZe(conf, os.Getenv("ZEPB_ZE_LISTEN"), os.Getenv("ZEPB_ZE_PROFILE")))
	}
	harness.Main(m)
}

// profiledZe runs what `ze --listen LISTEN CONF` runs (speaker/daemon,
// events on stdout, info logs on stderr) until SIGTERM. SIGUSR1 starts
// a CPU profile; it stops once the inject peer's End-of-RIB was
// processed (every route is then in the RIB) and the sink's UPDATE
// count stood still for 300 ms with an empty send queue (every route
// forwarded). A heap profile is written then too, after a GC, so that
// its in-use figures are what holds the table: PREFIX.cpu.pprof,
// PREFIX.heap.pprof.
func profiledZe(conf, listen, prefix string) int {
	cfg, err := config.Load(conf)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	eor := make(chan struct{})
	events := &watchWriter{w: os.Stdout, needle: []byte("ze: peer inject end-of-rib"), hit: eor}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	d, err := daemon.New(cfg, daemon.Options{Listen: []string{listen}, Events: events, Logger: log})
	if err != nil {
		fmt.Fprintf(os.Stderr, "ze: %v\n", err)
		return 1
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-usr1:
		case <-ctx.Done():
			return
		}
		cpu, err := os.Create(prefix + ".cpu.pprof")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return
		}
		defer cpu.Close()
		if err := pprof.StartCPUProfile(cpu); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return
		}
		select {
		case <-eor:
		case <-ctx.Done():
			pprof.StopCPUProfile()
			return
		}
		var last uint64
		stable := 0
		for i := 0; i < 6000 && stable < 30; i++ { // 60 s at most
			time.Sleep(10 * time.Millisecond)
			st := d.Stats()["sink"]
			if n := st.Out["update"]; n == last && st.SendQueue == 0 {
				stable++
			} else {
				last, stable = n, 0
			}
		}
		pprof.StopCPUProfile()
		runtime.GC()
		heap, err := os.Create(prefix + ".heap.pprof")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return
		}
		defer heap.Close()
		if err := pprof.WriteHeapProfile(heap); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return
		}
		events.Write([]byte(profilesWritten + "\n"))
	}()
	err = d.Run(ctx)
	cancel()
	wg.Wait()
	if err != nil {
		fmt.Fprintf(os.Stderr, "ze: %v\n", err)
		return 1
	}
	return 0
}

// watchWriter copies to w and closes hit the first time a write holds
// needle (the daemon writes one event line per call).
type watchWriter struct {
	mu     sync.Mutex
	w      io.Writer
	needle []byte
	hit    chan struct{}
	done   bool
}

func (ww *watchWriter) Write(b []byte) (int, error) {
	ww.mu.Lock()
	defer ww.mu.Unlock()
	if !ww.done && bytes.Contains(b, ww.needle) {
		ww.done = true
		close(ww.hit)
	}
	return ww.w.Write(b)
}
