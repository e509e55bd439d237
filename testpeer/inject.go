package testpeer

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
)

// flushAt is how much encoded output the injector gathers before one
// write.
const flushAt = 256 << 10

// injector encodes generated routes straight into a reused buffer: the
// attributes shared by every UPDATE are encoded once, each UPDATE is
// header + attributes (+ MED with unique attributes) + prefixes
// (RFC 4271 §4.3; MP_REACH_NLRI / MP_UNREACH_NLRI for IPv6, RFC 4760).
type injector struct {
	s       *session
	ic      *InjectConfig
	fam     wire.Family
	fams    []wire.Family // negotiated: End-of-RIB for each
	addPath bool
	max     int    // message size limit
	head    []byte // attributes before MED: ORIGIN, AS_PATH, NEXT_HOP (IPv4)
	tail    []byte // attributes between MED and MP_REACH_NLRI: LOCAL_PREF (iBGP)
	high    []byte // attributes after MP_REACH_NLRI: AS4_PATH (towards a 2-octet-AS peer)
	nh      []byte // MP_REACH_NLRI next hop field (IPv6)
	per     int    // prefixes per UPDATE, capped by the message size
	tmpl    []byte // IPv4 with shared attributes: header, empty Withdrawn Routes, the attributes
	buf     []byte
	scratch []byte
	octets  int64
}

func newInjector(s *session) (*injector, error) {
	ic := &s.cfg.Inject
	s.mu.Lock()
	send := s.sendCtx
	local, remote := s.localSet, s.remoteSet
	asn, remoteASN := s.asn, s.remoteASN
	s.mu.Unlock()
	in := &injector{s: s, ic: ic, fam: ic.family(), max: send.MaxLen(), buf: make([]byte, 0, flushAt+wire.MaxExtendedLen)}
	in.fams = capability.CommonFamilies(local, remote)
	found := false
	for _, f := range in.fams {
		found = found || f == in.fam
	}
	if !found {
		return nil, fmt.Errorf("family %s was not negotiated", in.fam)
	}
	in.addPath = send.AddPath(in.fam)
	nh := ic.NextHop
	if !nh.IsValid() {
		nh = s.local.Addr().Unmap()
	}
	ibgp := asn == remoteASN
	if err := in.attributes(nh, asn, ibgp, send); err != nil {
		return nil, err
	}
	// Cap prefixes per UPDATE so that every UPDATE fits.
	pfx := 1 + (ic.PrefixStart.Bits()+7)/8
	if in.addPath {
		pfx += 4
	}
	room := in.max - wire.HeaderLen - 4 - len(in.head) - len(in.tail) - len(in.high) - 7 // MED
	if in.fam.AFI != wire.AFIIPv4 {
		room -= 4 + 5 + len(in.nh) // MP_REACH_NLRI header (extended length) and fields
	}
	in.per = max(1, min(ic.PerUpdate, room/pfx))
	if in.fam.AFI == wire.AFIIPv4 && !ic.UniqueAttrs {
		in.tmpl = wire.AppendHeader(nil, wire.TypeUpdate)
		in.tmpl = append(in.tmpl, 0, 0) // no withdrawn routes
		in.tmpl = binary.BigEndian.AppendUint16(in.tmpl, uint16(len(in.head)+len(in.tail)+len(in.high)))
		in.tmpl = append(append(append(in.tmpl, in.head...), in.tail...), in.high...)
	}
	return in, nil
}

// attributes encodes the attributes every UPDATE shares with package
// route's encoder, the one `ze bgp encode` and the script's `send route`
// use (so that, towards a peer without 4-octet AS support, an AS above
// 65535 goes as AS_TRANS in AS_PATH with the real path in AS4_PATH,
// RFC 6793 §4.2.2): ORIGIN IGP, AS_PATH [asn] (empty for iBGP), NEXT_HOP
// or the MP_REACH_NLRI next hop, LOCAL_PREF 100 for iBGP. It splits them
// around the MED (code 4) and MP_REACH_NLRI (code 14) so that every
// UPDATE keeps ascending type codes.
func (in *injector) attributes(nh netip.Addr, asn uint32, ibgp bool, send wire.Context) error {
	r := route.Route{Family: in.fam, Prefix: in.ic.PrefixStart, NextHop: nh, Origin: attr.OriginIGP}
	if ibgp {
		r.LocalPref, r.HasLocalPref = 100, true
	} else {
		r.ASPath = []attr.Segment{{Type: attr.ASSequence, ASNs: []uint32{asn}}}
	}
	msg, err := r.AppendUpdate(nil, send)
	if err != nil {
		return err
	}
	u, err := message.ParseUpdate(msg)
	if err != nil {
		return err
	}
	it := u.Attributes()
	for it.Next() {
		switch c := it.Code(); {
		case c == attr.CodeMPReach:
			m, err := attr.ParseMPReach(it.Value())
			if err != nil {
				return err
			}
			in.nh = append([]byte(nil), m.NextHop...)
		case c < attr.CodeMED:
			in.head = append(in.head, it.Raw()...)
		case c < attr.CodeMPReach:
			in.tail = append(in.tail, it.Raw()...)
		default:
			in.high = append(in.high, it.Raw()...)
		}
	}
	return it.Err()
}

