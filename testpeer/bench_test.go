package testpeer

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/netip"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/wire"
)

// BenchmarkEstablish2000 opens 2,000 sessions from 127.0.0.2… to one
// listening sink in the same process (4,000 session ends), with a 3 s
// hold time so that every end sends a KEEPALIVE each second, and holds
// them for 3 s. It reports sessions established per second, the memory
// per session end, the CPU used (% of one core) while only keepalives
// flow, the keepalives received per second by both ends together, and
// the sessions still up at the end (all of them: no hold timer expired).
//
//	go test -run '^$' -bench Establish2000 -benchtime 1x ./testpeer/
func BenchmarkEstablish2000(b *testing.B) {
	const n = 2000
	for b.Loop() {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		sc := DefaultConfig()
		sc.Listen, sc.Peers, sc.Quiet, sc.HoldTime, sc.Timeout = "127.0.0.1:0", n, true, 3, time.Minute
		sink, err := New(sc, io.Discard, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		go sink.Run(ctx) //nolint:errcheck
		dc := sc
		dc.Listen, dc.Dial = "", sink.Addr().String()
		dialer, err := New(dc, io.Discard, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		go dialer.Run(ctx) //nolint:errcheck
		for sink.Established() < n || dialer.Established() < n {
			if time.Since(start) > 30*time.Second {
				b.Fatalf("established %d/%d after 30s", sink.Established(), dialer.Established())
			}
			time.Sleep(time.Millisecond)
		}
		took := time.Since(start)
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		perEnd := float64(after.HeapInuse+after.StackInuse-before.HeapInuse-before.StackInuse) / (2 * n)

		// Keepalives only, for 3 hold-time periods' worth of seconds.
		cpu0 := cpuTime()
		ka0 := sink.Summary().Messages["keepalive"] + dialer.Summary().Messages["keepalive"]
		hold := time.Now()
		time.Sleep(3 * time.Second)
		cpu := cpuTime() - cpu0
		up := 0
		for _, s := range sink.snapshot() {
			if !s.isClosing() {
				up++
			}
		}
		kas := sink.Summary().Messages["keepalive"] + dialer.Summary().Messages["keepalive"] - ka0
		window := time.Since(hold).Seconds()
		cancel()
		sink.Wait()   //nolint:errcheck
		dialer.Wait() //nolint:errcheck
		b.ReportMetric(float64(n)/took.Seconds(), "sessions/s")
		b.ReportMetric(perEnd/1024, "KiB/session-end")
		b.ReportMetric(100*cpu.Seconds()/window, "%cpu-keepalive")
		b.ReportMetric(float64(kas)/window, "keepalives/s")
		b.ReportMetric(float64(up), "sessions-up")
	}
}

// cpuTime returns the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru) //nolint:errcheck
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkInject sends 1,000,000 IPv4 prefixes, 500 per UPDATE with
// shared attributes, to a sink over loopback TCP, and compares with a
// plain loopback TCP copy of as many octets. Metrics: prefixes/s until
// the sink counted the End-of-RIB (end to end), the sender's rate
// (time to write), and both MB/s.
//
//	go test -run '^$' -bench 'Inject$' -benchtime 10x ./testpeer/
func BenchmarkInject(b *testing.B) {
	const count = 1_000_000
	var e2e, send, octets float64
	for b.Loop() {
		sc := DefaultConfig()
		sc.Listen, sc.Quiet, sc.SinkUntilEOR, sc.Timeout = "127.0.0.1:0", true, true, time.Minute
		sink, err := New(sc, io.Discard, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		go sink.Run(context.Background()) //nolint:errcheck
		ic := DefaultConfig()
		ic.Mode, ic.Dial, ic.ASN, ic.Quiet, ic.Timeout = ModeInject, sink.Addr().String(), 65001, true, time.Minute
		ic.Inject.Count, ic.Inject.PerUpdate = count, 500
		inj, err := New(ic, io.Discard, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		if err := inj.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
		if err := sink.Wait(); err != nil {
			b.Fatal(err)
		}
		sum, rep := sink.Summary(), inj.InjectReport()
		if sum.Families["ipv4/unicast"].Announced != count {
			b.Fatalf("sink counted %+v", sum)
		}
		// The sink's clock runs from its start to the End-of-RIB; take
		// the sender's start as the origin instead.
		first := inj.inject.first
		var last time.Time
		for _, s := range sink.snapshot() {
			last = s.lastRecv
		}
		e2e += last.Sub(first).Seconds()
		send += rep.Seconds
		octets = float64(rep.Octets)
	}
	n := float64(b.N)
	b.ReportMetric(count*n/e2e, "prefixes/s")
	b.ReportMetric(count*n/send, "prefixes/s-sent")
	b.ReportMetric(octets*n/e2e/1e6, "MB/s")
	b.ReportMetric(loopbackMBps(b, max(int(octets), 64<<20)), "loopback-MB/s")
}

// loopbackMBps measures a plain TCP copy of size octets over loopback,
// in flushAt writes (the injector's write size), read into a bigBuf
// buffer (the sink's): the ceiling for inject.
func loopbackMBps(b *testing.B, size int) float64 {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	done := make(chan time.Time, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- time.Now()
			return
		}
		buf := make([]byte, bigBuf)
		total := 0
		for total < size {
			n, err := c.Read(buf)
			total += n
			if err != nil {
				break
			}
		}
		done <- time.Now()
		c.Close()
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	chunk := make([]byte, flushAt)
	start := time.Now()
	for sent := 0; sent < size; sent += len(chunk) {
		if _, err := c.Write(chunk[:min(len(chunk), size-sent)]); err != nil {
			b.Fatal(err)
		}
	}
	end := <-done
	return float64(size) / end.Sub(start).Seconds() / 1e6
}

// BenchmarkInjectDiscard isolates the injector: the same 1,000,000 IPv4
// prefixes, 500 per UPDATE, sent to a minimal receiver that completes
// the handshake and then only reads (into a bigBuf buffer, like the
// sink and the loopback reference) and discards, counting octets and
// messages from the length fields. Metrics: prefixes/s and MB/s from
// the first UPDATE to the End-of-RIB's last octet, against the plain
// loopback copy measured the same way.
//
//	go test -run '^$' -bench InjectDiscard -benchtime 3x ./testpeer/
func BenchmarkInjectDiscard(b *testing.B) {
	const count, per = 1_000_000, 500
	var secs, octets float64
	for b.Loop() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		done := make(chan discardResult, 1)
		go discardReceiver(ln, count/per+1, done)
		ic := DefaultConfig()
		ic.Mode, ic.Dial, ic.ASN, ic.Quiet, ic.Timeout = ModeInject, ln.Addr().String(), 65001, true, time.Minute
		ic.Inject.Count, ic.Inject.PerUpdate = count, per
		inj, err := New(ic, io.Discard, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		if err := inj.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
		r := <-done
		ln.Close()
		if r.err != nil {
			b.Fatal(r.err)
		}
		secs += r.last.Sub(inj.inject.first).Seconds()
		octets = float64(r.octets)
	}
	n := float64(b.N)
	b.ReportMetric(count*n/secs, "prefixes/s")
	b.ReportMetric(octets*n/secs/1e6, "MB/s")
	b.ReportMetric(loopbackMBps(b, max(int(octets), 64<<20)), "loopback-MB/s")
}

// discardResult is what discardReceiver saw after the handshake.
type discardResult struct {
	octets, msgs int64
	last         time.Time // when the last awaited message was whole
	err          error
}

// discardReceiver accepts one connection, answers the OPEN with an OPEN
// and a KEEPALIVE, reads the KEEPALIVE, then reads and discards until
// want more messages arrived (each counted from its header's length
// field, a header split between two reads included) and the peer
// closes; one minute at most.
func discardReceiver(ln net.Listener, want int64, done chan<- discardResult) {
	var r discardResult
	defer func() { done <- r }()
	c, err := ln.Accept()
	if err != nil {
		r.err = err
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute)) //nolint:errcheck
	var hdr [wire.HeaderLen]byte
	readMsg := func() (wire.Type, error) {
		if _, err := io.ReadFull(c, hdr[:]); err != nil {
			return 0, err
		}
		body := int(binary.BigEndian.Uint16(hdr[wire.MarkerLen:])) - wire.HeaderLen
		if body < 0 {
			return 0, fmt.Errorf("bad length")
		}
		_, err := io.CopyN(io.Discard, c, int64(body))
		return wire.Type(hdr[18]), err
	}
	if t, err := readMsg(); err != nil || t != wire.TypeOpen {
		r.err = fmt.Errorf("expected OPEN: %v %v", t, err)
		return
	}
	cfg := DefaultConfig()
	out := append(cfg.openMessage(65002, netip.MustParseAddr("127.0.0.1")), keepaliveMsg...)
	if _, err := c.Write(out); err != nil {
		r.err = err
		return
	}
	if t, err := readMsg(); err != nil || t != wire.TypeKeepalive {
		r.err = fmt.Errorf("expected KEEPALIVE: %v %v", t, err)
		return
	}
	buf := make([]byte, bigBuf)
	need, hn := 0, 0 // octets left of the current message; header octets gathered
	for {
		n, err := c.Read(buf)
		r.octets += int64(n)
		for p := buf[:n]; len(p) > 0; {
			if need > 0 {
				k := min(need, len(p))
				need -= k
				p = p[k:]
				if need == 0 && r.msgs == want {
					r.last = time.Now()
				}
				continue
			}
			k := copy(hdr[hn:], p)
			hn += k
			p = p[k:]
			if hn < wire.HeaderLen {
				break
			}
			hn = 0
			r.msgs++
			need = int(binary.BigEndian.Uint16(hdr[wire.MarkerLen:])) - wire.HeaderLen
			if need < 0 {
				r.err = fmt.Errorf("bad length after %d messages", r.msgs)
				return
			}
			if need == 0 && r.msgs == want {
				r.last = time.Now()
			}
		}
		if err != nil {
			if r.msgs < want {
				r.err = fmt.Errorf("%d of %d messages: %v", r.msgs, want, err)
			}
			return
		}
	}
}
