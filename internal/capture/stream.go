package capture

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/google/gopacket/layers"

	"github.com/ze-bgp/ze/speaker/wire"
)

// MaxBuffered bounds the out-of-order bytes kept per direction of a TCP
// connection; beyond it, the oldest hole is declared lost (ErrGap).
const MaxBuffered = 1 << 20

// maxHeld bounds the number of out-of-order segments per direction (it
// keeps the sorted insertion cheap).
const maxHeld = 1024

// AckGapDelay is how long (capture time) a hole the peer has already
// acknowledged may wait for its bytes (captures can reorder frames a
// little) before it is declared lost (ErrGap).
const AckGapDelay = time.Second

// reassembler holds the TCP connections of one capture.
type reassembler struct {
	opt   PcapOptions
	fn    func(Message) error
	dirs  map[dirKey]*half
	conns []*conn // by stream number
	index int     // next message index
	frame int     // current frame number (1-based)
	now   time.Time
	atEnd bool // finishing: the input is exhausted

	// Decoding scratch, reused for every frame.
	eth   layers.Ethernet
	dot1q layers.Dot1Q
	loop  layers.Loopback
	ip4   layers.IPv4
	ip6   layers.IPv6
	tcp   layers.TCP
}

type dirKey struct{ src, dst netip.AddrPort }

// conn is one TCP connection: a stream number and its two directions,
// in the order they were first seen.
type conn struct {
	stream int
	dir    [2]*half
}

// half is one direction of a connection.
type half struct {
	src, dst netip.AddrPort
	conn     *conn

	started bool   // next is known
	isn     uint32 // sequence number of the SYN, when hasISN
	hasISN  bool
	next    uint32 // sequence number of the next byte to deliver
	buf     []byte // in-order bytes not yet framed

	pending  []held // out-of-order segments, sorted by seq
	pendingN int    // bytes in pending

	// Resynchronisation: while reason is set, bytes are skipped until a
	// valid header.
	reason  error
	skipped []byte // the first skipped bytes (at most wire.MaxExtendedLen)
	skipN   int    // bytes skipped
	lostN   int    // bytes missing from the capture

	fin    bool
	finSeq uint32
	done   bool // FIN delivered, RST seen, or connection replaced

	ackAhead bool // the peer acknowledged bytes not yet delivered
	ackSeq   uint32
	ackTime  time.Time

	frame int // last frame of this direction
	time  time.Time
}

// held is an out-of-order segment: data (a copy) then lost octets.
type held struct {
	seq  uint32
	data []byte
	lost int
}

func (h held) end() uint32 { return h.seq + uint32(len(h.data)+h.lost) }

// after reports a > b in sequence space (RFC 9293 §3.4, modulo 2^32).
func after(a, b uint32) bool { return int32(a-b) > 0 }

func newReassembler(opt PcapOptions, fn func(Message) error) *reassembler {
	return &reassembler{opt: opt, fn: fn, dirs: make(map[dirKey]*half)}
}

// newConn registers a connection whose first segment goes src→dst.
func (rd *reassembler) newConn(src, dst netip.AddrPort) *half {
	c := &conn{stream: len(rd.conns)}
	a := &half{src: src, dst: dst, conn: c}
	b := &half{src: dst, dst: src, conn: c}
	c.dir = [2]*half{a, b}
	rd.dirs[dirKey{src, dst}] = a
	rd.dirs[dirKey{dst, src}] = b
	rd.conns = append(rd.conns, c)
	return a
}

func (h *half) peer() *half {
	if h.conn.dir[0] == h {
		return h.conn.dir[1]
	}
	return h.conn.dir[0]
}

// fresh reports whether the direction has seen nothing that a new SYN
// would contradict.
func (h *half) fresh() bool { return !h.started && !h.done }

