package peer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/tcpsig"
	"github.com/ze-bgp/ze/speaker/wire"
)

// conn is one TCP connection: a read goroutine that parses and steps
// the Machine, a write goroutine that drains a bounded queue. The
// fields under "s.mu" are guarded by the session's mutex.
type conn struct {
	s   *Session
	l   *link
	nc  net.Conn
	out chan []byte // bounded outgoing queue
	// quit is closed by shutdown: the writer drains what is queued,
	// writes final and closes nc.
	quit   chan struct{}
	maxLen atomic.Int32 // largest message accepted: 4096 until the OPEN negotiated more

	// s.mu
	final     []byte // NOTIFICATION to write last
	reason    error  // why the connection was dropped
	closed    bool
	pendingUp bool // ActionEstablished seen; the reader tells the handler
}

// attach makes nc l's connection and starts its goroutines. Called with
// s.mu held.
func (s *Session) attach(l *link, nc net.Conn, dir fsm.Direction) {
	c := &conn{s: s, l: l, nc: nc, out: make(chan []byte, s.cfg.QueueLen), quit: make(chan struct{})}
	c.maxLen.Store(wire.MaxLen)
	l.c, l.dir = c, dir
	s.log.Info("connected", "connection", dir, "local", nc.LocalAddr().String(), "remote", nc.RemoteAddr().String())
	s.wg.Add(2)
	go c.readLoop()
	go c.writeLoop()
}

// enqueue queues msg without blocking; false when the queue is full or
// the connection is closing. Called with s.mu held.
func (c *conn) enqueue(msg []byte) bool {
	if c.closed {
		return false
	}
	select {
	case c.out <- msg:
		return true
	default:
		return false
	}
}

// shutdown asks the writer to finish: queued messages and the final
// NOTIFICATION get CloseGrace to go out. Called with s.mu held.
func (c *conn) shutdown() {
	if c.closed {
		return
	}
	c.closed = true
	c.nc.SetWriteDeadline(time.Now().Add(c.s.cfg.CloseGrace)) //nolint:errcheck // best effort
	close(c.quit)
}

// dial starts connecting l to the peer (ActionConnect). Called with s.mu
// held.
func (s *Session) dial(l *link) {
	s.cancelDial(l)
	if s.ctx == nil {
		return
	}
	s.dialSeq++
	id := s.dialSeq
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.ConnectTimeout)
	l.dialID, l.dialCancel = id, cancel
	var d net.Dialer
	if o := s.sockOpts(s.cfg.Remote.Addr()); o != (tcpsig.Options{}) {
		d.Control = o.Control // before bind and connect: the SYN is signed, with the TTL
	}
	if s.cfg.Local.IsValid() {
		d.LocalAddr = &net.TCPAddr{IP: s.cfg.Local.AsSlice(), Zone: s.cfg.Local.Zone()}
	}
	s.ctr.connects.Add(1)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		var before tcpsig.KernelStats
		if s.protected() {
			before, _ = tcpsig.ReadKernelStats()
		}
		nc, err := d.DialContext(ctx, "tcp", s.cfg.Remote.String())
		cancel()
		if err != nil && s.protected() {
			// RFC 2385 and RFC 5082 drops are silent: say what the
			// kernel counted while this attempt ran.
			if after, kerr := tcpsig.ReadKernelStats(); kerr == nil {
				err = &protectedError{err: err, drops: after.Sub(before), md5: s.cfg.MD5Password != "", gtsm: s.cfg.GTSM}
			}
		}
		s.dialed(l, id, nc, err)
	}()
}

// protectedError is a failed connection attempt of a session with TCP
// MD5 or GTSM, with the kernel's drop counters of the attempt.
type protectedError struct {
	err   error
	drops tcpsig.KernelStats
	md5   bool
	gtsm  uint8
}

func (e *protectedError) Error() string {
	var what []string
	if e.md5 {
		what = append(what, "TCP MD5")
	}
	if e.gtsm != 0 {
		what = append(what, fmt.Sprintf("GTSM (minimum TTL %d)", tcpsig.MinTTL(e.gtsm)))
	}
	return fmt.Sprintf("%v (%s configured: a key or TTL mismatch is dropped silently; kernel drops meanwhile in this network namespace: %v)",
		e.err, strings.Join(what, " and "), e.drops)
}

func (e *protectedError) Unwrap() error { return e.err }

// protected tells whether the session uses TCP MD5 or GTSM.
func (s *Session) protected() bool { return s.cfg.MD5Password != "" || s.cfg.GTSM != 0 }

// sockOpts are the socket options of the session's connections with
// peer (the remote address).
func (s *Session) sockOpts(peer netip.Addr) tcpsig.Options {
	return tcpsig.Options{Peer: peer, MD5Key: s.cfg.MD5Password, GTSM: s.cfg.GTSM, TTL: s.cfg.TTL}
}

// secure sets the session's socket options on an accepted connection:
// the MD5 key (the listener's must have let the handshake through; set
// again, it cuts off a peer that does not sign), the GTSM minimum TTL
// and the TTL, or the system default TTL back when the session has none
// (a listener may send with 255 for GTSM peers). A connection without a
// socket (net.Pipe) passes only when nothing is configured.
func (s *Session) secure(nc net.Conn) error {
	o := s.sockOpts(addrOf(nc.RemoteAddr()))
	sc, ok := nc.(syscall.Conn)
	if !ok {
		if o != (tcpsig.Options{Peer: o.Peer}) {
			return tcpsig.ErrNoSocket
		}
		return nil
	}
	err := o.Apply(sc)
	if err != nil && o == (tcpsig.Options{Peer: o.Peer}) {
		// Only the default TTL back: not worth refusing the peer.
		s.log.Debug("resetting the TTL of an accepted connection", "error", err)
		return nil
	}
	return err
}

