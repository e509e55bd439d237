package corpus

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

const (
	hexSuffix = ".hex.txt"
	tsvSuffix = ".msgs.tsv"
)

// Message is one message of a capture.
type Message struct {
	// Index is the message's 0-based position in the capture (its line
	// among the non-blank lines of X.hex.txt).
	Index int
	// Data is the whole message, header included: a view into one
	// array shared by the messages of the Load (capacity cut at its
	// end, so appending to it copies).
	Data []byte
	// Type is the header's type octet; 0 when Data is shorter than a
	// header.
	Type wire.Type

	// From X.msgs.tsv; zero, and Stream -1, when the capture has none.
	Frame    int            // 1-based frame number that completed the message
	Time     time.Time      // capture time of Frame
	Src, Dst netip.AddrPort // sender and receiver
	Stream   int            // TCP stream number
	EoR      string         // End-of-RIB family as msgs.tsv writes it, or ""

	// Ctx is the encoding context the receiver decodes the message with,
	// from the OPENs of its stream seen before it; Negotiated is false,
	// and Ctx zero (RFC 4271), until both were seen.
	Ctx        wire.Context
	Negotiated bool
}

// Load reads capture name of folder dir (X.hex.txt and, when present,
// X.msgs.tsv) and returns its messages in order, each with its row and
// its context (see the package doc). Errors: files that cannot be read,
// a line that is not hex, a msgs.tsv row that is malformed, out of order,
// or disagrees with its message's type or length, a different number of
// rows and messages, and a capture without msgs.tsv whose OPENs turn
// ADD-PATH on in one direction only (its messages have no direction, so
// their NLRI cannot be decoded).
func Load(dir, name string) ([]Message, error) {
	return LoadN(dir, name, 0)
}

// LoadN is Load of the first n messages only (all of them when n <= 0),
// for the large captures.
func LoadN(dir, name string, n int) ([]Message, error) {
	path := filepath.Join(dir, name)
	msgs, err := readHex(path+hexSuffix, n)
	if err != nil {
		return nil, err
	}
	rows, err := readTSV(path+tsvSuffix, msgs)
	if err != nil {
		return nil, err
	}
	if rows == 0 {
		err = learnInOrder(msgs)
	} else {
		learn(msgs)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return msgs, nil
}

// readHex reads the first n messages of path (all when n <= 0) into one
// array.
func readHex(path string, n int) ([]Message, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var arena []byte
	if n <= 0 {
		if st, err := f.Stat(); err == nil {
			arena = make([]byte, 0, st.Size()/2)
		}
	}
	var msgs []Message
	var ends []int // end of each message in arena
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan() && (n <= 0 || len(msgs) < n); line++ {
		h := bytes.TrimSpace(sc.Bytes())
		if len(h) == 0 {
			continue
		}
		off := len(arena)
		arena = append(arena, make([]byte, hex.DecodedLen(len(h)))...)
		if _, err := hex.Decode(arena[off:], h); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		m := Message{Index: len(msgs), Stream: -1}
		if len(arena)-off >= wire.HeaderLen {
			m.Type = wire.Type(arena[off+18])
		}
		msgs = append(msgs, m)
		ends = append(ends, len(arena))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	start := 0
	for i, end := range ends {
		msgs[i].Data = arena[start:end:end]
		start = end
	}
	return msgs, nil
}

// readTSV fills msgs from the rows of path and returns how many there
// were: 0 when path does not exist. It reads as many rows as there are
// messages, so that LoadN can stop early.
func readTSV(path string, msgs []Message) (int, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // the header line
	i := 0
	for line := 2; sc.Scan() && i < len(msgs); line++ {
		if sc.Text() == "" {
			continue
		}
		if err := parseRow(sc.Text(), i, &msgs[i]); err != nil {
			return 0, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		i++
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("%s: %v", path, err)
	}
	if i < len(msgs) {
		return 0, fmt.Errorf("%s: %d rows for %d messages", path, i, len(msgs))
	}
	return i, nil
}

// parseRow checks row, the msgs.tsv row of message index, against m
// (Data and Type set) and fills in m's other fields.
func parseRow(row string, index int, m *Message) error {
	c := strings.Split(row, "\t")
	if len(c) != 9 {
		return fmt.Errorf("%d columns, want 9", len(c))
	}
	idx, err1 := strconv.Atoi(c[0])
	frame, err2 := strconv.Atoi(c[1])
	tm, err3 := parseEpoch(c[2])
	src, err4 := netip.ParseAddrPort(c[3])
	dst, err5 := netip.ParseAddrPort(c[4])
	stream, err6 := strconv.Atoi(c[5])
	length, err7 := strconv.Atoi(c[7])
	if err := errors.Join(err1, err2, err3, err4, err5, err6, err7); err != nil {
		return err
	}
	m.Frame, m.Time, m.Src, m.Dst, m.Stream = frame, tm, src, dst, stream
	m.EoR = c[8]
	if idx != index {
		return fmt.Errorf("index %d, want %d", idx, index)
	}
	if length != len(m.Data) || !strings.EqualFold(c[6], m.Type.String()) {
		return fmt.Errorf("msgs.tsv says %s of %d octets, hex has type %d of %d octets", c[6], length, m.Type, len(m.Data))
	}
	return nil
}

// parseEpoch parses seconds since the Unix epoch with an optional
// fraction of up to 9 digits ("1795292731.305620"), exactly.
func parseEpoch(s string) (time.Time, error) {
	whole, frac, dot := strings.Cut(s, ".")
	if !digits(whole) || len(whole) > 18 || (dot && !digits(frac)) || len(frac) > 9 {
		return time.Time{}, fmt.Errorf("time %q: not seconds[.fraction]", s)
	}
	sec, _ := strconv.ParseInt(whole, 10, 64)
	var ns int64
	if frac != "" {
		ns, _ = strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
	}
	return time.Unix(sec, ns), nil
}

// digits reports whether s is one or more ASCII digits.
func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Speaker returns what the OPEN msg says, for capability.Observer; ok
// is false when msg is not an OPEN that parses (message.ParseOpen,
// Open.CapabilitySet; capabilities the RFCs say to ignore are skipped,
// as a speaker would).
func Speaker(msg []byte) (sp capability.Speaker, ok bool) {
	o, err := message.ParseOpen(msg)
	if err != nil {
		return sp, false
	}
	sp, err = o.Speaker()
	return sp, err == nil
}

// learn sets the contexts of a capture with endpoints.
func learn(msgs []Message) {
	var obs capability.Observer
	for i := range msgs {
		m := &msgs[i]
		m.Ctx, m.Negotiated = obs.Context(m.Stream, m.Src, m.Dst)
		if m.Type == wire.TypeOpen {
			if sp, ok := Speaker(m.Data); ok {
				obs.Observe(m.Stream, m.Src, sp)
			}
		}
	}
}

// learnInOrder sets the contexts of a capture without endpoints.
func learnInOrder(msgs []Message) error {
	var obs capability.Observer
	var ctx wire.Context
	var negotiated bool
	for i := range msgs {
		m := &msgs[i]
		m.Ctx, m.Negotiated = ctx, negotiated
		if m.Type != wire.TypeOpen {
			continue
		}
		sp, ok := Speaker(m.Data)
		if !ok {
			continue
		}
		obs.ObserveInOrder(m.Stream, sp)
		var oneWay []wire.Family
		ctx, oneWay, negotiated = obs.CommonContext(m.Stream)
		if len(oneWay) > 0 {
			return fmt.Errorf("message %d: no msgs.tsv, and ADD-PATH for %s is on in one direction only", m.Index, oneWay[0])
		}
	}
	return nil
}
