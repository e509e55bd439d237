package testpeer

import (
	"errors"

	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// receive handles one whole message in the reader goroutine: the
// handshake (OPEN, then KEEPALIVE), then the mode's work. It returns the
// session's ending when the session must stop.
//
// The handshake is strict but small (RFC 4271 §8 cut down to what a test
// needs): the first message must be an OPEN that passes
// message.Open.Validate (and names PeerASN when set), the next one a
// KEEPALIVE; anything else is a Finite State Machine Error (RFC 6608
// subcodes). In Established, establishedError applies (an OPEN, an
// UPDATE with an RFC 7606 session-reset verdict, a bad ROUTE-REFRESH).
//
// Check mode queues every message for the script, with the error it
// implies attached (item.err). With the automatic handshake the peer
// also answers it as the other modes do: it sends the NOTIFICATION and
// ends the session. With `handshake manual` nothing is sent: the script
// decides (a failing expectation sends the NOTIFICATION then), and a
// message out of handshake order is not refused (item.order).
func (s *session) receive(msg []byte, typ wire.Type, recv wire.Context) *ending {
	s.mu.Lock()
	st := s.state
	s.mu.Unlock()
	if typ == wire.TypeNotification {
		if s.queue == nil {
			return s.remoteNotification(msg)
		}
		if n, err := wire.ParseNotification(msg); err == nil {
			n.Data = append([]byte(nil), n.Data...)
			s.mu.Lock()
			s.recvNotif = &n
			s.mu.Unlock()
		}
		if st != stateEstablished {
			// The remote refused the handshake: let the script look.
			if !s.manual {
				s.mu.Lock()
				s.state = stateFailed
				s.mu.Unlock()
			}
			s.markReady()
		}
		return nil
	}
	switch st {
	case stateOpenWait:
		if typ != wire.TypeOpen {
			return s.protocolError(msg, recv, wire.Errorf(wire.CodeFSM, 1, nil, "testpeer: %s before OPEN", typ))
		}
		if werr := s.gotOpen(msg); werr != nil {
			return s.protocolError(msg, recv, werr)
		}
		if !s.manual && s.lastItem != nil {
			s.lastItem.handshake = true
		}
		if !s.manual {
			s.mu.Lock()
			needOpen := s.localOpen == nil
			s.mu.Unlock()
			if needOpen {
				if err := s.sendOpen(); err != nil {
					return &ending{text: "sending OPEN: " + err.Error(), failed: true}
				}
			}
			if err := s.sendHandshakeKeepalive(); err != nil {
				return &ending{text: "sending KEEPALIVE: " + err.Error(), failed: true}
			}
		}
	case stateOpenConfirm:
		switch typ {
		case wire.TypeKeepalive:
			if !s.manual && s.lastItem != nil {
				s.lastItem.handshake = true
			}
			s.setEstablished()
			s.afterEstablished()
		default:
			return s.protocolError(msg, recv, wire.Errorf(wire.CodeFSM, 2, nil, "testpeer: %s before KEEPALIVE", typ))
		}
	case stateEstablished:
		if s.queue != nil {
			if we := establishedError(msg, typ, recv); we != nil {
				return s.protocolError(msg, recv, we)
			}
			return nil
		}
		return s.p.handle(s, msg, typ, recv)
	}
	return nil
}

// gotOpen checks and records the remote OPEN; it returns the error the
// OPEN implies (RFC 4271 §6.2).
func (s *session) gotOpen(msg []byte) *wire.Error {
	o, err := message.ParseOpen(msg)
	if err == nil {
		err = o.Validate()
	}
	if err != nil {
		var we *wire.Error
		if errors.As(err, &we) {
			return we
		}
		return wire.Errorf(wire.CodeOpen, 0, nil, "%s", err.Error())
	}
	asn := o.ASN()
	if s.cfg.PeerASN != 0 && asn != s.cfg.PeerASN {
		return wire.Errorf(wire.CodeOpen, wire.SubBadPeerAS, nil, "testpeer: remote AS %d, expected %d", asn, s.cfg.PeerASN)
	}
	set, _ := o.CapabilitySet()
	s.mu.Lock()
	s.remoteOpen = append([]byte(nil), msg...)
	s.remoteSet = set
	s.remoteASN = asn
	s.remoteID = o.BGPIdentifier
	if s.asn == 0 {
		s.asn = asn // learn the AS: an iBGP session
	}
	s.state = stateOpenConfirm
	s.negotiateLocked()
	s.mu.Unlock()
	return nil
}

// protocolError handles a message the session refuses (we is what it
// implies). Check mode attaches we to the queued message for the
// script; with `handshake manual` nothing more happens (an error of
// handshake order does not even refuse the message). Otherwise the
// implied NOTIFICATION is sent and the session ends.
func (s *session) protocolError(msg []byte, recv wire.Context, we *wire.Error) *ending {
	if s.queue != nil && s.lastItem != nil {
		s.lastItem.err = we
		s.lastItem.order = s.manual && we.Code == wire.CodeFSM
	}
	if s.manual {
		return nil
	}
	s.mu.Lock()
	if s.state != stateEstablished {
		s.state = stateFailed
	}
	s.mu.Unlock()
	e := s.refusal(msg, wire.Type(msg[18]), recv, we)
	if s.queue != nil && s.lastItem != nil {
		s.lastItem.sent = e.sent
	}
	return e
}

// remoteNotification ends the session on a NOTIFICATION from the remote
// (RFC 4271 §6: the sender closes the connection after it).
func (s *session) remoteNotification(msg []byte) *ending {
	n, err := wire.ParseNotification(msg)
	if err != nil {
		return &ending{text: err.Error(), failed: true}
	}
	n.Data = append([]byte(nil), n.Data...)
	s.mu.Lock()
	st := s.state
	s.mu.Unlock()
	e := &ending{text: "the remote sent notification " + notificationText(n), recv: &n}
	// A NOTIFICATION during the handshake is the remote refusing us.
	e.failed = st != stateEstablished
	return e
}

// afterEstablished sends the configured raw messages (SendAfterOpen).
func (s *session) afterEstablished() {
	for _, b := range s.cfg.SendAfterOpen {
		if s.write(b) != nil {
			return
		}
	}
}