// appendUpdate appends one UPDATE announcing (or withdrawing) the next n
// prefixes of g; med is its MED with unique attributes.
func (in *injector) appendUpdate(dst []byte, g *prefixGen, n int, med uint32, withdraw bool) []byte {
	start := len(dst)
	if in.tmpl != nil && !withdraw {
		// Only the NLRI field changes from one UPDATE to the next.
		dst = in.appendPrefixes(append(dst, in.tmpl...), g, n)
		wire.SetLength(dst[start:])
		return dst
	}
	dst = wire.AppendHeader(dst, wire.TypeUpdate)
	v4 := in.fam.AFI == wire.AFIIPv4
	if withdraw && v4 {
		wpos := len(dst)
		dst = append(dst, 0, 0)
		dst = in.appendPrefixes(dst, g, n)
		binary.BigEndian.PutUint16(dst[wpos:], uint16(len(dst)-wpos-2))
		dst = append(dst, 0, 0)
		wire.SetLength(dst[start:])
		return dst
	}
	dst = append(dst, 0, 0) // no withdrawn routes
	apos := len(dst)
	dst = append(dst, 0, 0)
	if !withdraw {
		dst = append(dst, in.head...)
		if in.ic.UniqueAttrs {
			dst = attr.AppendMED(dst, med)
		}
		dst = append(dst, in.tail...)
	}
	if !v4 {
		in.scratch = in.appendPrefixes(in.scratch[:0], g, n)
		if withdraw {
			dst = attr.AppendMPUnreach(dst, in.fam, in.scratch)
		} else {
			dst = attr.AppendMPReach(dst, in.fam, in.nh, in.scratch)
		}
	}
	if !withdraw {
		dst = append(dst, in.high...)
	}
	binary.BigEndian.PutUint16(dst[apos:], uint16(len(dst)-apos-2))
	if v4 {
		dst = in.appendPrefixes(dst, g, n)
	}
	wire.SetLength(dst[start:])
	return dst
}

// appendPrefixes appends the next n prefixes of g in RFC 4271 §4.3 form
// (path identifier 1 first with ADD-PATH, RFC 7911 §3).
func (in *injector) appendPrefixes(dst []byte, g *prefixGen, n int) []byte {
	if !g.is4 || in.addPath {
		for range n {
			dst = nlri.AppendPrefix(dst, g.prefix(), 1, in.addPath)
			g.advance()
		}
		return dst
	}
	// IPv4 without path identifiers, the benchmark's case: the length
	// octet and the significant octets straight from the counter (the
	// prefixes are masked, so no host bit is written), into room made
	// once (4 spare octets: each entry is written as 5 and advances by
	// 1+nb).
	nb := (g.length + 7) / 8
	start := len(dst)
	dst = slices.Grow(dst, n*(1+nb)+4)
	out := dst[start : start+n*(1+nb)+4]
	bits, v, step := byte(g.length), uint32(g.lo), uint32(g.stepLo)
	o := 0
	if nb == 3 { // a /17 to /24: the whole entry is one 4-octet store
		for range n {
			binary.BigEndian.PutUint32(out[o:o+4], uint32(bits)<<24|v>>8)
			o += 4
			v += step
		}
	} else {
		for range n {
			out[o] = bits
			binary.BigEndian.PutUint32(out[o+1:o+5], v)
			o += 1 + nb
			v += step
		}
	}
	g.lo += uint64(n) * g.stepLo
	return dst[:start+n*(1+nb)]
}

// flush writes what was gathered.
func (in *injector) flush() error {
	if len(in.buf) == 0 {
		return nil
	}
	in.octets += int64(len(in.buf))
	err := in.s.write(in.buf)
	in.buf = in.buf[:0]
	return err
}

// run announces (or withdraws) every prefix at the configured rate and
// returns the number of UPDATEs.
func (in *injector) run(ctx context.Context, withdraw bool) (int, error) {
	g := newPrefixGen(in.ic.PrefixStart)
	start := time.Now()
	updates := 0
	for sent := 0; sent < in.ic.Count; {
		n := min(in.per, in.ic.Count-sent)
		in.buf = in.appendUpdate(in.buf, &g, n, uint32(updates), withdraw)
		sent += n
		updates++
		if len(in.buf) >= flushAt {
			if err := in.flush(); err != nil {
				return updates, err
			}
			if ctx.Err() != nil {
				return updates, ctx.Err()
			}
		}
		if in.ic.Rate > 0 {
			ahead := time.Duration(float64(sent)/in.ic.Rate*float64(time.Second)) - time.Since(start)
			if ahead > time.Millisecond {
				if err := in.flush(); err != nil {
					return updates, err
				}
				select {
				case <-time.After(ahead):
				case <-ctx.Done():
					return updates, ctx.Err()
				}
			}
		}
	}
	if !withdraw {
		// RFC 4724 §2: End-of-RIB for every negotiated family.
		for _, f := range in.fams {
			in.buf = appendEOR(in.buf, f)
		}
	}
	return updates, in.flush()
}

