package control

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Limits of the server.
const (
	MaxClients   = 16               // connections served at once; more are answered an error and closed
	IdleTimeout  = 10 * time.Minute // a connection without a request for this long is closed
	WriteTimeout = 10 * time.Second // an answer not taken by the client within this is dropped with the connection
)

// DefaultSocket returns the control socket path used when neither the
// configuration (environment { control { socket PATH; } }) nor `ze
// --control` names one: /run/ze/ze.sock for root, else
// $XDG_RUNTIME_DIR/ze.sock, else ze-UID/ze.sock in the temporary
// directory.
func DefaultSocket() string {
	if os.Geteuid() == 0 {
		return "/run/ze/ze.sock"
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "ze.sock")
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("ze-%d", os.Geteuid()), "ze.sock")
}

// ErrInUse is returned by Listen when a live server answers on the path.
var ErrInUse = errors.New("control: socket in use by a running daemon")

// Listen creates the unix socket at path, mode 0600, its directory
// (mode 0700) when missing. A socket file left by a daemon that is gone
// is replaced; one a live server answers on is ErrInUse; any other file
// there is an error. Closing the listener removes the file.
func Listen(path string) (net.Listener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("control: %w", err)
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("control: %s exists and is not a socket", path)
		}
		if c, err := net.DialTimeout("unix", path, 500*time.Millisecond); err == nil {
			c.Close()
			return nil, fmt.Errorf("%w: %s", ErrInUse, path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("control: removing a stale socket: %w", err)
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("control: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control: %w", err)
	}
	return ln, nil
}

// Server answers requests on control sockets (see the package doc).
// Create it with NewServer; Serve runs one listener, Close stops all.
type Server struct {
	b   Backend
	log *slog.Logger
	sem chan struct{}

	mu     sync.Mutex
	closed bool
	lns    map[net.Listener]struct{}
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

// NewServer returns a server answering from b; log gets one debug
// record per request and the refused connections (nil: discarded).
func NewServer(b Backend, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{b: b, log: log, sem: make(chan struct{}, MaxClients),
		lns: map[net.Listener]struct{}{}, conns: map[net.Conn]struct{}{}}
}

// Serve accepts connections on ln until Close, then returns nil (an
// accept error it cannot wait out is returned, ln closed).
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.lns[ln] = struct{}{}
	s.mu.Unlock()
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed || errors.Is(err, net.ErrClosed) {
				return nil
			}
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.log.Warn("control: accept failed", "err", err)
			time.Sleep(delay)
			continue
		}
		delay = 0
		select {
		case s.sem <- struct{}{}:
		default:
			s.log.Warn("control: too many clients", "max", MaxClients)
			c.SetWriteDeadline(time.Now().Add(time.Second))
			c.Write(AppendFrame(nil, nil, fmt.Errorf("too many clients (%d)", MaxClients)))
			c.Close()
			continue
		}
		if !s.track(c, true) {
			<-s.sem
			c.Close()
			return nil
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serve(c)
			// The slot is free before the client sees its connection
			// close: one that reconnects at once is not refused.
			s.track(c, false)
			<-s.sem
			c.Close()
		}()
	}
}

// track adds (or removes) a connection; it reports false once closed.
func (s *Server) track(c net.Conn, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !add {
		delete(s.conns, c)
		return true
	}
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

// Close stops every Serve, closes every connection and waits for their
// goroutines.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	for ln := range s.lns {
		ln.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// serve answers the requests of one connection.
func (s *Server) serve(c net.Conn) {
	r := bufio.NewReaderSize(c, MaxLine+2)
	var out []byte
	for {
		c.SetReadDeadline(time.Now().Add(IdleTimeout))
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			s.answer(c, out[:0], nil, fmt.Errorf("request longer than %d octets", MaxLine))
			return
		}
		if err != nil && (len(line) == 0 || err != io.EOF) {
			return
		}
		req := strings.TrimRight(string(line), "\r\n")
		if strings.TrimSpace(req) == "" {
			if err != nil {
				return
			}
			continue
		}
		start := time.Now()
		body, xerr := Execute(s.b, req)
		s.log.Debug("control request", "request", req, "took", time.Since(start), "err", xerr)
		if out = s.answer(c, out[:0], body, xerr); out == nil || err != nil {
			return
		}
	}
}

// answer writes one framed answer within WriteTimeout; it returns the
// buffer for reuse, nil when the write failed.
func (s *Server) answer(c net.Conn, buf, body []byte, err error) []byte {
	buf = AppendFrame(buf, body, err)
	c.SetWriteDeadline(time.Now().Add(WriteTimeout))
	if _, werr := c.Write(buf); werr != nil {
		s.log.Debug("control: client gone", "err", werr)
		return nil
	}
	return buf
}

// AppendFrame appends an answer as sent on the socket: the body's
// lines, dot-stuffed, then ".ok" or ".error MESSAGE" (the error's text
// on one line, without a "control: " prefix).
func AppendFrame(dst, body []byte, err error) []byte {
	for len(body) > 0 {
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		if len(line) > 0 && line[0] == '.' {
			dst = append(dst, '.')
		}
		dst = append(append(dst, line...), '\n')
	}
	if err == nil {
		return append(dst, ".ok\n"...)
	}
	msg := strings.TrimPrefix(err.Error(), "control: ")
	msg = strings.Join(strings.Fields(strings.ReplaceAll(msg, "\n", "; ")), " ")
	return append(append(append(dst, ".error "...), msg...), '\n')
}
