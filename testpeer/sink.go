package testpeer

import (
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// counters are one session's message and prefix counts.
type counters struct {
	mu        sync.Mutex
	msgs      [6]int64 // by type (1-5), 0 for others
	octets    int64
	fams      map[wire.Family]*famCount
	rfc7606   int64
	echoed    int64
	notEchoed int64
	eorDone   bool // End-of-RIB seen for every negotiated family
}

type famCount struct {
	announced, withdrawn int64
	eor                  bool
}

func (c *counters) init() { c.fams = make(map[wire.Family]*famCount, 2) }

func (c *counters) fam(f wire.Family) *famCount {
	fc := c.fams[f]
	if fc == nil {
		fc = &famCount{}
		c.fams[f] = fc
	}
	return fc
}

// seen counts one received message of any type, in any state.
func (c *counters) seen(typ wire.Type, n int) {
	c.mu.Lock()
	if int(typ) < len(c.msgs) {
		c.msgs[typ]++
	} else {
		c.msgs[0]++
	}
	c.octets += int64(n)
	c.mu.Unlock()
}

// update counts the prefixes of an UPDATE received in Established. It
// applies the RFC 7606 checks (checkUpdate) and returns the error when
// they call for a session reset; milder verdicts are only counted. It
// reports whether the message was an End-of-RIB. The check and the
// count of the classic fields share one walk (checkUpdate); the lock is
// held only to add the counts.
func (c *counters) update(msg []byte, ctx wire.Context) (eor bool, err *wire.Error) {
	u, n, mild, we := checkUpdate(msg, ctx)
	if we != nil {
		return false, we
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if mild {
		c.rfc7606++
	}
	if f, ok := u.EndOfRIB(); ok {
		c.fam(f).eor = true
		return true, nil
	}
	if n.Withdrawn > 0 || n.Announced > 0 {
		fc := c.fam(wire.IPv4Unicast)
		fc.withdrawn += int64(n.Withdrawn)
		fc.announced += int64(n.Announced)
	}
	if m, ok, err := u.MPReach(); ok && err == nil {
		if m.Family.IsIP() {
			c.fam(m.Family).announced += int64(n.MPAnnounced)
		} else if len(m.NLRI) > 0 {
			c.fam(m.Family).announced++ // other families' NLRI are not parsed yet: one per attribute
		}
	}
	if m, ok, err := u.MPUnreach(); ok && err == nil {
		if m.Family.IsIP() {
			c.fam(m.Family).withdrawn += int64(n.MPWithdrawn)
		} else if len(m.NLRI) > 0 {
			c.fam(m.Family).withdrawn++
		}
	}
	return false, nil
}

// allEOR reports (once) whether End-of-RIB arrived for every family the
// two OPENs have in common.
func (c *counters) allEOR(local, remote capability.Set) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.eorDone {
		return false
	}
	for _, f := range capability.CommonFamilies(local, remote) {
		if fc := c.fams[f]; fc == nil || !fc.eor {
			return false
		}
	}
	c.eorDone = true
	return true
}

// checkUpdate parses an UPDATE and applies the RFC 7606 checks
// (message.CheckCount, which counts every IP NLRI on the same walk): err
// is the error when they call for a session reset (the NOTIFICATION it
// implies is wire.NotificationFor(err)); mild reports a treat-as-withdraw
// or attribute-discard verdict; n holds the counts (valid when err is
// nil).
func checkUpdate(msg []byte, ctx wire.Context) (u message.Update, n message.Counts, mild bool, err *wire.Error) {
	if perr := u.Parse(msg); perr != nil {
		return u, n, false, asWireError(perr)
	}
	n, cerr := message.CheckCount(u, ctx)
	if cerr != nil {
		we := asWireError(cerr)
		if we.Action == wire.ActionSessionReset {
			return u, n, false, we
		}
		mild = true
	}
	return u, n, mild, nil
}

// asWireError returns err as a *wire.Error (Malformed Attribute List,
// session reset, when it is not one).
func asWireError(err error) *wire.Error {
	var we *wire.Error
	if errors.As(err, &we) {
		return we
	}
	return wire.Errorf(wire.CodeUpdate, wire.SubMalformedAttributeList, nil, "%s", err.Error())
}

// establishedError returns the error a message received in Established
// implies, nil for a good one: an OPEN (FSM error 5/3, RFC 6608), an
// UPDATE with an RFC 7606 session-reset verdict (3/x), a malformed
// ROUTE-REFRESH.
func establishedError(msg []byte, typ wire.Type, recv wire.Context) *wire.Error {
	switch typ {
	case wire.TypeOpen:
		return wire.Errorf(wire.CodeFSM, 3, nil, "testpeer: open in Established")
	case wire.TypeUpdate:
		_, _, _, we := checkUpdate(msg, recv)
		return we
	case wire.TypeRouteRefresh:
		if _, err := wire.ParseRouteRefresh(msg); err != nil {
			return asWireError(err)
		}
	}
	return nil
}

// refusal is the ending of a session that received msg, which implies
// we: the NOTIFICATION is sent and the session fails.
func (s *session) refusal(msg []byte, typ wire.Type, recv wire.Context, we *wire.Error) *ending {
	n := wire.NotificationFor(we)
	s.notify(n)
	return &ending{text: refusalText(typ, we), failed: true, sent: &n, detail: describeReceived(msg, recv)}
}

// refusalText says why a message of type typ was refused:
// `malformed update: …`, `OPEN refused: …`, or the handshake-order
// problem itself.
func refusalText(typ wire.Type, we *wire.Error) string {
	switch we.Code {
	case wire.CodeFSM:
		return we.Msg
	case wire.CodeOpen:
		return "OPEN refused: " + we.Msg
	}
	return "malformed " + typ.String() + ": " + we.Msg
}

// handle is the per-message work of an established session outside
// check mode: count (sink), send back (echo), forward (reflect), and
// track the prefixes that come back (inject --expect-back).
func (p *Peer) handle(s *session, msg []byte, typ wire.Type, recv wire.Context) *ending {
	var eor bool
	var we *wire.Error
	switch typ {
	case wire.TypeUpdate:
		eor, we = s.counts.update(msg, recv)
	default:
		we = establishedError(msg, typ, recv)
	}
	if we != nil {
		return s.refusal(msg, typ, recv, we)
	}
	if s.back != nil {
		s.back.see(msg, typ, recv)
		return nil
	}
	if typ == wire.TypeUpdate {
		switch p.cfg.Mode {
		case ModeEcho:
			s.echo(msg, recv)
		case ModeReflect:
			p.reflect(s, msg, recv)
		}
	}
	if eor && p.cfg.SinkUntilEOR {
		s.mu.Lock()
		local, remote := s.localSet, s.remoteSet
		s.mu.Unlock()
		if s.counts.allEOR(local, remote) && int(p.eorSessions.Add(1)) >= p.cfg.Peers {
			p.stop(nil)
		}
	}
	return nil
}

// echo sends an UPDATE back unchanged when both directions use the same
// encoding context; otherwise it is counted as not echoed (re-encoding
// is not the echo's job) and reported once.
func (s *session) echo(msg []byte, recv wire.Context) {
	_, send := s.contexts()
	if send != recv {
		s.counts.mu.Lock()
		s.counts.notEchoed++
		first := s.counts.notEchoed == 1
		s.counts.mu.Unlock()
		if first {
			s.p.out.problem("note " + s.name + ": not echoing UPDATEs: the two directions negotiated different encodings (ADD-PATH, 4-octet AS or message size)")
		}
		return
	}
	if s.write(msg) == nil {
		s.counts.mu.Lock()
		s.counts.echoed++
		s.counts.mu.Unlock()
	}
}

// reflect sends an UPDATE to every other session that can take it
// (canForward) whose send context equals the context it was received
// with.
func (p *Peer) reflect(from *session, msg []byte, recv wire.Context) {
	for _, t := range p.snapshot() {
		if t == from {
			continue
		}
		if t.forward(msg, recv) {
			from.counts.mu.Lock()
			from.counts.echoed++
			from.counts.mu.Unlock()
		}
	}
}

// canForward reports whether UPDATEs may be sent to s: our OPEN and
// KEEPALIVE went out and the contexts are known (OpenConfirm or
// Established). The remote sees our KEEPALIVE before anything forwarded,
// so it is Established by then; a session that has just been opened
// does not miss what arrives meanwhile on the others.
func (s *session) canForward() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.negotiated && s.kaSent && !s.closing && (s.state == stateOpenConfirm || s.state == stateEstablished)
}

