package testpeer

import (
	"encoding/binary"
	"errors"
	"sync"
	"time"

	"github.com/ze-bgp/ze/speaker/wire"
)

// Read buffers: every session keeps a small one; a session that fills
// it (a burst of UPDATEs) borrows a big one from a pool and gives it back
// when its input runs dry, so that thousands of idle sessions cost a few
// kilobytes each.
const (
	smallBuf = 4 << 10
	bigBuf   = 256 << 10 // holds at least one message of 65535 octets (RFC 8654)
)

var bigPool = sync.Pool{New: func() any { b := make([]byte, bigBuf); return &b }}

// readBuf is a session's input buffer: b[r:w] are bytes read but not yet
// returned as messages.
type readBuf struct {
	b     []byte
	small []byte
	big   *[]byte
	r, w  int
	full  bool // the last read filled the buffer
}

// pending returns the bytes read but not consumed (a view).
func (rb *readBuf) pending() []byte { return rb.b[rb.r:rb.w] }

// makeRoom makes sure at least need octets fit from rb.r and some free
// space follows rb.w.
func (rb *readBuf) makeRoom(need int) {
	if rb.b == nil {
		rb.small = make([]byte, smallBuf)
		rb.b = rb.small
	}
	if rb.r == rb.w {
		rb.r, rb.w = 0, 0
		if rb.big != nil && !rb.full {
			// Input ran dry: back to the small buffer.
			bigPool.Put(rb.big)
			rb.big, rb.b = nil, rb.small
		}
	}
	if rb.big == nil && (need > len(rb.b) || rb.full) {
		rb.big = bigPool.Get().(*[]byte)
		n := copy(*rb.big, rb.b[rb.r:rb.w])
		rb.b, rb.r, rb.w = *rb.big, 0, n
	}
	if len(rb.b)-rb.r < need || rb.w == len(rb.b) {
		n := copy(rb.b, rb.b[rb.r:rb.w])
		rb.r, rb.w = 0, n
	}
}

// release gives a borrowed buffer back.
func (rb *readBuf) release() {
	if rb.big != nil {
		bigPool.Put(rb.big)
		rb.big = nil
		rb.b = rb.small
	}
}

// frameError is input that does not frame as a BGP message (bad marker,
// length or type, RFC 4271 §6.1): the stream cannot be followed after
// it. data holds every octet buffered from the bad header on.
type frameError struct {
	err  *wire.Error
	data []byte
}

func (e *frameError) Error() string { return e.err.Msg }

// readMessage returns the next whole message (a view valid until the
// next call), a *frameError, or the connection's read error.
func (s *session) readMessage() ([]byte, error) {
	rb := &s.rb
	for {
		recv := s.recvContext()
		need := wire.HeaderLen
		if p := rb.pending(); len(p) > 0 {
			msg, _, err := wire.Split(p, recv.MaxLen())
			if err == nil {
				rb.r += len(msg)
				s.lastRecv = s.readAt
				return msg, nil
			}
			var we *wire.Error
			if errors.As(err, &we) {
				return nil, &frameError{err: we, data: append([]byte(nil), p...)}
			}
			if len(p) >= wire.HeaderLen {
				need = int(binary.BigEndian.Uint16(p[wire.MarkerLen:]))
			} else if badMarker(p) {
				// No need to wait for a whole header to see garbage.
				_, _, err := wire.Split(append(append([]byte(nil), p...), make([]byte, wire.HeaderLen)...), recv.MaxLen())
				we, _ := err.(*wire.Error)
				if we == nil {
					we = wire.Errorf(wire.CodeHeader, wire.SubConnNotSynchronized, nil, "wire: marker is not all ones")
				}
				return nil, &frameError{err: we, data: append([]byte(nil), p...)}
			}
		}
		rb.makeRoom(need)
		s.setReadDeadline()
		free := len(rb.b) - rb.w
		n, err := s.conn.Read(rb.b[rb.w:])
		if n > 0 {
			s.readAt = time.Now()
			rb.w += n
			rb.full = n == free
			continue
		}
		if err != nil {
			return nil, err
		}
	}
}

// setReadDeadline arms the hold timer as the connection's read deadline:
// the last message plus the hold time (RFC 4271 §6.5), a long one before
// the remote OPEN, none when the hold time is 0. It moves the deadline
// only when it changes by more than a quarter second, to spare syscalls.
func (s *session) setReadDeadline() {
	s.mu.Lock()
	hold := s.hold
	if s.state == stateOpenWait {
		hold = openHold
	}
	s.mu.Unlock()
	var d time.Time
	if hold > 0 {
		d = s.lastRecv.Add(hold)
	}
	if d.Equal(s.rdl) {
		return
	}
	if !d.IsZero() && !s.rdl.IsZero() && d.After(s.rdl) && d.Sub(s.rdl) < 250*time.Millisecond {
		return
	}
	s.conn.SetReadDeadline(d) //nolint:errcheck // a closed conn fails the read
	s.rdl = d
}

// badMarker reports whether the start of a header already shows a
// marker that is not all ones (RFC 4271 §4.1).
func badMarker(p []byte) bool {
	for i := 0; i < len(p) && i < wire.MarkerLen; i++ {
		if p[i] != 0xFF {
			return true
		}
	}
	return false
}
