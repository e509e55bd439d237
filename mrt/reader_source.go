package mrt

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// Compression is how an MRT stream is compressed, told by its first
// octets (magic numbers), never by a file name.
type Compression uint8

// Compressions Open and NewReader recognise. Zstandard and xz are only
// recognised, to name them in an error: the standard library reads
// neither and ze uses no third-party decompressor.
const (
	CompressionNone  Compression = iota // plain MRT
	CompressionGzip                     // 1F 8B (RFC 1952), multi-member files included
	CompressionBzip2                    // "BZh"
	CompressionZstd                     // 28 B5 2F FD: not readable
	CompressionXZ                       // FD "7zXZ" 00: not readable
)

var compressionNames = [...]string{"none", "gzip", "bzip2", "zstd", "xz"}

// String returns "none", "gzip", "bzip2", "zstd" or "xz".
func (c Compression) String() string {
	if int(c) < len(compressionNames) {
		return compressionNames[c]
	}
	return "compression-" + fmt.Sprint(uint8(c))
}

// detect tells the compression from the first octets of a stream.
func detect(b []byte) Compression {
	switch {
	case len(b) >= 2 && b[0] == 0x1F && b[1] == 0x8B:
		return CompressionGzip
	case len(b) >= 3 && b[0] == 'B' && b[1] == 'Z' && b[2] == 'h':
		return CompressionBzip2
	case len(b) >= 4 && bytes.Equal(b[:4], []byte{0x28, 0xB5, 0x2F, 0xFD}):
		return CompressionZstd
	case len(b) >= 6 && bytes.Equal(b[:6], []byte{0xFD, '7', 'z', 'X', 'Z', 0}):
		return CompressionXZ
	}
	return CompressionNone
}

// ErrUnsupportedCompression is returned (wrapped, naming the format) for
// zstd and xz input.
var ErrUnsupportedCompression = errors.New("mrt: unsupported compression")

// Sizes of the buffers the decompressing goroutine fills: big enough
// that the hand-over costs nothing next to parsing (64 KiB, 256 KiB,
// then 1 MiB), few enough that memory stays constant (at most
// chunkCount × chunkSize, plus the carry buffer of a record that
// straddles two chunks).
const (
	chunkSize  = 1 << 20
	chunkCount = 4
)

// chunk is one filled buffer, or the error that ended the stream.
type chunk struct {
	b   []byte
	err error // nil: b holds data; io.EOF: clean end; other: read/decompression error
}

// source runs the read (and decompression) of a stream in its own
// goroutine, so that it overlaps with parsing on another core. Filled
// buffers travel on full; the parser gives them back on free.
type source struct {
	made int // buffers made so far (by the goroutine)
	sent int // chunks sent so far (by the goroutine)
	full chan chunk
	free chan []byte
	stop chan struct{}
	once sync.Once
}

func newSource(r io.Reader) *source {
	s := &source{
		full: make(chan chunk, chunkCount),
		free: make(chan []byte, chunkCount),
		stop: make(chan struct{}),
	}
	go s.run(r)
	return s
}

// run fills free buffers from r until r ends, fails or the source is
// closed. A short read is not an end: only io.EOF is.
func (s *source) run(r io.Reader) {
	defer close(s.full)
	for {
		var b []byte
		select {
		case b = <-s.free:
		default:
			if s.made < chunkCount {
				// Buffers are made as needed, small ones first, so that
				// a small file costs little.
				b = make([]byte, min(chunkSize, 64<<10<<(2*s.made)))
				s.made++
				break
			}
			select {
			case b = <-s.free:
			case <-s.stop:
				return
			}
		}
		if cap(b) < chunkSize && s.sent >= chunkCount {
			b = make([]byte, chunkSize) // a long stream: small buffers retire
		}
		n := 0
		var err error
		for n < len(b) && err == nil {
			var k int
			k, err = r.Read(b[n:])
			n += k
		}
		if n > 0 {
			select {
			case s.full <- chunk{b: b[:n]}:
				s.sent++
			case <-s.stop:
				return
			}
		}
		if err != nil {
			select {
			case s.full <- chunk{err: err}:
			case <-s.stop:
			}
			return
		}
	}
}

// next returns the next chunk; ok is false once the goroutine has
// ended (after the chunk carrying its final error).
func (s *source) next() (chunk, bool) {
	c, ok := <-s.full
	return c, ok
}

// recycle gives a buffer back to the goroutine.
func (s *source) recycle(b []byte) {
	select {
	case s.free <- b[:cap(b)]:
	default: // cannot happen: free holds every buffer at most once
	}
}

// close tells the goroutine to stop. It does not wait: a read that
// blocks (a terminal, a pipe) would block the caller too; the goroutine
// ends when that read returns (Reader.Close closes the file it reads,
// which makes it return).
func (s *source) close() {
	s.once.Do(func() { close(s.stop) })
}

// Open opens an MRT file for reading ("-" is standard input); see
// NewReader. Close the Reader to close the file.
func Open(path string) (*Reader, error) {
	if path == "-" {
		return NewReader(os.Stdin)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.closer = f
	return r, nil
}

// NewReader returns a Reader of the MRT records in r, which may be plain,
// gzip (several members too) or bzip2: the first octets tell. Zstandard
// and xz streams are refused with an error wrapping
// ErrUnsupportedCompression that names the format. A stream too short
// to tell is read as plain MRT.
//
// Reading and decompression run in a goroutine that hands 1 MiB buffers
// to the parser; Close stops it.
func NewReader(r io.Reader) (*Reader, error) {
	counter := &countingReader{r: r}
	br := bufio.NewReaderSize(counter, 64<<10)
	magic, err := br.Peek(6)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		if len(magic) == 0 {
			return nil, err
		}
	}
	c := detect(magic)
	var src io.Reader = br
	switch c {
	case CompressionGzip:
		z, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("mrt: gzip: %w", err)
		}
		src = z
	case CompressionBzip2:
		src = bzip2.NewReader(br)
	case CompressionZstd, CompressionXZ:
		return nil, fmt.Errorf("%w: %s (decompress it first, e.g. zstd -dc FILE | ze mrt dump -)", ErrUnsupportedCompression, c)
	}
	return &Reader{src: newSource(src), compression: c, counter: counter}, nil
}
