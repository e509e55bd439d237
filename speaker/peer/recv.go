package peer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Causes recorded in DownError.Err.
var (
	ErrCollision = errors.New("peer: connection collision resolution (RFC 4271 §6.8)")
	ErrMaxPrefix = errors.New("peer: maximum number of prefixes reached")
)

// maxHex bounds the hex dump of a message in a log line.
const maxHex = 4096

func hexOf(b []byte) string {
	if len(b) > maxHex {
		return fmt.Sprintf("%X…", b[:maxHex])
	}
	return fmt.Sprintf("%X", b)
}

// noteKind says which handler method the reader calls after a message.
type noteKind uint8

const (
	noteNone noteKind = iota
	noteUp
	noteUpdate
	noteRefresh
)

// note is what the reader tells the handler after a message, outside
// the session lock; exit means the connection was dropped.
type note struct {
	kind       noteKind
	recv, send wire.Context
	remote     capability.Speaker
	u          message.Update
	verdict    error
	rr         wire.RouteRefresh
	exit       bool
}

// deliver calls the handler for n; false when the reader must stop.
func (s *Session) deliver(c *conn, n note, up *bool) bool {
	switch n.kind {
	case noteUp:
		*up = true
		s.log.Info("session established", "connection", c.l.dir, "recv", fmt.Sprintf("%+v", n.recv), "peer-asn", n.remote.ASN,
			"peer-id", n.remote.RouterID)
		s.h.Established(s, n.recv, n.send, n.remote)
	case noteUpdate:
		if *up {
			s.h.Update(s, n.u, n.verdict)
		}
	case noteRefresh:
		if *up {
			s.h.RouteRefresh(s, n.rr)
		}
	}
	return !n.exit
}

// receive turns one whole message into FSM input and says what to tell
// the handler.
func (s *Session) receive(c *conn, msg []byte) note {
	typ := wire.Type(msg[18])
	s.ctr.in[typeIndex(typ)].Add(1)
	s.ctr.octetsIn.Add(uint64(len(msg)))
	s.mu.Lock()
	defer s.mu.Unlock()
	l := c.l
	if l.c != c {
		return note{exit: true}
	}
	s.log.Debug("received", "type", typ, "length", len(msg), "state", l.m.State())
	var n note
	switch typ {
	case wire.TypeOpen:
		s.onOpen(l, msg)
	case wire.TypeKeepalive:
		s.step(l, fsm.Input{Event: fsm.KeepAliveMsg}, nil)
	case wire.TypeUpdate:
		n = s.onUpdate(l, msg)
	case wire.TypeNotification:
		nt, _ := wire.ParseNotification(msg) // Header checked the 21 octets
		text, _, _ := nt.Communication()
		s.log.Warn("notification received", "notification", fmt.Sprintf("%d/%d", nt.Code, nt.Subcode),
			"text", nt.Code.String()+"/"+wire.SubcodeString(nt.Code, nt.Subcode), "communication", text, "hex", hexOf(msg))
		s.step(l, fsm.Input{Event: fsm.NotificationEvent(nt), Notification: nt}, nil)
	case wire.TypeRouteRefresh:
		n = s.onRefresh(l, msg)
	}
	if l.c == c && c.pendingUp {
		c.pendingUp = false
		n = note{kind: noteUp, recv: l.recv, send: l.send, remote: l.remote}
	}
	n.exit = l.c != c
	return n
}

// readFailed handles a read that did not give a whole message: a header
// error (RFC 4271 §6.1: its NOTIFICATION), or the connection failing.
func (s *Session) readFailed(c *conn, partial []byte, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := c.l
	if l.c != c {
		return
	}
	var we *wire.Error
	switch {
	case errors.As(err, &we):
		s.log.Warn("malformed message", "type", typeOf(partial), "error", we, "hex", hexOf(partial))
		s.step(l, fsm.Input{Event: fsm.BGPHeaderErr, Notification: wire.NotificationFor(we)}, we)
	case len(partial) > 0 && errors.Is(err, io.ErrUnexpectedEOF):
		s.log.Warn("connection closed in the middle of a message", "error", err, "hex", hexOf(partial))
		s.step(l, fsm.Input{Event: fsm.TCPConnectionFails}, err)
	default:
		s.log.Info("connection closed", "error", err)
		s.step(l, fsm.Input{Event: fsm.TCPConnectionFails}, err)
	}
	if l.c == c { // not dropped by the Machine (cannot happen): drop it anyway
		l.c = nil
		c.reason = &DownError{Event: fsm.TCPConnectionFails, Err: err}
		c.shutdown()
		s.poke()
	}
}

