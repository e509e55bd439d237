//go:build interop

package exabgp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/wire"
)

// daemon is a running ExaBGP.
type daemon struct {
	cmd      *exec.Cmd
	out      string // the process API output file
	log      string // ExaBGP's own log
	port     int
	done     chan error
	stopOnce sync.Once
}

// startDaemon writes the configuration for sessions and starts ExaBGP
// in the foreground.
func startDaemon(t *testing.T, bin string, sessions []*session) *daemon {
	dir := workDir(t)
	l, err := net.Listen("tcp", confAddress+":0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	d := &daemon{out: filepath.Join(dir, "api.jsonl"), log: filepath.Join(dir, "exabgp.log"), port: port, done: make(chan error, 1)}
	script := filepath.Join(dir, "watch.sh")
	// No exec: the shell keeps the pipe ExaBGP reads commands from open
	// (ExaBGP restarts a process whose stdout closes).
	if err := os.WriteFile(script, []byte("#!/bin/sh\ncat >> "+d.out+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var conf strings.Builder
	fmt.Fprintf(&conf, "process watch {\n    run %s;\n    encoder json;\n}\n\n", script)
	for _, s := range sessions {
		conf.WriteString(s.neighborConf(port))
	}
	confFile := filepath.Join(dir, "exabgp.conf")
	if err := os.WriteFile(confFile, []byte(conf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(d.log)
	if err != nil {
		t.Fatal(err)
	}
	d.cmd = exec.Command(bin, confFile)
	d.cmd.Dir = dir
	d.cmd.Env = append(os.Environ(),
		"exabgp_daemon_drop=false", "exabgp_daemon_daemonize=false",
		"exabgp_api_ack=false", "exabgp_api_cli=false",
		"exabgp_log_destination=stdout", "exabgp_log_level=INFO",
		"exabgp_tcp_bind="+confAddress, fmt.Sprintf("exabgp_tcp_port=%d", port))
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.done <- d.cmd.Wait(); logf.Close() }()
	t.Cleanup(d.stop)
	return d
}

// stop ends the ExaBGP this test started (by its PID): SIGINT, then
// SIGKILL after 5 s.
func (d *daemon) stop() {
	d.stopOnce.Do(func() {
		_ = d.cmd.Process.Signal(os.Interrupt)
		select {
		case <-d.done:
		case <-time.After(5 * time.Second):
			_ = d.cmd.Process.Kill()
			<-d.done
		}
	})
}

func (d *daemon) logTail() string {
	b, _ := os.ReadFile(d.log)
	return tail(string(b))
}

// dial connects from s.peer to ExaBGP, retrying while it starts.
func (d *daemon) dial(ctx context.Context, s *session) (net.Conn, error) {
	dialer := net.Dialer{LocalAddr: &net.TCPAddr{IP: s.peer.AsSlice()}, Timeout: 2 * time.Second}
	for {
		c, err := dialer.DialContext(ctx, "tcp", fmt.Sprintf("%s:%d", confAddress, d.port))
		if err == nil {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connecting to exabgp: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// play runs s: it sends the sender's OPEN, waits for ExaBGP's, then
// sends the rest, stopping when ExaBGP ends the session. The connection
// stays open (ExaBGP may still be reading): close it with s.close once
// ExaBGP printed everything.
func (d *daemon) play(ctx context.Context, s *session) error {
	c, err := d.dial(ctx, s)
	if err != nil {
		return err
	}
	s.conn = c
	s.done = make(chan struct{})
	opened := make(chan struct{})
	go s.read(opened)
	for i, it := range s.msgs {
		if s.end() != "" {
			break
		}
		c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write(it.data); err != nil {
			s.setEnd("write: " + err.Error())
			break
		}
		s.sent++
		if i == 0 { // ExaBGP's OPEN (or its refusal) first
			select {
			case <-opened:
			case <-time.After(10 * time.Second):
				return fmt.Errorf("no OPEN from exabgp: %s", d.logTail())
			}
		}
	}
	return nil
}

// read consumes what ExaBGP sends: its OPEN (closing opened), then
// anything until it sends a NOTIFICATION or closes, which end s.
func (s *session) read(opened chan struct{}) {
	defer close(s.done)
	once := sync.OnceFunc(func() { close(opened) })
	defer once()
	r := bufio.NewReader(s.conn)
	for {
		hdr := make([]byte, wire.HeaderLen)
		if _, err := io.ReadFull(r, hdr); err != nil {
			s.setEnd("ExaBGP closed the connection")
			return
		}
		n := int(hdr[16])<<8 | int(hdr[17])
		if n < wire.HeaderLen {
			s.setEnd(fmt.Sprintf("ExaBGP sent a message of length %d", n))
			return
		}
		msg := append(hdr, make([]byte, n-wire.HeaderLen)...)
		if _, err := io.ReadFull(r, msg[wire.HeaderLen:]); err != nil {
			s.setEnd("ExaBGP closed the connection")
			return
		}
		switch wire.Type(msg[18]) {
		case wire.TypeOpen:
			s.mu.Lock()
			if s.exaOpen == nil {
				s.exaOpen = msg
			}
			s.mu.Unlock()
			once()
		case wire.TypeNotification:
			s.setEnd(fmt.Sprintf("ExaBGP sent NOTIFICATION %X", msg[19:]))
			once()
		}
	}
}

func (s *session) setEnd(why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended == "" {
		s.ended = why
	}
}

func (s *session) end() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ended
}

// close closes the connection and waits for the reader.
func (s *session) close() {
	if s.conn != nil {
		s.conn.Close()
		<-s.done
	}
}

// apiLine is one JSON object ExaBGP's API printed.
type apiLine struct {
	peer, typ, json string
	state           string // for "state" objects: "connected", "up", "down"
}

var (
	rePeer  = regexp.MustCompile(`"peer": "([^"]+)"`)
	reType  = regexp.MustCompile(`"type": "([a-z-]+)"`)
	reState = regexp.MustCompile(`"state": "([a-z]+)"`)
)

// readAPI parses the process API output, one object per line.
func readAPI(path string) ([]apiLine, error) {
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var out []apiLine
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		var l apiLine
		l.json = line
		if m := rePeer.FindStringSubmatch(line); m != nil {
			l.peer = m[1]
		}
		if m := reType.FindStringSubmatch(line); m != nil {
			l.typ = m[1]
		}
		if m := reState.FindStringSubmatch(line); m != nil {
			l.state = m[1]
		}
		out = append(out, l)
	}
	return out, nil
}

// waitAPI waits until ExaBGP printed a "down" state for every session that
// ended and every message sent, or until the timeout.
func waitAPI(path string, sessions []*session, timeout time.Duration) []apiLine {
	stop := time.Now().Add(timeout)
	for {
		lines, _ := readAPI(path)
		if time.Now().After(stop) || complete(lines, sessions) {
			return lines
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func complete(lines []apiLine, sessions []*session) bool {
	msgs := map[string]int{}
	down := map[string]bool{}
	for _, l := range lines {
		switch {
		case l.typ == "state" && l.state == "down":
			down[l.peer] = true
		case l.typ != "state":
			msgs[l.peer]++
		}
	}
	for _, s := range sessions {
		p := s.peer.String()
		if !down[p] && msgs[p] < s.sent {
			return false
		}
	}
	return true
}
