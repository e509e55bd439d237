package mrt

import (
	"encoding/binary"
	"io"
	"sync/atomic"
	"time"
)

// MaxRecordLen bounds the Length a record may declare (64 MiB); a larger
// one is damage. Real records are far smaller (a RIB record with a
// thousand peers is a few hundred KiB), and the bound keeps a lying
// length from making the reader buffer gigabytes.
const MaxRecordLen = 64 << 20

// Record is one MRT record (RFC 6396 §2, §3):
//
//	+---------------------------------------------------------------+
//	|                       Timestamp (4, seconds)                  |
//	+-------------------------------+-------------------------------+
//	|           Type (2)            |          Subtype (2)          |
//	+-------------------------------+-------------------------------+
//	|                          Length (4)                           |
//	+---------------------------------------------------------------+
//	|        Microsecond Timestamp (4, _ET types only, counted      |
//	|        in Length)                                             |
//	+---------------------------------------------------------------+
//	|                      Message (Length octets)                  |
//	+---------------------------------------------------------------+
//
// Raw and Body are views into the Reader's buffers, valid until the next
// call to Next: copy what must outlive it. The typed views (ParseRIB,
// ParseBGP4MP…) alias Body in turn.
type Record struct {
	// Offset is where the record starts in the decompressed stream.
	Offset       int64
	Timestamp    uint32 // seconds since 1970-01-01 UTC
	Microseconds uint32 // _ET types; 0 otherwise
	Type         Type
	Subtype      uint16
	// Length is the header's Length field as declared.
	Length uint32
	// Raw is the whole record: header, microseconds, message.
	Raw []byte
	// Body is the message after the header (and the microseconds).
	Body []byte
	// Cut reports a record that declared more octets than it had: the
	// next record was found inside it (or the stream ended), and Body
	// stops there. The Reader's damage log has the details.
	Cut bool
}

// Time returns the record's timestamp (with microseconds for _ET types)
// in UTC.
func (r *Record) Time() time.Time {
	return time.Unix(int64(r.Timestamp), int64(r.Microseconds)*1000).UTC()
}

// Reader reads MRT records from a stream, one at a time, in constant
// memory: the decompressed stream arrives in 1 MiB buffers from a
// goroutine (see NewReader), and a record is a view into them, copied
// only when it straddles two buffers. In the steady state Next does not
// allocate.
//
// Damaged input does not stop the Reader (RFC 6396 gives no way to
// resynchronise, so it searches): a header that cannot be a record's
// (unknown type or subtype, a length beyond MaxRecordLen) starts a
// search for the next offset where three plausible record headers
// follow each other; a record whose declared length runs past its own
// fields (a BGP4MP message's length says where it ends) or into
// something that is no record header is cut at the next record found
// inside it (Record.Cut); a stream
// that ends inside a record, or a decompression error (a cut or
// corrupt gzip tail), ends the stream. Each case goes to the damage log
// with its offset and reason (Damage); the records around it are read
// as usual.
//
// Use:
//
//	for r.Next() {
//		rec := r.Record()
//		…
//	}
//	if r.Damage().Count > 0 { … }
type Reader struct {
	src         *source
	closer      io.Closer
	compression Compression
	counter     *countingReader

	win     []byte // stream octets [winOff, winOff+len(win)): a chunk, or carry
	winOff  int64
	winBuf  []byte // the chunk buffer win aliases; nil when win is carry
	pend    []byte // the rest of the latest chunk, right after win
	pendBuf []byte
	carry   []byte // records straddling two chunks are assembled here
	eof     bool   // the source has ended: no more chunks

	start   int64 // stream offset of the next record; win holds it onwards
	rec     Record
	damage  DamageLog
	err     error
	records int64
}

// countingReader counts the octets read from the underlying stream (the
// compressed file), for progress reports.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// Record returns the current record (see Record for how long it lives).
func (r *Reader) Record() *Record { return &r.rec }

// Damage returns the damage found so far.
func (r *Reader) Damage() *DamageLog { return &r.damage }

// Err returns the read or decompression error that ended the stream
// early, if any (it is also in the damage log).
func (r *Reader) Err() error { return r.err }

// Compression returns the compression the stream was found to use.
func (r *Reader) Compression() Compression { return r.compression }

// Records returns how many records Next has returned.
func (r *Reader) Records() int64 { return r.records }