func typeOf(msg []byte) string {
	if len(msg) < wire.HeaderLen {
		return "unknown"
	}
	return wire.Type(msg[18]).String()
}

// asWireError returns err as a *wire.Error, or a session reset with
// code and subcode 0 for an error of another kind.
func asWireError(err error, code wire.Code) *wire.Error {
	var we *wire.Error
	if errors.As(err, &we) {
		return we
	}
	return wire.Errorf(code, 0, nil, "%s", err.Error())
}

// onOpen handles the peer's OPEN: RFC 4271 §6.2 checks, the configured
// peer AS, collision detection against the other connection (§6.8),
// then BGPOpen and, once in OpenConfirm, the negotiated contexts.
func (s *Session) onOpen(l *link, msg []byte) {
	if st := l.m.State(); st != fsm.OpenSent && st != fsm.Connect && st != fsm.Active {
		s.step(l, fsm.Input{Event: fsm.BGPOpen}, nil) // FSM Error (RFC 6608 subcodes)
		return
	}
	o, err := message.ParseOpen(msg)
	if err == nil {
		err = o.Validate()
	}
	var sp capability.Speaker
	if err == nil {
		sp, err = o.Speaker()
	}
	if err == nil {
		err = s.checkOpen(o, sp)
	}
	if err != nil {
		we := asWireError(err, wire.CodeOpen)
		ev := fsm.BGPOpenMsgErr
		if we.Code == wire.CodeHeader {
			ev = fsm.BGPHeaderErr
		}
		s.log.Warn("malformed message", "type", wire.TypeOpen, "error", we, "hex", hexOf(msg))
		s.step(l, fsm.Input{Event: ev, Notification: wire.NotificationFor(we)}, we)
		return
	}
	if other := s.other(l); other != nil && other.c != nil {
		st := other.m.State()
		switch {
		case st == fsm.Established:
			// §6.8: a collision with an Established connection closes
			// the new one.
			s.log.Info("collision with the established connection", "closing", l.dir)
			s.step(l, fsm.Input{Event: fsm.OpenCollisionDump}, ErrCollision)
			return
		case st.Collides(false):
			keep, ok := fsm.Resolve(s.cfg.RouterID, o.BGPIdentifier, s.cfg.LocalASN, sp.ASN)
			if !ok {
				we := wire.Errorf(wire.CodeOpen, wire.SubBadBGPIdentifier, nil, "peer: BGP identifier %v and AS %d equal ours", o.BGPIdentifier, sp.ASN)
				s.step(l, fsm.Input{Event: fsm.BGPOpenMsgErr, Notification: wire.NotificationFor(we)}, we)
				return
			}
			if other.dir == l.dir {
				keep = l.dir // two connections the same way: the newer one wins
			}
			s.log.Info("connection collision", "keep", keep, "local-id", s.cfg.RouterID, "remote-id", o.BGPIdentifier)
			if keep != l.dir {
				s.step(l, fsm.Input{Event: fsm.OpenCollisionDump}, ErrCollision)
				return
			}
			s.step(other, fsm.Input{Event: fsm.OpenCollisionDump}, ErrCollision)
		}
	}
	s.step(l, fsm.Input{Event: fsm.BGPOpen, Open: fsm.Open{HoldTime: o.HoldTime, RouterID: o.BGPIdentifier, ASN: sp.ASN}}, nil)
	if st := l.m.State(); (st == fsm.OpenConfirm || st == fsm.OpenSent) && l.c != nil {
		l.remote = sp
		l.open = append(l.open[:0], msg...)
		gr, n := restartOf(o)
		l.gr = gr && s.cfg.Capabilities.GracefulRestart > 0
		l.nflag = l.gr && n // ours always sets N with the capability
		l.recv, l.send = capability.Negotiate(s.local, sp.Caps)
		l.c.maxLen.Store(int32(l.recv.MaxLen()))
		fams := capability.CommonFamilies(s.local, sp.Caps)
		s.log.Info("open received", "asn", sp.ASN, "router-id", o.BGPIdentifier, "hold-time", o.HoldTime,
			"negotiated-hold", l.m.HoldTime(), "families", fmt.Sprint(fams))
		if len(fams) == 0 {
			s.log.Warn("no family in common with the peer")
		}
	}
}

