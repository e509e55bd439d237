package testpeer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
	"github.com/ze-bgp/ze/speaker/zejson"
)

// state is where a session is in its (deliberately small) life: the
// test peer does not reuse the speaker's FSM, so that it checks the
// speaker independently.
type state uint8

const (
	stateOpenWait    state = iota // connected, no OPEN from the remote yet
	stateOpenConfirm              // OPENs exchanged, waiting for the KEEPALIVE
	stateEstablished
	stateFailed // the handshake failed (check mode keeps reading)
)

// openHold is the hold time before the remote OPEN arrives (RFC 4271 §8
// suggests 4 minutes in OpenSent).
const openHold = 4 * time.Minute

// keepaliveMsg is a KEEPALIVE (RFC 4271 §4.4).
var keepaliveMsg = wire.AppendKeepalive(nil)

// session is one BGP connection of the test peer. Its reader goroutine
// (readLoop) runs the handshake and the mode's per-message work; check
// and inject modes drive it from a second goroutine.
type session struct {
	p      *Peer
	cfg    *Config
	id     int // connection number, from 0
	conn   net.Conn
	local  netip.AddrPort
	remote netip.AddrPort
	name   string // remote ADDR:PORT, for reports
	manual bool   // the script drives the handshake

	wmu sync.Mutex // serialises writes

	mu         sync.Mutex // guards what follows
	state      state
	asn        uint32 // local AS (learnt when Config.ASN is 0)
	localOpen  []byte
	remoteOpen []byte
	localSet   capability.Set
	remoteSet  capability.Set
	remoteASN  uint32
	remoteID   netip.Addr
	recvCtx    wire.Context
	sendCtx    wire.Context
	negotiated bool
	kaSent     bool               // our KEEPALIVE answered the remote OPEN
	recvNotif  *wire.Notification // check mode: the last NOTIFICATION received
	hold       time.Duration
	kaTimer    *time.Timer
	closing    bool
	end        *ending

	ready       chan struct{} // Established, or the handshake is over without it
	readyOnce   sync.Once
	established chan struct{}
	estOnce     sync.Once
	done        chan struct{} // the reader has stopped

	counts counters
	queue  *queue       // check mode
	back   *backCounter // the inject --expect-back session

	// Reader-owned.
	rb       readBuf
	readAt   time.Time
	lastRecv time.Time
	rdl      time.Time // read deadline currently set
	rctx     wire.Context
	rctxSet  bool   // rctx is the negotiated receive context (it no longer changes)
	index    int    // messages received
	dec      []byte // decode output buffer
	lastItem *item
}

func newSession(p *Peer, id int, conn net.Conn) *session {
	s := &session{
		p:           p,
		cfg:         &p.cfg,
		id:          id,
		conn:        conn,
		ready:       make(chan struct{}),
		established: make(chan struct{}),
		done:        make(chan struct{}),
		asn:         p.cfg.ASN,
	}
	s.local = addrPort(conn.LocalAddr())
	s.remote = addrPort(conn.RemoteAddr())
	s.name = s.remote.String()
	s.counts.init()
	if p.cfg.Mode == ModeCheck {
		s.queue = newQueue()
	}
	return s
}

func addrPort(a net.Addr) netip.AddrPort {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.AddrPort()
	}
	ap, _ := netip.ParseAddrPort(a.String())
	return ap
}

// start sends our OPEN (unless the script drives the handshake or the
// AS is to be learnt) and starts the reader.
func (s *session) start() {
	s.lastRecv = time.Now()
	s.readAt = s.lastRecv
	if !s.manual && s.asn != 0 {
		if err := s.sendOpen(); err != nil {
			s.finish(&ending{text: "sending OPEN: " + err.Error(), failed: true})
			s.closeConn()
			close(s.done)
			return
		}
	}
	go s.readLoop()
}

// sendOpen builds and sends our OPEN, and negotiates when the remote one
// is already known.
func (s *session) sendOpen() error {
	s.mu.Lock()
	msg := s.cfg.openMessage(s.asn, s.local.Addr())
	s.localOpen = msg
	s.localSet, _, _ = openSet(msg)
	s.negotiateLocked()
	s.mu.Unlock()
	return s.write(msg)
}