// Offset returns how far the decompressed stream has been read: the
// offset after the last record returned (or skipped).
func (r *Reader) Offset() int64 { return r.start }

// BytesRead returns how many octets of the underlying (compressed)
// stream have been read so far; it may be called from any goroutine.
func (r *Reader) BytesRead() int64 {
	if r.counter == nil {
		return 0
	}
	return r.counter.n.Load()
}

// Close stops the reading goroutine and closes the file Open opened. The
// goroutine may still finish a read in progress: a Reader over a stream
// that blocks (a pipe, a terminal) does not make Close wait for it.
func (r *Reader) Close() error {
	r.src.close()
	if r.closer != nil {
		err := r.closer.Close()
		r.closer = nil
		return err
	}
	return nil
}

// header is a parsed common header.
type header struct {
	ts     uint32
	typ    Type
	sub    uint16
	length uint32
}

func parseHeader(b []byte) header {
	_ = b[11]
	return header{
		ts:     binary.BigEndian.Uint32(b),
		typ:    Type(binary.BigEndian.Uint16(b[4:])),
		sub:    binary.BigEndian.Uint16(b[6:]),
		length: binary.BigEndian.Uint32(b[8:]),
	}
}

// total is the record's size, header included.
func (h header) total() int64 { return HeaderLen + int64(h.length) }

// hdrLen is the header's size: 16 for the _ET types.
func (h header) hdrLen() int64 {
	if h.typ.HasMicroseconds() {
		return HeaderLen + 4
	}
	return HeaderLen
}

// Next advances to the next record. It returns false at the end of the
// stream; damage on the way is logged, not returned.
func (r *Reader) Next() bool {
	for {
		if !r.fill(r.start + HeaderLen) {
			if n := r.avail(); n > 0 {
				r.damage.Addf(r.start, "stream ends inside a record header (%d of %d octets)", n, HeaderLen)
				r.start += n
			}
			return false
		}
		h := parseHeader(r.at(r.start, HeaderLen))
		if why := implausible(h); why != "" {
			off := r.start
			skipped := r.resync(off + 1)
			r.damage.Addf(off, "%s; skipped %d octets to the next record", why, skipped)
			continue
		}
		total := h.total()
		if !r.fill(r.start + total + HeaderLen) {
			avail := r.avail()
			if avail >= total {
				return r.deliver(h, total, false) // the last record
			}
			if q, ok := r.scanChain(r.start+h.hdrLen(), r.start+avail); ok {
				r.damage.Addf(r.start, "%s record declares a length of %d but the next record starts after %d", h.typ, h.length, q-r.start-HeaderLen)
				return r.deliver(h, q-r.start, true)
			}
			r.damage.Addf(r.start, "stream ends inside a %s record (%d of %d octets)", h.typ, avail, total)
			r.start += avail
			return false
		}
		// A BGP4MP record that ends, by its own fields, before its
		// declared length, with a record right there, declared too much.
		if n, ok := innerLen(h, r.at(r.start+h.hdrLen(), int(total-h.hdrLen()))); ok && h.hdrLen()+n < total {
			q := r.start + h.hdrLen() + n
			if nh := parseHeader(r.at(q, HeaderLen)); r.candidate(nh) && r.chained(q, nh) {
				r.damage.Addf(r.start, "%s record declares a length of %d but the next record starts after %d", h.typ, h.length, q-r.start-HeaderLen)
				return r.deliver(h, q-r.start, true)
			}
		}
		if implausible(parseHeader(r.at(r.start+total, HeaderLen))) == "" {
			return r.deliver(h, total, false)
		}
		// What follows is no record header: the length may lie. A record
		// found inside this one means it is shorter than declared;
		// otherwise the next call reports the bad header and searches.
		if q, ok := r.scanChain(r.start+h.hdrLen(), r.start+total); ok {
			r.damage.Addf(r.start, "%s record declares a length of %d but the next record starts after %d", h.typ, h.length, q-r.start-HeaderLen)
			return r.deliver(h, q-r.start, true)
		}
		return r.deliver(h, total, false)
	}
}