// Summary is the JSON summary of sink, echo and reflect modes (also
// available for the others), printed as {"MODE":{…}}.
type Summary struct {
	Seconds     float64                `json:"seconds"`
	Sessions    int                    `json:"sessions"`    // connections made
	Established int                    `json:"established"` // of them, reached Established
	Errors      int                    `json:"errors"`      // sessions that ended in a failure
	Messages    map[string]int64       `json:"messages"`    // received, by type
	Octets      int64                  `json:"octets"`      // received
	Families    map[string]FamilyCount `json:"families"`
	RFC7606     int64                  `json:"rfc7606,omitempty"`    // UPDATEs with a treat-as-withdraw or attribute-discard verdict
	Echoed      int64                  `json:"echoed,omitempty"`     // UPDATEs sent back (echo) or forwarded (reflect)
	NotEchoed   int64                  `json:"not-echoed,omitempty"` // UPDATEs not echoed: contexts differ
}

// FamilyCount is what arrived for one family.
type FamilyCount struct {
	Announced int64 `json:"announced"` // prefixes (one per MP_REACH_NLRI for families not parsed yet)
	Withdrawn int64 `json:"withdrawn"`
	EOR       int   `json:"eor"` // sessions that sent End-of-RIB
}

// Summary adds up every session's counts so far.
func (p *Peer) Summary() Summary {
	sum := Summary{
		Seconds:     time.Since(p.started).Seconds(),
		Established: int(p.established.Load()),
		Errors:      int(p.failures.Load()),
		Messages:    map[string]int64{},
		Families:    map[string]FamilyCount{},
	}
	for t := wire.TypeOpen; t <= wire.TypeRouteRefresh; t++ {
		sum.Messages[t.String()] = 0
	}
	for _, s := range p.snapshot() {
		sum.Sessions++
		c := &s.counts
		c.mu.Lock()
		for i, n := range c.msgs {
			if i == 0 {
				if n > 0 {
					sum.Messages["unknown"] += n
				}
				continue
			}
			sum.Messages[wire.Type(i).String()] += n
		}
		sum.Octets += c.octets
		sum.RFC7606 += c.rfc7606
		sum.Echoed += c.echoed
		sum.NotEchoed += c.notEchoed
		for f, fc := range c.fams {
			x := sum.Families[f.String()]
			x.Announced += fc.announced
			x.Withdrawn += fc.withdrawn
			if fc.eor {
				x.EOR++
			}
			sum.Families[f.String()] = x
		}
		c.mu.Unlock()
	}
	return sum
}

// WriteSummary prints the summary on stdout as one JSON line keyed by
// the mode: {"sink":{…}}. `ze-test peer` calls it on SIGUSR1 and at exit.
func (p *Peer) WriteSummary() {
	b, _ := json.Marshal(map[string]Summary{p.cfg.Mode.String(): p.Summary()})
	p.out.write(p.out.stdout, append(b, '\n'))
}
