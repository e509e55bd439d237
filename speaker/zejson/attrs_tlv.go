package zejson

import (
	"net/netip"

	"github.com/ze-bgp/ze/speaker/attr"
)

// pmsiNames are the PMSI tunnel type names (RFC 6514 §5, IANA).
var pmsiNames = [...]string{
	attr.PMSINoTunnel:       "no-tunnel",
	attr.PMSIRSVPTEP2MP:     "rsvp-te-p2mp",
	attr.PMSIMLDPP2MP:       "mldp-p2mp",
	attr.PMSIPIMSSM:         "pim-ssm",
	attr.PMSIPIMSM:          "pim-sm",
	attr.PMSIBIDIRPIM:       "bidir-pim",
	attr.PMSIIngressReplica: "ingress-replication",
	attr.PMSIMLDPMP2MP:      "mldp-mp2mp",
}

// pmsi writes a PMSI_TUNNEL (RFC 6514 §5):
//
//	{"flags":0,"tunnel-type":6,"tunnel-type-name":"ingress-replication",
//	 "label":N,"label-field":N,"tunnel-endpoint":"192.0.2.1"}
//
// "label" is the 20-bit MPLS label, "label-field" the whole 3-octet field
// (a VXLAN VNI for EVPN, RFC 8365 §5.1.3). An ingress-replication
// tunnel identifier of 4 or 16 octets is shown as "tunnel-endpoint",
// anything else as "tunnel-id" in hex.
func (w *writer) pmsi(v []byte) error {
	p, err := attr.ParsePMSITunnel(v)
	if err != nil {
		return err
	}
	w.obj()
	w.kuint("flags", uint64(p.Flags))
	w.kuint("tunnel-type", uint64(p.TunnelType))
	if int(p.TunnelType) < len(pmsiNames) {
		w.kstr("tunnel-type-name", pmsiNames[p.TunnelType])
	}
	w.kuint("label", uint64(p.Label))
	w.kuint("label-field", uint64(p.LabelField))
	switch {
	case p.TunnelType == attr.PMSIIngressReplica && len(p.ID) == 4:
		w.kaddr("tunnel-endpoint", netip.AddrFrom4([4]byte(p.ID)))
	case p.TunnelType == attr.PMSIIngressReplica && len(p.ID) == 16:
		w.kaddr("tunnel-endpoint", netip.AddrFrom16([16]byte(p.ID)))
	default:
		w.khex("tunnel-id", p.ID)
	}
	w.endObj()
	return nil
}

// prefixSID writes a BGP Prefix-SID (RFC 8669, RFC 9252) as a list of
// TLV objects in wire order:
//
//	{"type":"label-index","label-index":N}
//	{"type":"originator-srgb","flags":N,"srgbs":[{"base":N,"range":N}…]}
//	{"type":"srv6-l3-service"|"srv6-l2-service","sub-tlvs":[
//	    {"type":"sid-information","sid":"…","flags":N,"endpoint-behavior":N,
//	     "structure":{"locator-block-length":N,"locator-node-length":N,
//	       "function-length":N,"argument-length":N,
//	       "transposition-length":N,"transposition-offset":N}},
//	    {"type":"sub-tlv-N","hex":"…"}]}
//	{"type":"tlv-N","hex":"…"}
//
// The value is checked whole first (attr.CheckPrefixSID), so nothing
// below can fail.
func (w *writer) prefixSID(v []byte) error {
	if err := attr.CheckPrefixSID(v); err != nil {
		return err
	}
	w.arr()
	it := attr.NewPrefixSIDIterator(v)
	for it.Next() {
		w.obj()
		switch t, tv := it.Type(), it.Value(); t {
		case attr.PrefixSIDLabelIndex:
			li, _ := attr.ParseLabelIndex(tv)
			w.kstr("type", "label-index")
			w.kuint("label-index", uint64(li))
		case attr.PrefixSIDOriginatorSRGB:
			flags, srgbs, _ := attr.ParseOriginatorSRGB(tv)
			w.kstr("type", "originator-srgb")
			w.kuint("flags", uint64(flags))
			w.key("srgbs")
			w.arr()
			for i := range srgbs.Len() {
				s := srgbs.At(i)
				w.obj()
				w.kuint("base", uint64(s.Base))
				w.kuint("range", uint64(s.Range))
				w.endObj()
			}
			w.endArr()
		case attr.PrefixSIDSRv6L3Service, attr.PrefixSIDSRv6L2Service:
			if t == attr.PrefixSIDSRv6L3Service {
				w.kstr("type", "srv6-l3-service")
			} else {
				w.kstr("type", "srv6-l2-service")
			}
			w.srv6SubTLVs(tv)
		default:
			w.key("type")
			w.numbered("tlv-", uint64(t))
			w.khex("hex", tv)
		}
		w.endObj()
	}
	w.endArr()
	return nil
}

func (w *writer) srv6SubTLVs(v []byte) {
	sub, _ := attr.SRv6ServiceSubTLVs(v)
	w.key("sub-tlvs")
	w.arr()
	for sub.Next() {
		w.obj()
		if sub.Type() != attr.SRv6SIDInformation {
			w.key("type")
			w.numbered("sub-tlv-", uint64(sub.Type()))
			w.khex("hex", sub.Value())
			w.endObj()
			continue
		}
		info, _ := attr.ParseSRv6SIDInfo(sub.Value())
		w.kstr("type", "sid-information")
		w.kaddr("sid", info.SID)
		w.kuint("flags", uint64(info.Flags))
		w.kuint("endpoint-behavior", uint64(info.Behavior))
		if s, ok, _ := info.Structure(); ok {
			w.key("structure")
			w.obj()
			w.kuint("locator-block-length", uint64(s.LocatorBlockLen))
			w.kuint("locator-node-length", uint64(s.LocatorNodeLen))
			w.kuint("function-length", uint64(s.FunctionLen))
			w.kuint("argument-length", uint64(s.ArgumentLen))
			w.kuint("transposition-length", uint64(s.TranspositionLen))
			w.kuint("transposition-offset", uint64(s.TranspositionOffset))
			w.endObj()
		}
		w.endObj()
	}
	w.endArr()
}

// numbered writes the string prefix+n ("tlv-9").
func (w *writer) numbered(prefix string, n uint64) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = append(w.b, prefix...)
	w.b = appendUint(w.b, n)
	w.b = append(w.b, '"')
}