// negotiateLocked computes the contexts and hold time once both OPENs
// are known, and starts the keepalives.
func (s *session) negotiateLocked() {
	if s.negotiated || s.localOpen == nil || s.remoteOpen == nil {
		return
	}
	s.recvCtx, s.sendCtx = capability.Negotiate(s.localSet, s.remoteSet)
	s.negotiated = true
	var local uint16
	if _, o, ok := openSet(s.localOpen); ok || len(o.Raw) > 0 {
		local = o.HoldTime
	}
	remote := uint16(0)
	if o, err := message.ParseOpen(s.remoteOpen); err == nil {
		remote = o.HoldTime
	}
	h := min(local, remote) // RFC 4271 §4.2: the smaller of the two
	s.hold = time.Duration(h) * time.Second
	if s.hold > 0 && s.kaTimer == nil && !s.closing {
		s.kaTimer = time.AfterFunc(s.hold/3, s.keepalive)
	}
}

// keepalive sends a KEEPALIVE every hold/3 (RFC 4271 §10).
func (s *session) keepalive() {
	if s.write(keepaliveMsg) != nil {
		return
	}
	s.mu.Lock()
	if !s.closing && s.kaTimer != nil {
		s.kaTimer.Reset(s.hold / 3)
	}
	s.mu.Unlock()
}

// contexts returns the receive and send contexts.
func (s *session) contexts() (recv, send wire.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recvCtx, s.sendCtx
}

// recvContext is contexts' receive context for the reader goroutine:
// once negotiated it never changes, so the reader keeps a copy and stops
// taking the lock for every message.
func (s *session) recvContext() wire.Context {
	if s.rctxSet {
		return s.rctx
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rctx, s.rctxSet = s.recvCtx, s.negotiated
	return s.rctx
}

// write sends b whole. Writes have a deadline so that a peer that stops
// reading cannot hang the test peer (RFC 9687 send hold timer in spirit).
func (s *session) write(b []byte) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.writeLocked(b)
}

// writeLocked is write with s.wmu held.
func (s *session) writeLocked(b []byte) error {
	if s.isClosing() {
		return net.ErrClosed
	}
	d := 60 * time.Second
	if h := 2 * s.holdTime(); h > d {
		d = h
	}
	s.conn.SetWriteDeadline(time.Now().Add(d)) //nolint:errcheck // a closed conn fails the write
	_, err := s.conn.Write(b)
	return err
}

// sendHandshakeKeepalive sends the KEEPALIVE that answers the remote
// OPEN and marks it sent (kaSent) before the write lock is released. A
// reflected UPDATE (forward) holds the same lock while it checks
// canForward and writes, so it either comes after the KEEPALIVE and sees
// the flag, or before it and is not sent: an UPDATE the remote sent
// after it read our KEEPALIVE is never skipped for this session, and
// nothing forwarded overtakes the KEEPALIVE.
func (s *session) sendHandshakeKeepalive() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.writeLocked(keepaliveMsg); err != nil {
		return err
	}
	s.mu.Lock()
	s.kaSent = true
	s.mu.Unlock()
	return nil
}

// forward writes an UPDATE received with context recv when s can take
// it: canForward and an equal send context, checked under the write lock
// (see sendHandshakeKeepalive). It reports whether msg was written.
func (s *session) forward(msg []byte, recv wire.Context) bool {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if !s.canForward() {
		return false
	}
	if _, send := s.contexts(); send != recv {
		return false
	}
	return s.writeLocked(msg) == nil
}

func (s *session) holdTime() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hold
}

