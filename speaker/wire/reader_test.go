package wire

import (
	"bytes"
	"testing"
)

func TestReader(t *testing.T) {
	in := []byte{
		0x01,       // U8
		0x02, 0x03, // U16 0x0203
		0x04, 0x05, 0x06, 0x07, // U32 0x04050607
		0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, // U64
		0xA0, 0xA1, 0xA2, // Bytes(3)
		0xB0, 0xB1, // Rest
	}
	r := NewReader(in)
	if r.Len() != len(in) {
		t.Fatalf("Len = %d", r.Len())
	}
	if v := r.U8(); v != 0x01 {
		t.Errorf("U8 = %#x", v)
	}
	if v := r.U16(); v != 0x0203 {
		t.Errorf("U16 = %#x", v)
	}
	if v := r.U32(); v != 0x04050607 {
		t.Errorf("U32 = %#x", v)
	}
	if v := r.U64(); v != 0x08090A0B0C0D0E0F {
		t.Errorf("U64 = %#x", v)
	}
	b := r.Bytes(3)
	if !bytes.Equal(b, []byte{0xA0, 0xA1, 0xA2}) {
		t.Errorf("Bytes = % X", b)
	}
	if r.Len() != 2 {
		t.Errorf("Len = %d, want 2", r.Len())
	}
	rest := r.Rest()
	if !bytes.Equal(rest, []byte{0xB0, 0xB1}) {
		t.Errorf("Rest = % X", rest)
	}
	if r.Len() != 0 || r.Err() != nil {
		t.Errorf("after Rest: Len %d, Err %v", r.Len(), r.Err())
	}

	t.Run("views", func(t *testing.T) {
		// Bytes and Rest alias the input …
		if &b[0] != &in[15] || &rest[0] != &in[18] {
			t.Error("Bytes/Rest copied instead of slicing")
		}
		// … but Bytes caps its view so appending to it cannot
		// overwrite what follows in the input.
		if cap(b) != 3 {
			t.Errorf("cap(Bytes(3)) = %d, want 3", cap(b))
		}
		_ = append(b, 0xEE)
		if in[18] != 0xB0 {
			t.Error("append to a Bytes view overwrote the input")
		}
	})
}

func TestReaderSticky(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		read func(r *Reader) // the first, short read
	}{
		{"u8", nil, func(r *Reader) { r.U8() }},
		{"u16", []byte{0x01}, func(r *Reader) { r.U16() }},
		{"u32", []byte{0x01, 0x02, 0x03}, func(r *Reader) { r.U32() }},
		{"u64", []byte{1, 2, 3, 4, 5, 6, 7}, func(r *Reader) { r.U64() }},
		{"bytes", []byte{0x01, 0x02}, func(r *Reader) { r.Bytes(3) }},
		{"bytes-negative", []byte{0x01, 0x02}, func(r *Reader) { r.Bytes(-1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(tt.in)
			tt.read(&r)
			if r.Err() != ErrShort {
				t.Fatalf("Err = %v, want ErrShort", r.Err())
			}
			// Every later read returns zero values, even one that the
			// remaining input could have satisfied, and Err stays set.
			if v := r.U8(); v != 0 {
				t.Errorf("U8 after error = %#x", v)
			}
			if v := r.U16(); v != 0 {
				t.Errorf("U16 after error = %#x", v)
			}
			if v := r.U32(); v != 0 {
				t.Errorf("U32 after error = %#x", v)
			}
			if v := r.U64(); v != 0 {
				t.Errorf("U64 after error = %#x", v)
			}
			if v := r.Bytes(0); v != nil {
				t.Errorf("Bytes(0) after error = % X", v)
			}
			if v := r.Rest(); len(v) != 0 {
				t.Errorf("Rest after error = % X", v)
			}
			if r.Len() != 0 || r.Err() != ErrShort {
				t.Errorf("Len %d, Err %v", r.Len(), r.Err())
			}
		})
	}
}

func TestReaderExact(t *testing.T) {
	// Reading exactly to the end is not an error; Bytes(0) is an empty view.
	r := NewReader([]byte{0x00, 0x2A})
	if v := r.U16(); v != 42 {
		t.Errorf("U16 = %d", v)
	}
	if v := r.Bytes(0); v == nil || len(v) != 0 {
		t.Errorf("Bytes(0) = %v", v)
	}
	if r.Err() != nil || r.Len() != 0 {
		t.Errorf("Err %v, Len %d", r.Err(), r.Len())
	}
}
