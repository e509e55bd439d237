package testpeer

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
)

// parseExpect reads what follows `expect`.
func (sp *scriptParser) parseExpect(n int, rest string) (expectation, error) {
	e := expectation{code: -1, sub: -1}
	word, arg, _ := strings.Cut(rest, " ")
	arg = strings.TrimSpace(arg)
	bad := func(format string, args ...any) (expectation, error) {
		return e, sp.errf(n, "expect %s: %s", word, fmt.Sprintf(format, args...))
	}
	switch word {
	case "open", "update", "keepalive", "route-refresh", "notification":
		e.kind = expMessage
		e.typ, _ = typeByName(word)
		switch {
		case word == "keepalive" && arg != "":
			return bad("takes nothing after it")
		case word == "notification" && arg != "" && !strings.HasPrefix(arg, "{"):
			code, sub, ok := parseCodeSub(arg)
			if !ok {
				return bad("want CODE, CODE/SUBCODE or a JSON object, not %q", arg)
			}
			e.code, e.sub = code, sub
			return e, nil
		case word == "route-refresh" && arg != "" && !strings.HasPrefix(arg, "{"):
			rr, err := parseRefresh(arg)
			if err != nil {
				return bad("%v", err)
			}
			e.json = map[string]any{"route-refresh": map[string]any{"family": rr.Family.String(), "subtype": rr.Subtype.String()}}
			return e, nil
		}
		j, err := jsonOrEmpty(e.typ, arg)
		if err != nil {
			return bad("%v", err)
		}
		e.json = j
	case "json":
		m, err := parseJSON(arg)
		if err != nil {
			return bad("%v", err)
		}
		e.kind, e.json = expMessage, m
	case "hex":
		b, err := parseHex(arg)
		if err != nil {
			return bad("%v", err)
		}
		e.kind, e.hex = expHex, b
	case "eor":
		f, err := familyOrDefault(arg)
		if err != nil {
			return bad("%v", err)
		}
		e.kind, e.family = expEOR, f
	case "route", "announce", "withdraw":
		m, err := parseRouteMatch(rest)
		if err != nil {
			return e, sp.errf(n, "expect %s: %v", rest, err)
		}
		e.kind, e.route = expRoute, m
	case "malformed":
		e.kind = expMalformed
		if w, more, _ := strings.Cut(arg, " "); w != "" && !strings.HasPrefix(w, "{") {
			t, ok := typeByName(w)
			if !ok || w == "unknown" {
				return bad("want a message type (open, update, notification, keepalive, route-refresh) or a JSON object, not %q", w)
			}
			e.typ, arg = t, strings.TrimSpace(more)
		}
		j, err := jsonOrEmpty(e.typ, arg)
		if err != nil {
			return bad("%v", err)
		}
		e.json = j
	case "close":
		if arg != "" {
			return bad("takes nothing after it")
		}
		e.kind = expClose
	case "silence":
		d, err := time.ParseDuration(arg)
		if err != nil || d <= 0 {
			return bad("needs a duration like 500ms, not %q", arg)
		}
		e.kind, e.dur = expSilence, d
	case "":
		return e, sp.errf(n, "expect needs what: open, update, keepalive, notification, route-refresh, json, hex, eor, route, malformed, close or silence")
	default:
		return e, sp.errf(n, "expect %q: unknown (want open, update, keepalive, notification, route-refresh, json, hex, eor, route, malformed, close or silence)", word)
	}
	return e, nil
}

// parseSend reads what follows `send`.
func (sp *scriptParser) parseSend(n int, rest string) (sendAction, error) {
	var a sendAction
	word, arg, _ := strings.Cut(rest, " ")
	arg = strings.TrimSpace(arg)
	bad := func(format string, args ...any) (sendAction, error) {
		return a, sp.errf(n, "send %s: %s", word, fmt.Sprintf(format, args...))
	}
	switch word {
	case "open":
		if arg != "" {
			return bad("takes nothing after it (use send hex for a hand-made OPEN)")
		}
		a.kind = sendOpen
	case "keepalive":
		if arg != "" {
			return bad("takes nothing after it")
		}
		a.raw = wire.AppendKeepalive(nil)
	case "hex":
		b, err := parseHex(arg)
		if err != nil {
			return bad("%v", err)
		}
		a.raw = b
	case "notification":
		msg, err := parseNotification(arg)
		if err != nil {
			return bad("%v", err)
		}
		a.raw = msg
	case "eor":
		f, err := familyOrDefault(arg)
		if err != nil {
			return bad("%v", err)
		}
		a.raw = appendEOR(nil, f)
	case "route-refresh":
		rr, err := parseRefresh(arg)
		if err != nil {
			return bad("%v", err)
		}
		a.raw = wire.AppendRouteRefresh(nil, rr)
	case "route", "announce", "withdraw":
		r, err := route.Parse(rest)
		if err != nil {
			return a, sp.errf(n, "send %s: %v", rest, err)
		}
		a.kind, a.route = sendRoute, r
	case "":
		return a, sp.errf(n, "send needs what: open, keepalive, route, eor, notification, route-refresh or hex")
	default:
		return a, sp.errf(n, "send %q: unknown (want open, keepalive, route, eor, notification, route-refresh or hex)", word)
	}
	return a, nil
}