// notify sends a NOTIFICATION (best effort, one second at most); the
// connection is to be closed after it (RFC 4271 §4.5), so the session
// counts as closing from now on.
func (s *session) notify(n wire.Notification) {
	msg := wire.AppendNotification(nil, n)
	s.mu.Lock()
	s.closing = true // no other write starts from now on
	s.mu.Unlock()
	// A write stuck on a remote that does not read gives up within a
	// second, and this one must be done by then too.
	deadline := time.Now().Add(time.Second)
	s.conn.SetWriteDeadline(deadline) //nolint:errcheck
	s.wmu.Lock()
	s.conn.SetWriteDeadline(deadline) //nolint:errcheck
	s.conn.Write(msg)                 //nolint:errcheck // best effort before closing
	s.wmu.Unlock()
}

// closeConn closes the connection (once); the reader then stops.
func (s *session) closeConn() {
	s.mu.Lock()
	s.closing = true
	if s.kaTimer != nil {
		s.kaTimer.Stop()
	}
	s.mu.Unlock()
	s.conn.Close()
}

// isClosing reports whether we closed (or are closing) the connection.
func (s *session) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// shutdown ends the session politely: Cease / Administrative Shutdown
// with an RFC 9003 communication, then close.
func (s *session) shutdown(text string) {
	if s.isClosing() {
		return
	}
	s.notify(wire.Notification{Code: wire.CodeCease, Subcode: wire.SubAdministrativeShutdown,
		Data: wire.AppendCommunication(nil, text)})
	s.closeConn()
}

// ending says why a session stopped.
type ending struct {
	text   string             // one line, for the `closed` event
	failed bool               // counts as a failure of the run
	detail string             // indented lines for stderr (hex, json)
	sent   *wire.Notification // what we sent, if anything
	recv   *wire.Notification // what the remote sent, if anything
}

// eventText is the ending as the `closed` event says it.
func (e *ending) eventText() string {
	if e.sent != nil {
		return e.text + "; sent notification " + notificationText(*e.sent)
	}
	return e.text
}

// finish records the first ending and prints it.
func (s *session) finish(e *ending) {
	s.mu.Lock()
	if s.end != nil {
		s.mu.Unlock()
		return
	}
	s.end = e
	s.mu.Unlock()
	s.markReady()
	text := e.eventText()
	s.p.out.event("closed %s: %s", s.name, text)
	if e.failed && s.queue == nil {
		s.p.failures.Add(1)
		s.p.out.problem(fmt.Sprintf("error %s: %s\n%s", s.name, text, e.detail))
	}
}

func (s *session) markReady() { s.readyOnce.Do(func() { close(s.ready) }) }

func (s *session) setEstablished() {
	s.mu.Lock()
	s.state = stateEstablished
	asn, id, hold := s.remoteASN, s.remoteID, s.hold
	s.mu.Unlock()
	s.estOnce.Do(func() {
		close(s.established)
		s.p.established.Add(1)
		s.p.out.event("established %s asn %d router-id %s hold-time %d", s.name, asn, id, hold/time.Second)
	})
	s.markReady()
}

// readLoop reads messages until the connection ends.
func (s *session) readLoop() {
	defer close(s.done)
	defer s.rb.release()
	for {
		msg, err := s.readMessage()
		if err != nil {
			s.readFailed(err)
			return
		}
		s.index++
		typ := wire.Type(msg[18])
		s.counts.seen(typ, len(msg))
		recv := s.recvContext()
		if s.cfg.Decode {
			s.decode(msg, recv)
		}
		if s.queue != nil {
			// The handshake may annotate the item: push it afterwards.
			s.lastItem = newMessageItem(msg, recv, s.index)
		}
		e := s.receive(msg, typ, recv)
		if s.queue != nil {
			s.queue.push(s.lastItem)
		}
		if e != nil {
			s.finish(e)
			if s.queue != nil {
				s.queue.pushEnd(e.eventText(), false)
			}
			s.closeConn()
			return
		}
	}
}

// decode prints msg as one ze JSON (or text) line.
func (s *session) decode(msg []byte, ctx wire.Context) {
	m := zejson.Meta{Index: s.index, Stream: s.id, Src: s.remote, Dst: s.local, Time: s.readAt}
	if s.cfg.DecodeText {
		s.dec, _ = textAppend(s.dec[:0], msg, ctx, m)
	} else {
		s.dec, _ = zejson.AppendMessage(s.dec[:0], msg, ctx, m)
		s.dec = append(s.dec, '\n')
	}
	s.p.out.write(s.p.out.stdout, s.dec)
}

