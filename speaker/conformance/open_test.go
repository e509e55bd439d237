package conformance

import (
	"strconv"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
)

// zeOpen adds the fields of an OPEN (message.ParseOpen, RFC 9072 aware)
// and checks it with Open.Validate.
func zeOpen(f *fields, msg []byte) error {
	o, err := message.ParseOpen(msg)
	if err != nil {
		return err
	}
	f.add("open.version", strconv.Itoa(int(o.Version)))
	f.add("open.my_as", strconv.Itoa(int(o.MyAS)))
	f.add("open.hold_time", strconv.Itoa(int(o.HoldTime)))
	f.add("open.bgp_id", o.BGPIdentifier.String())
	i := 0
	it := o.Capabilities()
	for it.Next() {
		if err := zeCap(f, "open.cap["+strconv.Itoa(i)+"]", it.Code(), it.Value()); err != nil {
			return err
		}
		i++
	}
	if err := it.Err(); err != nil {
		return err
	}
	return o.Validate()
}

// openSet returns the capability set of an OPEN.
func openSet(msg []byte) (capability.Set, error) {
	o, err := message.ParseOpen(msg)
	if err != nil {
		return capability.Set{}, err
	}
	return o.CapabilitySet()
}

// zeCap adds one capability: its code and, per code, the values
// compared with tshark (MP: AFI/SAFI; 4-octet AS: the ASN; ADD-PATH:
// AFI/SAFI/send-receive per entry; graceful restart: restart time;
// FQDN: host name).
func zeCap(f *fields, q string, c capability.Code, v []byte) error {
	f.add(q+".code", strconv.Itoa(int(c)))
	switch c {
	case capability.CodeMultiprotocol:
		fam, err := capability.ParseMultiprotocol(v)
		if err != nil {
			return err
		}
		f.add(q+".family[0]", familyString(fam))
	case capability.CodeASN4:
		asn, err := capability.ParseASN4(v)
		if err != nil {
			return err
		}
		f.add(q+".asn", strconv.FormatUint(uint64(asn), 10))
	case capability.CodeAddPath:
		a, err := capability.ParseAddPath(v)
		if err != nil {
			return err
		}
		for j := range a.Len() {
			e := a.At(j)
			f.add(q+".add_path["+strconv.Itoa(j)+"]", familyString(e.Family)+"/"+strconv.Itoa(int(e.Mode)))
		}
	case capability.CodeGracefulRestart:
		g, err := capability.ParseGracefulRestart(v)
		if err != nil {
			return err
		}
		f.add(q+".restart_time", strconv.Itoa(int(g.Time())))
	case capability.CodeFQDN:
		host, _, err := capability.ParseFQDN(v)
		if err != nil {
			return err
		}
		f.add(q+".hostname", host)
	}
	return nil
}
