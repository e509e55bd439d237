package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// pcapng block types (draft-ietf-opsawg-pcapng §4).
const (
	ngSHB = 0x0A0D0D0A // section header
	ngIDB = 0x00000001 // interface description
	ngPB  = 0x00000002 // packet (obsolete)
	ngSPB = 0x00000003 // simple packet
	ngISB = 0x00000005 // interface statistics
	ngEPB = 0x00000006 // enhanced packet

	ngByteOrderMagic = 0x1A2B3C4D
	ngMaxBlock       = 4 << 20
	ngOptTSResol     = 9 // if_tsresol
)

// ngCheck passes a pcapng stream through one validated block at a time,
// so that pcapgo's NgReader only ever sees blocks it handles safely. The
// NgReader trusts lengths from the file: it allocates the captured length
// before checking it against the block, walks options by their stated
// lengths, and divides by a timestamp resolution that overflows to zero
// for large exponents. ngCheck rejects such blocks with an error instead.
type ngCheck struct {
	r     io.Reader
	out   []byte // validated bytes not yet read
	block []byte // block buffer
	bo    binary.ByteOrder
	snap0 uint32 // snapshot length of interface 0 of the section
	nIf   int    // interfaces in the section
	err   error
}

func newNgCheck(r io.Reader) *ngCheck { return &ngCheck{r: r} }

func (c *ngCheck) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		c.err = c.next()
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	return n, nil
}

// next reads and checks one block into out. A clean end of input between
// blocks is io.EOF; a block cut short is io.ErrUnexpectedEOF.
func (c *ngCheck) next() error {
	var head [12]byte
	if _, err := io.ReadFull(c.r, head[:8]); err != nil {
		return err
	}
	typ := binary.BigEndian.Uint32(head[:4]) // SHB type reads the same either way
	if typ == ngSHB {
		if _, err := io.ReadFull(c.r, head[8:12]); err != nil {
			return unexpected(err)
		}
		switch uint32(ngByteOrderMagic) {
		case binary.BigEndian.Uint32(head[8:]):
			c.bo = binary.BigEndian
		case binary.LittleEndian.Uint32(head[8:]):
			c.bo = binary.LittleEndian
		default:
			return errors.New("bad byte-order magic")
		}
		c.nIf, c.snap0 = 0, 0
	} else if c.bo == nil {
		return errors.New("first block is not a section header")
	} else {
		typ = c.bo.Uint32(head[:4])
	}
	n := c.bo.Uint32(head[4:8])
	minLen := uint32(12)
	if typ == ngSHB {
		minLen = 28
	}
	if n < minLen || n%4 != 0 || n > ngMaxBlock {
		return fmt.Errorf("bad block length %d", n)
	}
	if cap(c.block) < int(n) {
		c.block = make([]byte, n)
	}
	b := c.block[:n]
	have := 8
	if typ == ngSHB {
		have = 12
	}
	copy(b, head[:have])
	if _, err := io.ReadFull(c.r, b[have:]); err != nil {
		return unexpected(err)
	}
	if c.bo.Uint32(b[n-4:]) != n {
		return errors.New("block lengths differ")
	}
	if err := c.check(typ, b[8:n-4]); err != nil {
		return err
	}
	c.out = b
	return nil
}

// check validates the body of a block (between its length fields).
func (c *ngCheck) check(typ uint32, body []byte) error {
	switch typ {
	case ngSHB: // magic(4) major(2) minor(2) section length(8) options
		return c.options(body[16:], false)
	case ngIDB: // link type(2) reserved(2) snaplen(4) options
		if len(body) < 8 {
			return errors.New("short interface block")
		}
		if c.nIf == 0 {
			c.snap0 = c.bo.Uint32(body[4:])
		}
		c.nIf++
		return c.options(body[8:], true)
	case ngEPB, ngPB: // interface(4 or 2+2) time(8) caplen(4) len(4) data options
		if len(body) < 20 {
			return errors.New("short packet block")
		}
		caplen := c.bo.Uint32(body[12:])
		if caplen > uint32(len(body)-20) || caplen > maxFrame {
			return fmt.Errorf("bad captured length %d", caplen)
		}
	case ngSPB: // original length(4) data
		if len(body) < 4 || c.nIf == 0 {
			return errors.New("bad simple packet block")
		}
		caplen := c.bo.Uint32(body)
		if c.snap0 != 0 && caplen > c.snap0 {
			caplen = c.snap0
		}
		if caplen > uint32(len(body)-4) || caplen > maxFrame {
			return fmt.Errorf("bad simple packet length %d", caplen)
		}
	case ngISB: // interface(4) time(8) options
		if len(body) < 12 {
			return errors.New("short statistics block")
		}
		return c.options(body[12:], false)
	}
	return nil
}

// options checks that the options exactly fill their area (each one
// code(2) length(2) value padded to 4), as pcapgo walks them by length,
// and that if_tsresol gives a usable resolution.
func (c *ngCheck) options(b []byte, idb bool) error {
	for len(b) > 0 {
		if len(b) < 4 {
			return errors.New("truncated option")
		}
		code, n := c.bo.Uint16(b), int(c.bo.Uint16(b[2:]))
		if code == 0 { // opt_endofopt: pcapgo skips the rest
			return nil
		}
		if n > 0xFFFC { // pcapgo adds the padding in 16 bits
			return errors.New("option too long")
		}
		padded := (n + 3) &^ 3
		if 4+padded > len(b) {
			return errors.New("option overruns its block")
		}
		if idb && code == ngOptTSResol {
			// Negative power of 10 (top bit clear) or of 2 (top bit
			// set); pcapgo's divisor must fit in 64 bits.
			if n != 1 {
				return errors.New("bad if_tsresol length")
			}
			v := b[4]
			if (v&0x80 == 0 && v > 19) || (v&0x80 != 0 && v&0x7F > 63) {
				return fmt.Errorf("unsupported if_tsresol %#x", v)
			}
		}
		b = b[4+padded:]
	}
	return nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