// readFailed turns a read error into the session's ending.
func (s *session) readFailed(err error) {
	recv, _ := s.contexts()
	var fe *frameError
	switch {
	case s.isClosing():
		if s.queue != nil {
			s.queue.pushEnd("closed by the test peer", false)
		}
		s.finish(&ending{text: "closed by the test peer"})
	case errors.As(err, &fe):
		s.countUnframed(fe)
		e := &ending{text: "malformed message: " + fe.err.Msg, failed: true, detail: describeReceived(fe.data, recv)}
		if s.queue != nil && s.manual {
			// The script decides; it sees when the remote closes.
			s.queue.pushMalformed(fe.data, recv, s.index+1, fe.err, nil)
			s.drain()
			return
		}
		n := wire.NotificationFor(fe.err)
		e.sent = &n
		s.notify(n)
		if s.queue != nil {
			s.queue.pushMalformed(fe.data, recv, s.index+1, fe.err, &n)
		}
		s.finish(e)
		if s.queue != nil {
			s.queue.pushEnd(e.eventText(), false)
		}
	case errors.Is(err, os.ErrDeadlineExceeded):
		// RFC 4271 §6.5: Hold Timer Expired.
		n := wire.Notification{Code: wire.CodeHoldTimer}
		s.notify(n)
		e := &ending{text: fmt.Sprintf("hold timer expired (%s without a message)", time.Since(s.lastRecv).Round(time.Millisecond)), failed: true, sent: &n}
		if s.queue != nil {
			s.queue.pushEnd(e.eventText(), false)
		}
		s.finish(e)
	default:
		var partial []byte
		if b := s.rb.pending(); len(b) > 0 {
			partial = append(partial, b...)
		}
		e := &ending{text: "the remote closed the connection"}
		s.mu.Lock()
		if n := s.recvNotif; n != nil {
			// Check mode: the NOTIFICATION (RFC 4271 §4.5) said why.
			e.text, e.recv = "the remote sent notification "+notificationText(*n), n
		}
		s.mu.Unlock()
		if !isEOF(err) {
			e.text, e.failed = "read: "+err.Error(), true
		}
		if len(partial) > 0 {
			e.text = fmt.Sprintf("the remote closed the connection in the middle of a message (%d octets of it arrived)", len(partial))
			e.failed, e.detail = true, describeReceived(partial, recv)
		}
		if s.queue != nil {
			if len(partial) > 0 {
				s.queue.pushMalformed(partial, recv, s.index+1,
					wire.Errorf(wire.CodeHeader, wire.SubBadMessageLength, nil, "testpeer: connection closed after %d octets of a message", len(partial)), nil)
			}
			s.queue.pushEnd(e.text, true)
		}
		s.finish(e)
	}
	s.closeConn()
}

// countUnframed counts a message refused at framing whose header is
// whole and only its type is unknown (RFC 4271 §6.1 Bad Message Type):
// it is a message, of an unknown type.
func (s *session) countUnframed(fe *frameError) {
	if fe.err.Code != wire.CodeHeader || fe.err.Subcode != wire.SubBadMessageType || len(fe.data) < wire.HeaderLen {
		return
	}
	n := min(int(binary.BigEndian.Uint16(fe.data[wire.MarkerLen:])), len(fe.data))
	s.counts.seen(wire.Type(fe.data[18]), n)
}

// drain keeps reading (and discarding) after the stream lost its framing
// in check mode, only to see when the remote closes.
func (s *session) drain() {
	var b [512]byte
	s.conn.SetReadDeadline(time.Time{}) //nolint:errcheck
	for {
		if _, err := s.conn.Read(b[:]); err != nil {
			if !s.isClosing() {
				s.queue.pushEnd("the remote closed the connection", true)
			} else {
				s.queue.pushEnd("closed by the test peer", false)
			}
			return
		}
	}
}

func isEOF(err error) bool {
	return errors.Is(err, io.EOF)
}
