package decode

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/ze-bgp/ze/internal/capture"
	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/exabgp"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/textfmt"
	"github.com/ze-bgp/ze/speaker/wire"
	"github.com/ze-bgp/ze/speaker/zejson"
)

// Format names an output format.
type Format string

// Output formats.
const (
	FormatJSON   Format = "json"   // ze's JSON, docs/json.md
	FormatExaBGP Format = "exabgp" // ExaBGP's JSON encoder, byte for byte
	FormatText   Format = "text"   // one line per route
)

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatJSON, FormatExaBGP, FormatText:
		return f, nil
	}
	return "", fmt.Errorf("decode: unknown format %q (want json, exabgp or text)", s)
}

// Options control decoding. The zero value decodes hex with 4-octet ASNs
// learnt from OPENs (on by default), no ADD-PATH, ze JSON output.
type Options struct {
	Format        Format
	ExaBGPVersion exabgp.Version // 4 (default) or 5

	// ASN4 forces 4-octet ASN decoding on or off; nil learns it from the
	// OPENs in the input and defaults to on.
	ASN4 *bool
	// AddPath forces ADD-PATH path identifiers on for these families and
	// stops learning ADD-PATH from OPENs.
	AddPath []wire.Family
	// Family, when set, makes hex input NLRI-only: each line is the NLRI
	// field of that family (with path identifiers when AddPath names it).
	Family wire.Family

	// Neighbor defaults for the ExaBGP format when the input does not
	// say (hex input): addresses, ASNs and router ID.
	Neighbor exabgp.Neighbor
	// Host, PID and PPID fill the ExaBGP envelope's "host", "pid" and
	// "ppid" (the decoding process's, as ExaBGP prints its own).
	Host      string
	PID, PPID int

	// Warn receives non-fatal notes (ambiguous ADD-PATH direction in hex
	// input…); nil discards them.
	Warn io.Writer
}

// Result counts what a run decoded.
type Result struct {
	Messages int // messages written
	Failed   int // messages (or input lines/bytes) that did not decode
}

// Err returns a non-nil error when any message failed, for the exit code.
func (r Result) Err() error {
	if r.Failed > 0 {
		return fmt.Errorf("decode: %d of %d messages failed", r.Failed, r.Messages)
	}
	return nil
}

type decoder struct {
	o   Options
	w   *bufio.Writer
	buf []byte
	res Result
	// per TCP stream (-1 for hex input), each endpoint's OPEN
	opens capability.Observer
	// the note about one-way ADD-PATH in hex input was written
	warned bool
}

func newDecoder(w io.Writer, o Options) *decoder {
	if o.Format == "" {
		o.Format = FormatJSON
	}
	if o.ExaBGPVersion == 0 {
		o.ExaBGPVersion = 4
	}
	if !o.Neighbor.LocalAddress.IsValid() {
		o.Neighbor.LocalAddress = netip.MustParseAddr("127.0.0.1")
	}
	if !o.Neighbor.PeerAddress.IsValid() {
		o.Neighbor.PeerAddress = netip.MustParseAddr("127.0.0.1")
	}
	if !o.Neighbor.RouterID.IsValid() {
		o.Neighbor.RouterID = netip.MustParseAddr("127.0.0.1")
	}
	if o.Neighbor.LocalAS == 0 {
		o.Neighbor.LocalAS = 65533
	}
	if o.Neighbor.PeerAS == 0 {
		o.Neighbor.PeerAS = 65533
	}
	if o.Neighbor.Direction == "" {
		o.Neighbor.Direction = "in"
	}
	return &decoder{o: o, w: bufio.NewWriterSize(w, 64<<10)}
}

// Hex decodes hex text: one message per line (see capture.ReadHex for the
// accepted forms), or with o.Family set, one NLRI field per line.
func Hex(r io.Reader, w io.Writer, o Options) (Result, error) {
	d := newDecoder(w, o)
	var err error
	if o.Family != (wire.Family{}) {
		err = readNLRILines(r, d.message)
	} else {
		err = capture.ReadHex(r, d.message)
	}
	if ferr := d.w.Flush(); err == nil {
		err = ferr
	}
	return d.res, err
}