// dialed reports a connection attempt's outcome to the Machine that
// asked for it: TCPCRAcked or TCPConnectionFails. When that Machine has
// meanwhile taken an incoming connection, a successful attempt becomes
// the second connection (RFC 4271 §6.8) and a failed one is forgotten.
func (s *Session) dialed(l *link, id uint64, nc net.Conn, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.dialID != id || s.stopping {
		if nc != nil {
			nc.Close()
		}
		var pe *protectedError
		if errors.As(err, &pe) && !s.stopping {
			// Superseded by the next attempt (ConnectRetryTimer), but
			// the drop counters may be the only clue: say it.
			s.log.Info("connect attempt abandoned", "error", err)
		}
		return
	}
	l.dialID, l.dialCancel = 0, nil
	switch {
	case err != nil:
		s.ctr.connectFails.Add(1)
		s.log.Info("connect failed", "error", err)
		if l.c == nil {
			s.step(l, fsm.Input{Event: fsm.TCPConnectionFails}, err)
		}
	case l.c == nil:
		s.attach(l, nc, fsm.Outgoing)
		s.step(l, fsm.Input{Event: fsm.TCPCRAcked}, nil)
	case s.extra == nil && l == s.main:
		s.extra = s.startExtra(fsm.Outgoing)
		s.attach(s.extra, nc, fsm.Outgoing)
		s.step(s.extra, fsm.Input{Event: fsm.TCPCRAcked}, nil)
	default:
		nc.Close()
	}
}

// cancelDial abandons l's pending connection attempt. Called with s.mu
// held.
func (s *Session) cancelDial(l *link) {
	if l.dialCancel != nil {
		l.dialCancel()
	}
	l.dialID, l.dialCancel = 0, nil
}

// writeLoop writes queued messages, telling the Machine once per write
// (fsm.Machine.Sent: KeepaliveTimer and RFC 9687 SendHoldTimer), until
// shutdown; then it drains the queue, writes the final NOTIFICATION and
// closes the connection. What is queued when it wakes goes out in one
// writev (batch.go): a burst of small UPDATEs costs one system call per
// batch, not per message.
func (c *conn) writeLoop() {
	defer c.s.wg.Done()
	defer c.nc.Close()
	var b batch
	for {
		select {
		case <-c.quit:
			c.finish(&b)
			return
		case msg := <-c.out:
			b.gather(msg, c.out)
			if err := c.writeBatch(&b); err != nil {
				c.s.connFailed(c, err)
				return
			}
			c.s.sent(c)
		}
	}
}

// finish writes what is still queued, then the final NOTIFICATION,
// within the write deadline shutdown set.
func (c *conn) finish(b *batch) {
	for {
		select {
		case msg := <-c.out:
			b.gather(msg, c.out)
			if c.writeBatch(b) != nil {
				return
			}
			continue
		default:
		}
		break
	}
	if c.final != nil { // set before quit was closed
		c.write(c.final) //nolint:errcheck // the connection closes anyway
	}
}

func (c *conn) write(msg []byte) error {
	if _, err := c.nc.Write(msg); err != nil {
		return err
	}
	c.count(msg)
	return nil
}

// count adds msg to the session's output counters.
func (c *conn) count(msg []byte) {
	if len(msg) >= wire.HeaderLen {
		c.s.ctr.out[typeIndex(wire.Type(msg[18]))].Add(1)
	}
	c.s.ctr.octetsOut.Add(uint64(len(msg)))
}

// sent tells c's Machine that a message went out.
func (s *Session) sent(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := c.l; l.c == c {
		before := l.m.State()
		s.perform(l, 0, before, l.m.Sent(s.clock.Now()), nil)
	}
}

// connFailed reports an I/O error on c: TcpConnectionFails.
func (s *Session) connFailed(c *conn, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := c.l; l.c == c {
		s.step(l, fsm.Input{Event: fsm.TCPConnectionFails}, err)
	}
}

// readLoop reads whole messages and hands each to the session; it ends
// when the connection fails or was dropped, then tells the handler Down
// when it had told it Established.
func (c *conn) readLoop() {
	s := c.s
	defer s.wg.Done()
	r := bufio.NewReaderSize(c.nc, 64<<10)
	buf := make([]byte, wire.MaxExtendedLen)
	up := false
	for {
		msg, err := readMessage(r, buf, int(c.maxLen.Load()))
		if err != nil {
			s.readFailed(c, msg, err)
			break
		}
		if !s.deliver(c, s.receive(c, msg), &up) {
			break
		}
	}
	// The writer closes the connection once the final NOTIFICATION is
	// out; the reader only stops reading.
	if up {
		s.mu.Lock()
		reason := c.reason
		s.mu.Unlock()
		if reason == nil {
			reason = &DownError{Event: fsm.TCPConnectionFails, Err: io.EOF}
		}
		s.log.Info("session down", "reason", reason)
		s.h.Down(s, reason)
	}
}

// readMessage reads one message into buf: the header, checked against
// max (RFC 4271 §6.1, RFC 8654), then the body. On error it returns what
// was read of the message.
func readMessage(r io.Reader, buf []byte, max int) ([]byte, error) {
	if n, err := io.ReadFull(r, buf[:wire.HeaderLen]); err != nil {
		return buf[:n], err
	}
	n, _, err := wire.Header(buf[:wire.HeaderLen], max)
	if err != nil {
		return buf[:wire.HeaderLen], err
	}
	if k, err := io.ReadFull(r, buf[wire.HeaderLen:n]); err != nil {
		return buf[:wire.HeaderLen+k], err
	}
	return buf[:n], nil
}