// segment feeds one TCP segment.
func (rd *reassembler) segment(s segment) error {
	h := rd.dirs[dirKey{s.src, s.dst}]
	if h == nil {
		h = rd.newConn(s.src, s.dst)
	} else if s.syn && !(h.hasISN && h.isn == s.seq) && (!h.fresh() || (!s.hasAck && !h.peer().fresh())) {
		// A SYN with a new initial sequence number: the 4-tuple was
		// reused for a new connection (RFC 9293 §3.4.1).
		if err := rd.closeConn(h.conn); err != nil {
			return err
		}
		h = rd.newConn(s.src, s.dst)
	}
	h.frame, h.time = rd.frame, rd.now
	p := h.peer()
	if s.hasAck {
		p.acked(s.ack, rd.now)
	}
	seq := s.seq
	if s.syn {
		if !h.started {
			h.started, h.isn, h.hasISN, h.next = true, s.seq, true, s.seq+1
		}
		seq++ // data on a SYN follows it
	}
	if !h.started && (len(s.data) > 0 || s.lost > 0) {
		// The connection start was not captured: resynchronise on the
		// first valid header.
		h.started, h.next = true, seq
		h.startSkip(ErrMidStream)
	}
	// Older holes first: the peer may have acknowledged bytes that were
	// never captured.
	if err := rd.checkAckGap(h); err != nil {
		return err
	}
	if err := rd.checkAckGap(p); err != nil {
		return err
	}
	if h.started && !h.done {
		if len(s.data) > 0 || s.lost > 0 {
			if err := rd.add(h, seq, s.data, s.lost); err != nil {
				return err
			}
		}
		if s.fin && !h.fin {
			h.fin, h.finSeq = true, seq+uint32(len(s.data)+s.lost)
		}
	}
	if s.rst {
		return rd.flush(h)
	}
	return rd.checkFin(h)
}

// acked records an acknowledgement from the peer of h.
func (h *half) acked(ack uint32, now time.Time) {
	if !h.started || h.done || !after(ack, h.next) {
		h.ackAhead = false
		return
	}
	if h.ackAhead && after(h.ackSeq, h.next) {
		return // the oldest unmet acknowledgement keeps its time
	}
	h.ackAhead, h.ackSeq, h.ackTime = true, ack, now
}

// checkAckGap declares lost the bytes the peer acknowledged more than
// AckGapDelay ago and that were not captured.
func (rd *reassembler) checkAckGap(h *half) error {
	if !h.ackAhead || h.done || rd.now.Sub(h.ackTime) <= AckGapDelay {
		return nil
	}
	h.ackAhead = false
	to := h.ackSeq
	if h.fin && after(to, h.finSeq) {
		to = h.finSeq
	}
	if len(h.pending) > 0 && after(to, h.pending[0].seq) {
		to = h.pending[0].seq
	}
	if !after(to, h.next) {
		return nil
	}
	h.gap(int(to - h.next))
	h.next = to
	if err := rd.drain(h); err != nil {
		return err
	}
	return rd.checkFin(h)
}

// checkFin closes the direction once every byte before its FIN arrived.
func (rd *reassembler) checkFin(h *half) error {
	if h.fin && !h.done && h.started && h.next == h.finSeq && len(h.pending) == 0 {
		h.next++ // the FIN's sequence number
		return rd.flush(h)
	}
	return nil
}

// add places bytes [seq, seq+len(data)+lost) of direction h.
func (rd *reassembler) add(h *half, seq uint32, data []byte, lost int) error {
	s := held{seq: seq, data: data, lost: lost}
	if !after(s.end(), h.next) {
		return nil // retransmission or duplicate: already delivered
	}
	if after(seq, h.next) {
		h.hold(s)
		for h.pendingN > MaxBuffered || len(h.pending) > maxHeld {
			// Out-of-order buffer full: give up on the oldest hole.
			first := h.pending[0].seq
			h.gap(int(first - h.next))
			h.next = first
			if err := rd.drain(h); err != nil {
				return err
			}
		}
		return nil
	}
	if err := rd.deliver(h, s); err != nil {
		return err
	}
	return rd.drain(h)
}

// hold keeps a copy of an out-of-order segment.
func (h *half) hold(s held) {
	i, found := slices.BinarySearchFunc(h.pending, s.seq, func(p held, seq uint32) int {
		switch {
		case p.seq == seq:
			return 0
		case after(p.seq, seq):
			return 1
		}
		return -1
	})
	if found && !after(s.end(), h.pending[i].end()) {
		return // a retransmission of what is already held
	}
	s.data = append([]byte(nil), s.data...)
	h.pending = slices.Insert(h.pending, i, s)
	h.pendingN += len(s.data)
}

// drain delivers held segments that became in order.
func (rd *reassembler) drain(h *half) error {
	for len(h.pending) > 0 && !after(h.pending[0].seq, h.next) {
		s := h.pending[0]
		h.pending = h.pending[1:]
		h.pendingN -= len(s.data)
		if after(s.end(), h.next) {
			if err := rd.deliver(h, s); err != nil {
				return err
			}
		}
	}
	if len(h.pending) == 0 {
		h.pending = nil
	}
	return nil
}

