//go:build interop

package exabgp

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/ze-bgp/ze/internal/capture"
	"github.com/ze-bgp/ze/internal/corpus"
	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// largeCapture is the 200k-prefix feed (15 MB): only its first
// largeLimit messages are compared.
const (
	largeCapture = "bird-frr-large-200k-ipv4-50k-ipv6"
	largeLimit   = 200
)

// pcapDir is the shared capture folder (corpus.PcapDir); "" when it is
// not there.
func pcapDir() string {
	if d, ok := corpus.PcapDir(); ok {
		return d
	}
	return ""
}

// captures lists the shared pcapng captures by name (file name without
// .pcapng), sorted.
func captures() ([]string, error) {
	files, err := filepath.Glob(filepath.Join(pcapDir(), "*.pcapng"))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".pcapng"))
	}
	return names, nil
}

// item is one captured message and what each decoder made of it.
type item struct {
	capture string
	index   int // 0-based message index in the capture (capture.Message.Index)
	typ     wire.Type
	data    []byte
	stream  int            // TCP connection number
	src     netip.AddrPort // sender
	dst     netip.AddrPort // receiver
	ctx     wire.Context   // the context its receiver decodes it with

	skip string  // why it is not compared ("" when it is)
	key  confKey // the ExaBGP configuration giving ExaBGP ctx

	ze, exa result // each side's JSON object or refusal
}

// errEnough stops a capture read early.
var errEnough = errors.New("enough messages")

// readCapture returns the messages of one capture with their decoding
// contexts, learnt the way `ze bgp decode` learns them: per TCP stream,
// the capabilities of each endpoint's OPEN, and for a message from A to
// B the context capability.ContextFromOpens gives for A → B (4-octet
// ASNs on until both OPENs are seen).
func readCapture(name string, limit int) ([]*item, error) {
	f, err := os.Open(filepath.Join(pcapDir(), name+".pcapng"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var opens capability.Observer
	var items []*item
	err = capture.ReadPcap(f, func(m capture.Message) error {
		if m.Err != nil {
			return nil // not a message: nothing to compare
		}
		if limit > 0 && len(items) >= limit {
			return errEnough
		}
		it := &item{capture: name, index: m.Index, data: append([]byte(nil), m.Data...), ctx: wire.Context{ASN4: true},
			stream: m.Stream, src: m.Src, dst: m.Dst}
		if len(m.Data) >= wire.HeaderLen {
			it.typ = wire.Type(m.Data[18])
		}
		if ctx, ok := opens.Context(m.Stream, m.Src, m.Dst); ok {
			it.ctx = ctx
		}
		if it.typ == wire.TypeOpen {
			if sp, ok := corpus.Speaker(m.Data); ok {
				opens.Observe(m.Stream, m.Src, sp)
			}
		}
		items = append(items, it)
		return nil
	})
	if errors.Is(err, errEnough) {
		err = nil
	}
	return items, err
}

// classify sets it.skip and it.key: what `exabgp --decode` can be asked
// to compare, and with which configuration.
func (it *item) classify() {
	if it.typ != wire.TypeUpdate {
		it.skip = "not an UPDATE: exabgp --decode decodes UPDATEs only (see TestSessionAgainstExaBGP)"
		return
	}
	it.key = confKey{asn4: it.ctx.ASN4}
	u, err := message.ParseUpdate(it.data)
	if err != nil {
		return // both must refuse it
	}
	var fams []wire.Family
	if len(u.Withdrawn) > 0 || len(u.NLRI) > 0 {
		fams = append(fams, wire.IPv4Unicast)
	}
	for _, c := range []attr.Code{attr.CodeMPReach, attr.CodeMPUnreach} {
		v, ok := attr.Find(u.Attrs, c)
		if !ok || len(v) < 3 {
			continue
		}
		f := wire.Family{AFI: wire.AFI(uint16(v[0])<<8 | uint16(v[1])), SAFI: wire.SAFI(v[2])}
		eor := c == attr.CodeMPUnreach && len(v) == 3
		if !f.IsIP() && !eor {
			it.skip = "family " + f.String() + ": ze does not parse its NLRI yet"
			return
		}
		fams = append(fams, f)
	}
	for i, f := range fams {
		ap := it.ctx.AddPath(f)
		if i > 0 && ap != it.key.addPath {
			it.skip = "ADD-PATH on for only some families of the message: exabgp --decode sets it for all families at once"
			return
		}
		it.key.addPath = ap
		it.key.extNH = it.key.extNH || it.ctx.ExtNextHop(f)
	}
}