// deliver makes the n octets at r.start the current record.
func (r *Reader) deliver(h header, n int64, cut bool) bool {
	raw := r.at(r.start, int(n))
	hl := int(h.hdrLen())
	var us uint32
	if hl > HeaderLen && len(raw) >= hl {
		us = binary.BigEndian.Uint32(raw[HeaderLen:])
	}
	hl = min(hl, len(raw))
	r.rec = Record{
		Offset: r.start, Timestamp: h.ts, Microseconds: us, Type: h.typ, Subtype: h.sub,
		Length: h.length, Raw: raw, Body: raw[hl:], Cut: cut,
	}
	r.start += n
	r.records++
	return true
}

// at returns n octets of the window from stream offset off (a view).
func (r *Reader) at(off int64, n int) []byte {
	i := int(off - r.winOff)
	return r.win[i : i+n : i+n]
}

// avail is how many octets from r.start the window holds.
func (r *Reader) avail() int64 { return r.winOff + int64(len(r.win)) - r.start }

// winEnd is the stream offset after the window.
func (r *Reader) winEnd() int64 { return r.winOff + int64(len(r.win)) }

// fill makes the window hold the stream from r.start up to end; false
// when the stream ends first (the window then holds all that is left).
func (r *Reader) fill(end int64) bool {
	for r.winEnd() < end {
		if len(r.pend) == 0 && !r.fetch() {
			return false
		}
		r.extend(end)
	}
	return true
}

// fetch takes the next chunk from the goroutine into pend.
func (r *Reader) fetch() bool {
	if r.eof {
		return false
	}
	c, ok := r.src.next()
	if !ok {
		r.eof = true
		return false
	}
	if c.err != nil {
		r.eof = true
		if c.err != io.EOF {
			r.err = c.err
			r.damage.Addf(r.winEnd()+int64(len(r.pend)), "%s stream ends with an error after this offset: %v", r.compression, c.err)
		}
		return false
	}
	r.pend, r.pendBuf = c.b, c.b
	return true
}

// extend moves octets from pend into the window, up to end at least.
// With nothing left to keep, the window becomes the chunk itself (no
// copy); else what is kept and what is needed go into carry.
func (r *Reader) extend(end int64) {
	keep := r.win[r.start-r.winOff:]
	if len(keep) == 0 {
		r.release(r.winBuf)
		r.win, r.winBuf, r.winOff = r.pend, r.pendBuf, r.start
		r.pend, r.pendBuf = nil, nil
		return
	}
	take := len(r.pend)
	if need := end - r.winEnd(); need < int64(take) {
		take = int(need)
	}
	r.carry = append(r.carry[:0], keep...) // keep may alias carry: append moves safely
	r.carry = append(r.carry, r.pend[:take]...)
	r.release(r.winBuf)
	r.win, r.winBuf, r.winOff = r.carry, nil, r.start
	r.pend = r.pend[take:]
	if len(r.pend) == 0 {
		r.release(r.pendBuf)
		r.pend, r.pendBuf = nil, nil
	}
}

// release gives a chunk buffer back to the goroutine. Nothing aliases
// it any more: its octets were copied, and the record of the previous
// call (which may have pointed into it) is no longer valid.
func (r *Reader) release(b []byte) {
	if b != nil {
		r.src.recycle(b)
	}
}

// innerLen returns how long a BGP4MP record's body is by its own fields
// (a state change's fixed layout; a message's endpoints plus the BGP
// message's length), when the fields are there to tell.
func innerLen(h header, body []byte) (int64, bool) {
	if h.typ != TypeBGP4MP && h.typ != TypeBGP4MPET {
		return 0, false
	}
	asn := 2
	if subtypeAS4(h.sub) {
		asn = 4
	}
	if len(body) < 2*asn+4 {
		return 0, false
	}
	var ip int
	switch binary.BigEndian.Uint16(body[2*asn+2:]) {
	case 1:
		ip = 4
	case 2:
		ip = 16
	default:
		return 0, false
	}
	n := 2*asn + 4 + 2*ip
	switch h.sub {
	case BGP4MPStateChange, BGP4MPStateChangeAS4:
		return int64(n + 4), true
	case BGP4MPMessage, BGP4MPMessageAS4, BGP4MPMessageLocal, BGP4MPMessageAS4Local, BGP4MPMessageAddPath,
		BGP4MPMessageAS4AddPath, BGP4MPMessageLocalAddPath, BGP4MPMessageAS4LocalAddPath:
		if len(body) < n+18 {
			return 0, false
		}
		m := int(binary.BigEndian.Uint16(body[n+16:]))
		if m < 19 {
			return 0, false
		}
		return int64(n + m), true
	}
	return 0, false
}