// deliver takes a segment with seq <= next < end.
func (rd *reassembler) deliver(h *half, s held) error {
	end := s.end()
	if off := int(h.next - s.seq); off < len(s.data) {
		if err := rd.consume(h, s.data[off:]); err != nil {
			return err
		}
		h.next += uint32(len(s.data) - off)
	}
	if h.next != end {
		h.gap(int(end - h.next))
		h.next = end
	}
	return nil
}

// startSkip enters resynchronisation for reason (the first reason wins
// until the next report).
func (h *half) startSkip(reason error) {
	if h.reason == nil {
		h.reason = reason
	}
}

// skip records skipped bytes.
func (h *half) skip(b []byte) {
	h.skipN += len(b)
	if room := wire.MaxExtendedLen - len(h.skipped); room > 0 {
		h.skipped = append(h.skipped, b[:min(room, len(b))]...)
	}
}

// gap records n bytes missing from the capture: the message in progress
// is lost with them.
func (h *half) gap(n int) {
	h.startSkip(ErrGap)
	h.skip(h.buf)
	h.buf = h.buf[:0]
	h.lostN += n
}

// consume frames newly in-order bytes b (a view into the frame or into
// held data) into messages.
func (rd *reassembler) consume(h *half, b []byte) error {
	fromBuf := len(h.buf) > 0
	if fromBuf {
		h.buf = append(h.buf, b...)
		b = h.buf
	}
	for len(b) > 0 {
		if h.reason != nil {
			i, found := findHeader(b)
			h.skip(b[:i])
			b = b[i:]
			if !found {
				break
			}
			if err := rd.report(h); err != nil {
				return err
			}
		}
		n, err := frameLen(b)
		if err != nil {
			h.startSkip(ErrNotBGP)
			h.skip(b[:1])
			b = b[1:]
			continue
		}
		if n == 0 {
			break
		}
		if err := rd.emit(h, Message{Data: b[:n:n], Index: rd.index}); err != nil {
			return err
		}
		rd.index++
		b = b[n:]
	}
	// Keep the incomplete rest (memmove when it is already in buf).
	if fromBuf {
		h.buf = h.buf[:copy(h.buf, b)]
	} else {
		h.buf = append(h.buf[:0], b...)
	}
	return nil
}

// emit fills in the connection fields and calls fn. While frames are
// read, Frame and Time are the current frame's; at the end of the input,
// those of the direction's last frame.
func (rd *reassembler) emit(h *half, m Message) error {
	m.Stream, m.Src, m.Dst, m.Time, m.Frame = h.conn.stream, h.src, h.dst, rd.now, rd.frame
	if rd.atEnd {
		m.Time, m.Frame = h.time, h.frame
	}
	return rd.fn(m)
}

// report passes the skipped bytes to fn and leaves resynchronisation.
func (rd *reassembler) report(h *half) error {
	reason, skipN, lostN, data := h.reason, h.skipN, h.lostN, h.skipped
	h.reason, h.skipN, h.lostN, h.skipped = nil, 0, 0, h.skipped[:0]
	if skipN == 0 && lostN == 0 {
		return nil
	}
	if len(data) == 0 {
		data = nil
	}
	err := fmt.Errorf("%s > %s: %w (%d bytes skipped, %d bytes not captured)", h.src, h.dst, reason, skipN, lostN)
	return rd.emit(h, Message{Data: data, Err: err, Index: -1})
}

// flush ends a direction: holes are lost, and what is left is reported.
func (rd *reassembler) flush(h *half) error {
	if h.done {
		return nil
	}
	for len(h.pending) > 0 {
		first := h.pending[0].seq
		h.gap(int(first - h.next))
		h.next = first
		if err := rd.drain(h); err != nil {
			return err
		}
	}
	h.done = true
	if h.reason != nil {
		h.skip(h.buf)
		h.buf = nil
		return rd.report(h)
	}
	if len(h.buf) > 0 {
		b := h.buf
		h.buf = nil
		err := fmt.Errorf("%s > %s: %w (%d bytes)", h.src, h.dst, ErrTruncated, len(b))
		return rd.emit(h, Message{Data: b, Err: err, Index: -1})
	}
	return nil
}

// closeConn flushes both directions, first-seen first.
func (rd *reassembler) closeConn(c *conn) error {
	for _, h := range c.dir {
		if err := rd.flush(h); err != nil {
			return err
		}
		h.skipped, h.pending = nil, nil
	}
	return nil
}

// finish flushes every connection in stream order at the end of input.
func (rd *reassembler) finish() error {
	rd.atEnd = true
	for _, c := range rd.conns {
		if err := rd.closeConn(c); err != nil {
			return err
		}
	}
	return nil
}
