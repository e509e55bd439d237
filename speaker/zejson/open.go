package zejson

import (
	"errors"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// open writes the "open" member (RFC 4271 §4.2, RFC 5492, RFC 9072):
//
//	{"version":4,"asn":4200000031,"my-as":23456,"hold-time":90,
//	 "router-id":"192.0.2.1","extended-optional-parameters":true,
//	 "capabilities":[CAP…],"parameters":[{"type":N,"hex":"…"}…]}
//
// "asn" is the 4-octet AS capability's ASN when there is one, else My
// AS. "extended-optional-parameters" appears only for the RFC 9072
// form, "parameters" only for optional parameters other than
// Capabilities. Each CAP is {"code":N,"name":"…"} plus the fields of
// its value (docs/json.md); a capability whose value does not decode
// gets "error" and "hex" instead.
func (w *writer) open(msg []byte) error {
	o, err := message.ParseOpen(msg)
	if err != nil {
		return err
	}
	w.key("open")
	w.obj()
	w.kuint("version", uint64(o.Version))
	w.kuint("asn", uint64(o.ASN()))
	w.kuint("my-as", uint64(o.MyAS))
	w.kuint("hold-time", uint64(o.HoldTime))
	w.kaddr("router-id", o.BGPIdentifier)
	if o.Extended {
		w.kbool("extended-optional-parameters", true)
	}
	w.key("capabilities")
	w.arr()
	it := o.Capabilities()
	for it.Next() {
		w.capability(it.Code(), it.Value())
	}
	w.endArr()
	if err := it.Err(); err != nil {
		return err
	}
	opened := false
	pi := o.Parameters()
	for pi.Next() {
		if pi.Type() == message.ParamCapabilities {
			continue
		}
		if !opened {
			w.key("parameters")
			w.arr()
			opened = true
		}
		w.obj()
		w.kuint("type", uint64(pi.Type()))
		w.khex("hex", pi.Value())
		w.endObj()
	}
	if opened {
		w.endArr()
	}
	w.endObj()
	return pi.Err()
}

// capability writes one capability object.
func (w *writer) capability(c capability.Code, v []byte) {
	w.obj()
	w.kuint("code", uint64(c))
	w.kstr("name", c.String())
	m := w.mark()
	if err := w.capValue(c, v); err != nil {
		w.reset(m)
		var we *wire.Error
		if errors.As(err, &we) {
			w.kstr("error", we.Msg)
		} else {
			w.kstr("error", err.Error())
		}
		w.khex("hex", v)
	}
	w.endObj()
}

// capValue writes the members of a capability's value.
func (w *writer) capValue(c capability.Code, v []byte) error {
	switch c {
	case capability.CodeMultiprotocol:
		f, err := capability.ParseMultiprotocol(v)
		if err != nil {
			return err
		}
		w.kstr("family", f.String())
	case capability.CodeRouteRefresh, capability.CodeRouteRefreshCisco, capability.CodeEnhancedRouteRefresh,
		capability.CodeExtendedMessage, capability.CodeLinkLocalNextHop:
		return capability.ParseEmpty(c, v)
	case capability.CodeASN4:
		asn, err := capability.ParseASN4(v)
		if err != nil {
			return err
		}
		w.kuint("asn", uint64(asn))
	case capability.CodeRole:
		r, err := capability.ParseRole(v)
		if err != nil {
			return err
		}
		w.kstr("role", r.String())
	case capability.CodeAddPath:
		a, err := capability.ParseAddPath(v)
		if err != nil {
			return err
		}
		w.key("families")
		w.arr()
		for e := range a.All() {
			w.obj()
			w.kstr("family", e.Family.String())
			w.kbool("send", e.Mode.CanSend())
			w.kbool("receive", e.Mode.CanReceive())
			w.endObj()
		}
		w.endArr()
	case capability.CodeExtendedNextHop:
		x, err := capability.ParseExtendedNextHop(v)
		if err != nil {
			return err
		}
		w.key("families")
		w.arr()
		for e := range x.All() {
			w.obj()
			w.kstr("family", e.Family.String())
			w.kstr("next-hop-afi", e.NextHopAFI.String())
			w.endObj()
		}
		w.endArr()
	case capability.CodeGracefulRestart:
		g, err := capability.ParseGracefulRestart(v)
		if err != nil {
			return err
		}
		w.kuint("restart-time", uint64(g.Time()))
		w.kbool("restarting", g.Flags()&capability.RestartState != 0)
		w.kbool("notification", g.Flags()&capability.RestartNotification != 0)
		w.key("families")
		w.arr()
		for e := range g.All() {
			w.obj()
			w.kstr("family", e.Family.String())
			w.kbool("forwarding", e.Forwarding())
			w.endObj()
		}
		w.endArr()
	case capability.CodeLLGR:
		l, err := capability.ParseLLGR(v)
		if err != nil {
			return err
		}
		w.key("families")
		w.arr()
		for e := range l.All() {
			w.obj()
			w.kstr("family", e.Family.String())
			w.kbool("forwarding", e.Forwarding())
			w.kuint("stale-time", uint64(e.StaleTime))
			w.endObj()
		}
		w.endArr()
	case capability.CodeFQDN:
		h, d, err := capability.ParseFQDN(v)
		if err != nil {
			return err
		}
		w.kstr("hostname", h)
		w.kstr("domain", d)
	case capability.CodeSoftwareVersion:
		s, err := capability.ParseSoftwareVersion(v)
		if err != nil {
			return err
		}
		w.kstr("version", s)
	default:
		w.khex("hex", v)
	}
	return nil
}
