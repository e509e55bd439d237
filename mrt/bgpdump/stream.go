package bgpdump

// stream reads fields the way bgpdump does: a read past the end returns
// what is there followed by zero octets and moves to the end, so that a
// short record still prints (with zeros) instead of failing. Every such
// read sets short, which the Dumper reports as damage.
type stream struct {
	b     []byte
	pos   int
	short bool
}

func (s *stream) left() int { return len(s.b) - s.pos }

// getc reads one octet.
func (s *stream) getc() byte {
	if s.pos >= len(s.b) {
		s.short = true
		return 0
	}
	c := s.b[s.pos]
	s.pos++
	return c
}

// getn reads n ≤ 8 octets as a big-endian number, zero-padded on the
// right when the stream ends first.
func (s *stream) getn(n int) uint64 {
	var v uint64
	for i := range n {
		v <<= 8
		if s.pos < len(s.b) {
			v |= uint64(s.b[s.pos])
			s.pos++
		} else if i < n {
			s.short = true
		}
	}
	return v
}

func (s *stream) getw() uint16 {
	if s.pos+2 <= len(s.b) {
		v := uint16(s.b[s.pos])<<8 | uint16(s.b[s.pos+1])
		s.pos += 2
		return v
	}
	return uint16(s.getn(2))
}

func (s *stream) getl() uint32 {
	if s.pos+4 <= len(s.b) {
		b := s.b[s.pos : s.pos+4]
		s.pos += 4
		return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	}
	return uint32(s.getn(4))
}

// asn reads a 2- or 4-octet ASN.
func (s *stream) asn(n int) uint32 {
	if n == 4 {
		return s.getl()
	}
	return uint32(s.getw())
}

// get copies n octets into dst (zero-padded when the stream ends first;
// octets beyond len(dst) are skipped).
func (s *stream) get(dst []byte, n int) {
	avail := min(n, s.left())
	if avail < n {
		s.short = true
	}
	k := copy(dst, s.b[s.pos:s.pos+avail])
	clear(dst[k:min(n, len(dst))])
	s.pos += avail
}

// skip moves n octets on (or to the end).
func (s *stream) skip(n int) {
	if n > s.left() {
		s.short = true
		n = s.left()
	}
	s.pos += n
}

// sub returns a stream of the next n octets (fewer when the stream ends
// first, which sets short) and moves past them.
func (s *stream) sub(n int) stream {
	if n < 0 || n > s.left() {
		if n != s.left() {
			s.short = true
		}
		n = s.left()
	}
	c := stream{b: s.b[s.pos : s.pos+n]}
	s.pos += n
	return c
}

// rest returns the unread octets.
func (s *stream) rest() []byte { return s.b[s.pos:] }
