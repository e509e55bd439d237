package wire

import (
	"encoding/binary"
	"errors"
)

// ErrShort reports input that ends before a field it must hold.
var ErrShort = errors.New("wire: short input")

// Reader reads big-endian fields from a byte slice. The first short read
// sets a sticky error and every later read returns zero values; check Err
// once at the end. Bytes returns views into the input, not copies.
type Reader struct {
	b   []byte
	err error
}

// NewReader returns a Reader over b.
func NewReader(b []byte) Reader { return Reader{b: b} }

// Err returns ErrShort after any short read, else nil.
func (r *Reader) Err() error { return r.err }

// Len returns how many bytes are left.
func (r *Reader) Len() int { return len(r.b) }

// Rest returns the unread bytes (a view) and consumes them.
func (r *Reader) Rest() []byte {
	b := r.b
	r.b = nil
	return b
}

func (r *Reader) short() {
	if r.err == nil {
		r.err = ErrShort
	}
	r.b = nil
}

// U8 reads one octet.
func (r *Reader) U8() uint8 {
	if len(r.b) < 1 {
		r.short()
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

// U16 reads two octets.
func (r *Reader) U16() uint16 {
	if len(r.b) < 2 {
		r.short()
		return 0
	}
	v := binary.BigEndian.Uint16(r.b)
	r.b = r.b[2:]
	return v
}

// U32 reads four octets.
func (r *Reader) U32() uint32 {
	if len(r.b) < 4 {
		r.short()
		return 0
	}
	v := binary.BigEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

// U64 reads eight octets.
func (r *Reader) U64() uint64 {
	if len(r.b) < 8 {
		r.short()
		return 0
	}
	v := binary.BigEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

// Bytes returns the next n octets as a view into the input.
func (r *Reader) Bytes(n int) []byte {
	if n < 0 || len(r.b) < n {
		r.short()
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}