// parseCodeSub reads "CODE" or "CODE/SUBCODE" (subcode -1 when absent).
func parseCodeSub(s string) (code, sub int, ok bool) {
	c, sb, hasSub := strings.Cut(s, "/")
	cv, err := strconv.ParseUint(c, 10, 8)
	if err != nil {
		return 0, 0, false
	}
	if !hasSub {
		return int(cv), -1, true
	}
	sv, err := strconv.ParseUint(sb, 10, 8)
	if err != nil {
		return 0, 0, false
	}
	return int(cv), int(sv), true
}

// parseNotification reads `CODE/SUBCODE ["TEXT" | hex HEX | TEXT]`: the
// text is an RFC 9003 communication for Cease / Administrative Shutdown
// and Reset (6/2, 6/4), the data as is otherwise.
func parseNotification(s string) ([]byte, error) {
	cs, rest, _ := strings.Cut(s, " ")
	rest = strings.TrimSpace(rest)
	code, sub, ok := parseCodeSub(cs)
	if !ok || sub < 0 {
		return nil, fmt.Errorf("want CODE/SUBCODE first, not %q", cs)
	}
	n := wire.Notification{Code: wire.Code(code), Subcode: uint8(sub)}
	switch {
	case rest == "":
	case strings.HasPrefix(rest, "hex "):
		b, err := parseHex(strings.TrimPrefix(rest, "hex "))
		if err != nil {
			return nil, err
		}
		n.Data = b
	default:
		text := rest
		if strings.HasPrefix(rest, `"`) {
			t, err := strconv.Unquote(rest)
			if err != nil {
				return nil, fmt.Errorf("bad quoted text %s", rest)
			}
			text = t
		}
		if n.HasCommunication() {
			n.Data = wire.AppendCommunication(nil, text)
		} else {
			n.Data = []byte(text)
		}
	}
	if wire.HeaderLen+2+len(n.Data) > wire.MaxLen {
		return nil, fmt.Errorf("data too long for a NOTIFICATION")
	}
	return wire.AppendNotification(nil, n), nil
}

// parseRefresh reads `FAMILY [refresh|begin|end]`.
func parseRefresh(s string) (wire.RouteRefresh, error) {
	fs, sub, _ := strings.Cut(s, " ")
	f, err := wire.ParseFamily(fs)
	if err != nil {
		return wire.RouteRefresh{}, err
	}
	rr := wire.RouteRefresh{Family: f}
	switch strings.TrimSpace(sub) {
	case "", "refresh":
	case "begin":
		rr.Subtype = wire.RefreshBoRR
	case "end":
		rr.Subtype = wire.RefreshEoRR
	default:
		return rr, fmt.Errorf("subtype %q (want refresh, begin or end)", sub)
	}
	return rr, nil
}

// familyOrDefault parses a family, IPv4 unicast when s is empty.
func familyOrDefault(s string) (wire.Family, error) {
	if s == "" {
		return wire.IPv4Unicast, nil
	}
	return wire.ParseFamily(s)
}

// appendEOR appends an End-of-RIB marker for f (RFC 4724 §2): an empty
// UPDATE for IPv4 unicast, an empty MP_UNREACH_NLRI otherwise.
func appendEOR(dst []byte, f wire.Family) []byte {
	if f == wire.IPv4Unicast {
		return message.AppendUpdate(dst, nil, nil, nil)
	}
	return message.AppendUpdate(dst, nil, attr.AppendMPUnreach(nil, f, nil), nil)
}