// injectSession runs inject mode on one session: wait for Established,
// open the expect-back session if any, send, End-of-RIB, withdraw,
// wait for the routes to come back, linger, then close.
func (p *Peer) injectSession(ctx context.Context, s *session) {
	select {
	case <-s.established:
	case <-s.done:
		return
	case <-ctx.Done():
		return
	}
	ic := &p.cfg.Inject
	if ic.MRT.File != "" {
		p.replayMRT(ctx, s)
		return
	}
	var back *backCounter
	if ic.ExpectBack != "" {
		var err error
		if back, err = p.openBack(ctx); err != nil {
			p.injectFailed(s, "expect-back session: "+err.Error())
			return
		}
	}
	in, err := newInjector(s)
	if err != nil {
		p.injectFailed(s, err.Error())
		return
	}
	rep := injectRun{start: time.Now(), count: int64(ic.Count)}
	if rep.updates, err = in.run(ctx, false); err != nil {
		p.injectFailed(s, "sending: "+waitError(ctx, err))
		return
	}
	rep.end = time.Now()
	if back != nil {
		if !back.wait(ctx, back.allSeen) {
			p.injectFailed(s, fmt.Sprintf("only %d of %d prefixes came back: %s", back.seenCount(), ic.Count, back.waitError(ctx)))
			return
		}
		rep.backAt = back.seenAt
	}
	if ic.Withdraw {
		select {
		case <-time.After(ic.WithdrawAfter):
		case <-ctx.Done():
			p.injectFailed(s, waitError(ctx, nil)+" before withdrawing")
			return
		}
		rep.wstart = time.Now()
		if _, err := in.run(ctx, true); err != nil {
			p.injectFailed(s, "withdrawing: "+waitError(ctx, err))
			return
		}
		rep.wend = time.Now()
		if back != nil {
			if !back.wait(ctx, back.allGone) {
				p.injectFailed(s, fmt.Sprintf("only %d of %d withdrawals came back: %s", back.goneCount(), ic.Count, back.waitError(ctx)))
				return
			}
			rep.backGoneAt = back.goneAt
		}
	}
	rep.octets = in.octets
	p.inject.add(rep, ic.Withdraw, back != nil)
	var bs *session
	if back != nil {
		bs = back.s
	}
	p.injectDone(ctx, s, bs)
}

// injectDone ends an inject session that did its work: it counts it,
// lingers (Inject.Linger: until ctx or the session ends, without limit
// when negative), closes the session and its expect-back session (back,
// nil when none), and stops a listening peer once Peers sessions
// injected.
func (p *Peer) injectDone(ctx context.Context, s, back *session) {
	p.injected.Add(1)
	if linger := p.cfg.Inject.Linger; linger != 0 {
		var after <-chan time.Time
		if linger > 0 {
			after = time.After(linger)
		}
		select {
		case <-after:
		case <-ctx.Done():
		case <-s.done:
		}
	}
	s.shutdown("ze-test peer: inject done")
	if back != nil {
		back.shutdown("ze-test peer: inject done")
	}
	if p.cfg.Listen != "" && int(p.injected.Load()) >= p.cfg.Peers {
		p.stop(nil)
	}
}

// injectFailed reports a failed inject session and closes it.
func (p *Peer) injectFailed(s *session, text string) {
	p.failures.Add(1)
	p.out.problem(fmt.Sprintf("error %s: inject: %s", s.name, text))
	s.shutdown("ze-test peer: inject failed")
	if p.cfg.Listen != "" {
		p.stop(nil)
	}
}

// openBack dials the expect-back session and waits for Established.
func (p *Peer) openBack(ctx context.Context) (*backCounter, error) {
	ic := &p.cfg.Inject
	conn, err := p.connect(ctx, ic.ExpectBack, ic.ExpectBackSource)
	if err != nil {
		return nil, err
	}
	s := p.addSession(conn, false)
	if ic.ExpectBackASN != 0 {
		s.asn = ic.ExpectBackASN
	}
	b := newBackCounter(ic)
	b.s = s
	s.back = b
	s.start()
	select {
	case <-s.established:
		return b, nil
	case <-s.done:
		return nil, fmt.Errorf("session to %s ended before Established", ic.ExpectBack)
	case <-ctx.Done():
		return nil, fmt.Errorf("%s before Established", waitError(ctx, nil))
	}
}

// injectRun is one session's inject timings.
type injectRun struct {
	start, end         time.Time
	wstart, wend       time.Time
	backAt, backGoneAt time.Time
	count, octets      int64
	updates            int
}