// checkOpen applies the checks that need configuration: the peer's AS
// (Bad Peer AS) and, between speakers of the same AS, a BGP Identifier
// equal to ours (RFC 6286 §2.2: Bad BGP Identifier).
func (s *Session) checkOpen(o message.Open, sp capability.Speaker) error {
	if s.cfg.PeerASN != 0 && sp.ASN != s.cfg.PeerASN {
		return wire.Errorf(wire.CodeOpen, wire.SubBadPeerAS, nil, "peer: open AS %d, want %d", sp.ASN, s.cfg.PeerASN)
	}
	if sp.ASN == s.cfg.LocalASN && o.BGPIdentifier == s.cfg.RouterID.Unmap() {
		return wire.Errorf(wire.CodeOpen, wire.SubBadBGPIdentifier, nil, "peer: open BGP identifier %v is ours", o.BGPIdentifier)
	}
	return nil
}

// onUpdate checks an UPDATE (RFC 7606 via message.CheckCount): a
// session-reset verdict sends its NOTIFICATION (UpdateMsgErr); anything
// milder is delivered with the verdict and counted.
func (s *Session) onUpdate(l *link, msg []byte) note {
	if l.m.State() != fsm.Established {
		s.step(l, fsm.Input{Event: fsm.UpdateMsg}, nil) // FSM Error
		return note{}
	}
	var u message.Update
	if err := u.Parse(msg); err != nil {
		s.badUpdate(l, msg, asWireError(err, wire.CodeUpdate))
		return note{}
	}
	counts, verdict := message.CheckCount(u, l.recv)
	if verdict != nil {
		we := asWireError(verdict, wire.CodeUpdate)
		if we.Action == wire.ActionSessionReset {
			s.badUpdate(l, msg, we)
			return note{}
		}
		s.ctr.rfc7606.Add(1)
		s.log.Warn("malformed update", "action", we.Action, "error", we, "hex", hexOf(msg))
	}
	s.step(l, fsm.Input{Event: fsm.UpdateMsg}, nil)
	n := note{kind: noteUpdate, u: u, verdict: verdict}
	s.countPrefixes(l, counts, verdict)
	return n
}

func (s *Session) badUpdate(l *link, msg []byte, we *wire.Error) {
	s.log.Warn("malformed message", "type", wire.TypeUpdate, "error", we, "action", we.Action, "hex", hexOf(msg))
	s.step(l, fsm.Input{Event: fsm.UpdateMsgErr, Notification: wire.NotificationFor(we)}, we)
}

// onRefresh handles a ROUTE-REFRESH: before Established it is an
// unexpected message (FSM Error, raised as an UpdateMsg would be); a
// bad length is RFC 7313 §5's ROUTE-REFRESH Message Error; a family not
// negotiated is ignored (RFC 2918 §4).
func (s *Session) onRefresh(l *link, msg []byte) note {
	if l.m.State() != fsm.Established {
		s.step(l, fsm.Input{Event: fsm.UpdateMsg}, nil)
		return note{}
	}
	rr, err := wire.ParseRouteRefresh(msg)
	if err != nil {
		we := asWireError(err, wire.CodeRouteRefresh)
		s.log.Warn("malformed message", "type", wire.TypeRouteRefresh, "error", we, "hex", hexOf(msg))
		s.step(l, fsm.Input{Event: fsm.UpdateMsgErr, Notification: wire.NotificationFor(we)}, we)
		return note{}
	}
	if !s.local.RouteRefresh || !slices.Contains(capability.CommonFamilies(s.local, l.remote.Caps), rr.Family) {
		s.log.Info("route-refresh ignored", "family", rr.Family, "subtype", rr.Subtype)
		return note{}
	}
	return note{kind: noteRefresh, rr: rr}
}

