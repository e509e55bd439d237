package control

import (
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/router"
	"github.com/ze-bgp/ze/speaker/textfmt"
	"github.com/ze-bgp/ze/speaker/wire"
	"github.com/ze-bgp/ze/speaker/zejson"
)

// A route's attributes are shown exactly as ze shows received UPDATEs:
// the route is encoded as a one-prefix UPDATE and given to textfmt (the
// route syntax of `ze bgp decode --format text`) or zejson (the
// "attributes" object of docs/json.md). Its path identifier is shown
// apart, so the UPDATE carries none.

// routeMessage encodes rt as one UPDATE and returns it with the context
// it decodes in.
func routeMessage(rt *router.Route) ([]byte, wire.Context) {
	ctx := wire.Context{ASN4: true, ExtendedMessage: true}
	nl := nlri.AppendPrefix(nil, rt.Prefix, 0, false)
	if rt.MPNextHop == nil && rt.Family == wire.IPv4Unicast {
		return message.AppendUpdate(nil, nil, rt.Attrs, nl), ctx
	}
	if rt.Family.AFI == wire.AFIIPv4 {
		ctx, _ = ctx.WithExtNextHop(rt.Family, true) // RFC 8950: an IPv6 next hop for IPv4
	}
	attrs := attr.AppendMPReach(slices.Clip(rt.Attrs), rt.Family, rt.MPNextHop, nl)
	return message.AppendUpdate(nil, nil, attrs, nil), ctx
}

// attrText returns rt's next hop and attributes in the route syntax
// ("next-hop 192.0.2.1 origin igp as-path [65001] med 10 community
// [65000:1]"), or "attributes HEX" when they do not decode.
func attrText(rt *router.Route) string {
	msg, ctx := routeMessage(rt)
	out, err := textfmt.AppendMessage(nil, msg, ctx, zejson.Meta{Stream: -1})
	line, _, _ := strings.Cut(string(out), "\n")
	head := "announce route " + rt.Prefix.String()
	if err != nil || !strings.HasPrefix(line, head) {
		return "attributes " + strings.ToUpper(hex.EncodeToString(rt.Attrs))
	}
	line = strings.TrimSpace(strings.TrimPrefix(line, head))
	if i := strings.LastIndex(line, " family "); i >= 0 && !strings.Contains(line[i+8:], " ") {
		line = line[:i]
	}
	return line
}

// attrJSON returns rt's attributes as zejson's "attributes" object, or
// {"hex": …} when they do not decode.
func attrJSON(rt *router.Route) json.RawMessage {
	msg, ctx := routeMessage(rt)
	out, err := zejson.AppendMessage(nil, msg, ctx, zejson.Meta{Stream: -1})
	var m struct {
		Update struct {
			Attributes json.RawMessage `json:"attributes"`
		} `json:"update"`
	}
	if err == nil && json.Unmarshal(out, &m) == nil && len(m.Update.Attributes) > 0 {
		return m.Update.Attributes
	}
	b, _ := json.Marshal(map[string]string{"hex": strings.ToUpper(hex.EncodeToString(rt.Attrs))})
	return b
}