// Strings decodes hex messages given as arguments.
func Strings(args []string, w io.Writer, o Options) (Result, error) {
	return Hex(strings.NewReader(strings.Join(args, "\n")), w, o)
}

// Pcap decodes a pcap or pcapng capture of BGP sessions (TCP port 179).
func Pcap(r io.Reader, w io.Writer, o Options) (Result, error) {
	d := newDecoder(w, o)
	err := capture.ReadPcap(r, d.message)
	if ferr := d.w.Flush(); err == nil {
		err = ferr
	}
	return d.res, err
}

func (d *decoder) message(m capture.Message) error {
	if m.Err != nil {
		d.res.Messages++
		d.res.Failed++
		d.buf = appendErrorLine(d.buf[:0], m, m.Err)
		_, err := d.w.Write(d.buf)
		return err
	}
	if d.o.Family != (wire.Family{}) {
		return d.nlriOnly(m)
	}
	ctx, nb := d.context(m)
	meta := zejson.Meta{Index: m.Index + 1, Stream: m.Stream, Src: m.Src, Dst: m.Dst, Time: m.Time}
	var err error
	buf := d.buf[:0]
	switch d.o.Format {
	case FormatExaBGP:
		buf, err = exabgp.AppendMessage(buf, d.o.ExaBGPVersion, m.Data, ctx, nb, exabgp.Meta{Time: m.Time, Counter: m.Index + 1, Host: d.o.Host, PID: d.o.PID, PPID: d.o.PPID})
		if err != nil {
			// ExaBGP has no error object; write ze's, which says what the
			// NOTIFICATION would be.
			buf, _ = zejson.AppendMessage(d.buf[:0], m.Data, ctx, meta)
		}
	case FormatText:
		buf, err = textfmt.AppendMessage(buf, m.Data, ctx, meta)
		if err != nil {
			buf, _ = zejson.AppendMessage(d.buf[:0], m.Data, ctx, meta)
		}
	default:
		buf, err = zejson.AppendMessage(buf, m.Data, ctx, meta)
	}
	if len(buf) > 0 && buf[len(buf)-1] != '\n' {
		buf = append(buf, '\n')
	}
	d.buf = buf
	d.res.Messages++
	if err != nil {
		d.res.Failed++
	}
	_, werr := d.w.Write(buf)
	if err == nil && len(m.Data) > wire.HeaderLen && wire.Type(m.Data[18]) == wire.TypeOpen {
		d.learn(m)
	}
	return werr
}

// learn records the capabilities of an OPEN for its stream.
func (d *decoder) learn(m capture.Message) {
	o, err := message.ParseOpen(m.Data)
	if err != nil {
		return
	}
	sp, err := o.Speaker()
	if err != nil {
		return
	}
	if m.Stream < 0 {
		// Hex input has no endpoints: the two OPENs are told apart by
		// order, and a third one starts a new session.
		d.opens.ObserveInOrder(m.Stream, sp)
		return
	}
	d.opens.Observe(m.Stream, m.Src, sp)
}