// countPrefixes keeps the driver's own prefix count per family
// (announced minus withdrawn, never below 0; treat-as-withdraw counts
// the announced as withdrawn) and applies the maximum-prefix limits
// (RFC 4486 §4). The count is approximate: a re-announcement counts
// again and a withdrawal of an unknown prefix subtracts; the RIB, which
// knows, corrects it with SetPrefixes. It also counts the UPDATEs that
// withdraw (Withdrawn Routes or MP_UNREACH_NLRI prefixes, as sent: not
// the routes treat-as-withdraw turned into withdrawals, nor an
// End-of-RIB) and their withdrawn prefixes (Stats.WithdrawUpdates,
// WithdrawPrefixes).
func (s *Session) countPrefixes(l *link, n message.Counts, verdict error) {
	if wd := n.Withdrawn + n.MPWithdrawn; wd > 0 {
		s.ctr.withdrawUpdates.Add(1)
		s.ctr.withdrawPrefixes.Add(uint64(wd))
	}
	withdraw := verdict != nil && asWireError(verdict, wire.CodeUpdate).Action >= wire.ActionTreatAsWithdraw
	var touched [3]wire.Family
	add := func(i int, f wire.Family, ann, wd int) {
		if ann == 0 && wd == 0 {
			return
		}
		if withdraw {
			ann, wd = 0, wd+ann
		}
		s.prefixes[f] = max(s.prefixes[f]+int64(ann)-int64(wd), 0)
		touched[i] = f
	}
	add(0, wire.IPv4Unicast, n.Announced, n.Withdrawn)
	add(1, n.MPReach, n.MPAnnounced, 0)
	add(2, n.MPUnreach, 0, n.MPWithdrawn)
	for _, f := range touched {
		if f == (wire.Family{}) {
			continue
		}
		if s.overLimit(l, f) {
			return
		}
	}
}

// overLimit applies family f's limit; true when the session was torn
// down.
func (s *Session) overLimit(l *link, f wire.Family) bool {
	mp, ok := s.cfg.MaxPrefix[f]
	if !ok || mp.Limit == 0 {
		return false
	}
	count := s.prefixes[f]
	if count <= int64(mp.Limit) {
		s.warned[f] = false
		return false
	}
	if s.warned[f] {
		return false
	}
	s.warned[f] = true
	s.ctr.maxPrefixHits.Add(1)
	s.log.Warn("maximum-prefix reached", "family", f, "count", count, "limit", mp.Limit, "action", mp.Action)
	if mp.Action == MaxPrefixWarning {
		return false
	}
	// RFC 4486 §4: the data may carry AFI (2), SAFI (1) and the upper
	// bound (4).
	data := binary.BigEndian.AppendUint16(nil, uint16(f.AFI))
	data = append(data, byte(f.SAFI))
	data = binary.BigEndian.AppendUint32(data, mp.Limit)
	cease := wire.Notification{Code: wire.CodeCease, Subcode: wire.SubMaxPrefixes, Data: data}
	s.step(l, fsm.Input{Event: fsm.AutomaticStop, Notification: cease}, ErrMaxPrefix)
	if mp.Action == MaxPrefixRestart {
		s.restartAt = s.clock.Now().Add(mp.RestartAfter)
		s.poke()
	}
	return true
}

// SetPrefixes replaces the driver's prefix count of family f with the
// RIB's (which knows replacements and unknown withdrawals) and applies
// the limit again.
func (s *Session) SetPrefixes(f wire.Family, n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prefixes[f] = max(n, 0)
	if s.main.m.State() == fsm.Established {
		s.overLimit(s.main, f)
	}
}