// context returns the encoding context and ExaBGP neighbor for m.
func (d *decoder) context(m capture.Message) (wire.Context, exabgp.Neighbor) {
	// Until both OPENs are seen, decode permissively: 4-octet ASNs and
	// messages up to 65535 octets.
	ctx := wire.Context{ASN4: true, ExtendedMessage: true}
	nb := d.o.Neighbor
	if m.Stream >= 0 {
		nb.PeerAddress, nb.LocalAddress = m.Src.Addr(), m.Dst.Addr()
		if from, ok := d.opens.Speaker(m.Stream, m.Src); ok {
			nb.PeerAS = from.ASN
		}
		if to, ok := d.opens.Speaker(m.Stream, m.Dst); ok {
			nb.LocalAS, nb.RouterID = to.ASN, to.RouterID
		}
		if c, ok := d.opens.Context(m.Stream, m.Src, m.Dst); ok {
			ctx = c
		}
	} else if c, oneWay, ok := d.opens.CommonContext(m.Stream); ok {
		ctx = c
		if len(oneWay) > 0 && !d.warned && d.o.AddPath == nil && d.o.Warn != nil {
			d.warned = true
			f := oneWay[0]
			fmt.Fprintf(d.o.Warn, "ze: ADD-PATH for %s is on in one direction only and hex input has no direction: decoding without path identifiers (use --add-path %s if needed)\n", f, f)
		}
	}
	if d.o.ASN4 != nil {
		ctx.ASN4 = *d.o.ASN4
	}
	if d.o.AddPath != nil {
		for _, f := range ctx.AddPathFamilies() {
			ctx, _ = ctx.WithAddPath(f, false)
		}
		for _, f := range d.o.AddPath {
			ctx, _ = ctx.WithAddPath(f, true)
		}
	}
	return ctx, nb
}

// readNLRILines reads hex lines holding bare NLRI fields (no marker is
// ever added): spaces, ':' and a 0x prefix are ignored.
func readNLRILines(r io.Reader, fn func(capture.Message) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(strings.TrimPrefix(line, "0x"), "0X")
		line = strings.NewReplacer(" ", "", ":", "", "\t", "").Replace(line)
		b, err := hex.DecodeString(line)
		if err != nil {
			return fmt.Errorf("decode: line %d: %v", n, err)
		}
		if err := fn(capture.Message{Data: b, Index: n - 1, Stream: -1, Frame: n}); err != nil {
			return err
		}
	}
	return sc.Err()
}

// nlriOnly decodes a line holding only NLRI of d.o.Family.
func (d *decoder) nlriOnly(m capture.Message) error {
	f := d.o.Family
	addPath := false
	for _, a := range d.o.AddPath {
		addPath = addPath || a == f
	}
	buf := d.buf[:0]
	d.res.Messages++
	if !f.IsIP() {
		buf = fmt.Appendf(buf, `{"family":%q,"parsed":false,"raw":"%X"}`+"\n", f.String(), m.Data)
	} else {
		it := nlri.NewIterator(m.Data, f, addPath)
		buf = fmt.Appendf(buf, `{"family":%q,"nlri":[`, f.String())
		for n := 0; it.Next(); n++ {
			if n > 0 {
				buf = append(buf, ',')
			}
			buf = fmt.Appendf(buf, `{"prefix":"%s"`, it.Prefix())
			if addPath {
				buf = fmt.Appendf(buf, `,"path-id":%d`, it.PathID())
			}
			buf = append(buf, '}')
		}
		buf = append(buf, ']')
		if err := it.Err(); err != nil {
			d.res.Failed++
			buf = fmt.Appendf(buf, `,"error":%q,"parsed":false`, err.Error())
		}
		buf = append(buf, "}\n"...)
	}
	d.buf = buf
	_, err := d.w.Write(buf)
	return err
}

// appendErrorLine writes the JSON line for input that is not a message.
func appendErrorLine(dst []byte, m capture.Message, err error) []byte {
	dst = fmt.Appendf(dst, `{"error":%q,"parsed":false`, err.Error())
	if m.Stream >= 0 {
		dst = fmt.Appendf(dst, `,"stream":%d,"src":"%s","dst":"%s"`, m.Stream, m.Src, m.Dst)
	}
	if !m.Time.IsZero() {
		dst = fmt.Appendf(dst, `,"time":"%s"`, m.Time.UTC().Format(time.RFC3339Nano))
	}
	var we *wire.Error
	if errors.As(err, &we) {
		dst = fmt.Appendf(dst, `,"notification":{"code":%d,"subcode":%d,"data":"%X"}`, we.Code, we.Subcode, we.Data)
	}
	if len(m.Data) > 0 {
		dst = fmt.Appendf(dst, `,"raw":"%X"`, m.Data)
	}
	return append(dst, "}\n"...)
}
