package control

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ze-bgp/ze/speaker/wire"
)

// MaxLine is the longest request line in octets (the newline aside).
const MaxLine = 1024

// MaxLimit is the largest "limit N" a route request may ask for.
const MaxLimit = 1000000

// Command is what a request asks for.
type Command uint8

// Commands.
const (
	CmdInvalid  Command = iota
	CmdHelp             // help
	CmdReload           // reload
	CmdSummary          // show neighbor [summary]
	CmdNeighbor         // show neighbor NAME|IP
	CmdAdjIn            // show adj-rib-in NAME|IP …
	CmdAdjOut           // show adj-rib-out NAME|IP …
	CmdRIB              // show rib …
	CmdStatus           // show status
	CmdClear            // clear neighbor NAME|IP|all [soft [in|out]]
)

var commandNames = [...]string{
	CmdInvalid: "invalid", CmdHelp: "help", CmdReload: "reload", CmdSummary: "show neighbor summary",
	CmdNeighbor: "show neighbor", CmdAdjIn: "show adj-rib-in", CmdAdjOut: "show adj-rib-out",
	CmdRIB: "show rib", CmdStatus: "show status", CmdClear: "clear neighbor",
}

// ClearMode is what "clear neighbor" does to a session.
type ClearMode uint8

// Clear modes.
const (
	// ClearHard closes the session with NOTIFICATION Cease /
	// Administrative Reset (RFC 4486 §4) and starts it again.
	ClearHard ClearMode = iota
	// ClearSoftIn asks the peer to send its routes again: a
	// ROUTE-REFRESH per negotiated family (RFC 2918 §3).
	ClearSoftIn
	// ClearSoftOut sends the peer its Adj-RIB-Out again, per family
	// (between BoRR and EoRR with enhanced route refresh, RFC 7313 §4).
	ClearSoftOut
	// ClearSoft is ClearSoftIn and ClearSoftOut.
	ClearSoft
)

var clearNames = [...]string{ClearHard: "hard", ClearSoftIn: "soft in", ClearSoftOut: "soft out", ClearSoft: "soft"}

// String returns the mode as written after the peer ("soft in"); "hard"
// for ClearHard, which is written as nothing.
func (m ClearMode) String() string {
	if int(m) < len(clearNames) {
		return clearNames[m]
	}
	return "mode-" + strconv.Itoa(int(m))
}

// In and Out report whether the mode asks the peer for its routes
// again, and whether it sends ours again.
func (m ClearMode) In() bool  { return m == ClearSoftIn || m == ClearSoft }
func (m ClearMode) Out() bool { return m == ClearSoftOut || m == ClearSoft }

// String returns the command as written ("show adj-rib-in").
func (c Command) String() string {
	if int(c) < len(commandNames) {
		return commandNames[c]
	}
	return "command-" + strconv.Itoa(int(c))
}

// Request is one parsed request line.
type Request struct {
	Command Command
	JSON    bool // answer in JSON
	// Peer is the neighbour named (CmdNeighbor, CmdAdjIn, CmdAdjOut):
	// a configured name or a remote address, as written.
	Peer string
	// Family, Prefix, Longest and Limit select routes (CmdAdjIn,
	// CmdAdjOut, CmdRIB), as router.Query's fields do. An address
	// without a length is its host prefix with Longest set (unless
	// "exact" is written); a prefix alone implies its unicast family
	// only through the address family filter.
	Family  wire.Family
	Prefix  netip.Prefix
	Longest bool
	Limit   int
	// Clear is what CmdClear does; Peer is then a name, an address or
	// "all".
	Clear ClearMode
}

// ErrEmpty is returned for a blank request line.
var ErrEmpty = errors.New("control: empty request")

// ParseRequest reads one request line (see the package doc). Errors
// name the word that is wrong and what was expected; they never hold
// more of the line than that word.
func ParseRequest(line string) (Request, error) {
	var r Request
	if len(line) > MaxLine {
		return r, fmt.Errorf("control: request longer than %d octets", MaxLine)
	}
	words := strings.Fields(line)
	if n := len(words); n > 0 && isJSON(words[0]) {
		r.JSON, words = true, words[1:]
	}
	if n := len(words); n > 0 && isJSON(words[n-1]) {
		r.JSON, words = true, words[:n-1]
	}
	if len(words) == 0 {
		return r, ErrEmpty
	}
	verb, args := strings.ToLower(words[0]), words[1:]
	switch verb {
	case "help", "?":
		r.Command = CmdHelp
		return r, nil
	case "reload":
		r.Command = CmdReload
		return r, noMore(args)
	case "show":
	case "clear":
		return r, r.clearArgs(args)
	default:
		return r, fmt.Errorf("control: unknown command %s (want show, clear, reload or help)", quote(verb))
	}
	if len(args) == 0 {
		return r, errors.New("control: show what? (neighbor, adj-rib-in, adj-rib-out, rib or status)")
	}
	what, args := strings.ToLower(args[0]), args[1:]
	switch what {
	case "neighbor", "neighbors", "neighbour", "neighbours":
		switch {
		case len(args) == 0 || strings.EqualFold(args[0], "summary"):
			r.Command = CmdSummary
			if len(args) > 0 {
				args = args[1:]
			}
		default:
			r.Command, r.Peer = CmdNeighbor, args[0]
			args = args[1:]
		}
		return r, noMore(args)
	case "status":
		r.Command = CmdStatus
		return r, noMore(args)
	case "adj-rib-in", "adj-rib-out":
		r.Command = CmdAdjIn
		if what == "adj-rib-out" {
			r.Command = CmdAdjOut
		}
		if len(args) == 0 {
			return r, fmt.Errorf("control: %s needs a neighbour (NAME or IP)", what)
		}
		r.Peer, args = args[0], args[1:]
	case "rib", "route", "routes":
		r.Command = CmdRIB
	default:
		return r, fmt.Errorf("control: unknown show %s (want neighbor, adj-rib-in, adj-rib-out, rib or status)", quote(what))
	}
	return r, r.routeArgs(args)
}

func isJSON(w string) bool { return strings.EqualFold(w, "json") || w == "--json" }

// noMore reports words left over.
func noMore(args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("control: unexpected %s", quote(args[0]))
	}
	return nil
}

// quote quotes a word of the request for an error, cut short when long.
func quote(w string) string {
	if len(w) > 64 {
		w = w[:64] + "…"
	}
	return strconv.Quote(w)
}

// routeArgs reads [FAMILY] [PREFIX|ADDRESS] [longest|exact] [limit N]
// in any order.
func (r *Request) routeArgs(args []string) error {
	exact := false
	for i := 0; i < len(args); i++ {
		w := args[i]
		lw := strings.ToLower(w)
		switch lw {
		case "longest":
			r.Longest = true
			continue
		case "exact":
			exact = true
			continue
		case "limit":
			if i+1 == len(args) {
				return errors.New("control: limit needs a number")
			}
			i++
			n, err := strconv.Atoi(args[i])
			if err != nil || n < 1 || n > MaxLimit {
				return fmt.Errorf("control: limit %s is not a number from 1 to %d", quote(args[i]), MaxLimit)
			}
			r.Limit = n
			continue
		case "ipv4", "ipv6":
			// "ipv4 unicast": the two-word family form.
			if i+1 < len(args) {
				if f, err := wire.ParseFamily(lw + " " + args[i+1]); err == nil {
					if err := r.setFamily(f); err != nil {
						return err
					}
					i++
					continue
				}
			}
			return fmt.Errorf("control: family %s needs a SAFI (ipv4 unicast, ipv6/multicast…)", quote(w))
		}
		if p, err := netip.ParsePrefix(w); err == nil {
			if err := r.setPrefix(p); err != nil {
				return err
			}
			continue
		}
		if a, err := netip.ParseAddr(w); err == nil {
			if a.Zone() != "" {
				return fmt.Errorf("control: address %s has a zone", quote(w))
			}
			if err := r.setPrefix(netip.PrefixFrom(a, a.BitLen())); err != nil {
				return err
			}
			r.Longest = true
			continue
		}
		if strings.Contains(w, "/") {
			if f, err := wire.ParseFamily(w); err == nil {
				if err := r.setFamily(f); err != nil {
					return err
				}
				continue
			}
			return fmt.Errorf("control: %s is neither a prefix nor a family", quote(w))
		}
		return fmt.Errorf("control: unexpected %s (want FAMILY, PREFIX, ADDRESS, longest, exact or limit N)", quote(w))
	}
	if (exact || r.Longest) && !r.Prefix.IsValid() {
		return errors.New("control: longest and exact need a PREFIX or ADDRESS")
	}
	if exact {
		r.Longest = false
	}
	if r.Prefix.IsValid() && r.Family != (wire.Family{}) && r.Prefix.Addr().Is4() != (r.Family.AFI == wire.AFIIPv4) {
		return fmt.Errorf("control: prefix %s is not of family %s", r.Prefix, r.Family)
	}
	return nil
}

func (r *Request) setFamily(f wire.Family) error {
	if r.Family != (wire.Family{}) {
		return fmt.Errorf("control: two families (%s and %s)", r.Family, f)
	}
	if !f.IsIP() {
		return fmt.Errorf("control: family %s is not kept in the RIB (want ipv4 or ipv6, unicast or multicast)", f)
	}
	r.Family = f
	return nil
}

func (r *Request) setPrefix(p netip.Prefix) error {
	if r.Prefix.IsValid() {
		return fmt.Errorf("control: two prefixes (%s and %s)", r.Prefix, p)
	}
	if p.Addr().Zone() != "" {
		return fmt.Errorf("control: prefix %s has a zone", p)
	}
	r.Prefix = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-(p.Addr().BitLen()-p.Addr().Unmap().BitLen()))
	if !r.Prefix.IsValid() {
		return fmt.Errorf("control: bad prefix %s", p)
	}
	r.Prefix = r.Prefix.Masked()
	return nil
}

// clearArgs reads what follows "clear": neighbor NAME|IP|all [soft
// [in|out]].
func (r *Request) clearArgs(args []string) error {
	r.Command = CmdClear
	if len(args) == 0 || !isNeighbor(args[0]) {
		return errors.New("control: clear what? (neighbor NAME|IP|all [soft [in|out]])")
	}
	if len(args) < 2 {
		return errors.New("control: clear neighbor needs a neighbour (NAME, IP or all)")
	}
	r.Peer, args = args[1], args[2:]
	r.Clear = ClearHard
	if len(args) > 0 {
		if !strings.EqualFold(args[0], "soft") {
			return fmt.Errorf("control: unexpected %s (want soft [in|out])", quote(args[0]))
		}
		r.Clear, args = ClearSoft, args[1:]
		if len(args) > 0 {
			switch strings.ToLower(args[0]) {
			case "in":
				r.Clear = ClearSoftIn
			case "out":
				r.Clear = ClearSoftOut
			default:
				return fmt.Errorf("control: unexpected %s (want in or out)", quote(args[0]))
			}
			args = args[1:]
		}
	}
	return noMore(args)
}

func isNeighbor(w string) bool {
	switch strings.ToLower(w) {
	case "neighbor", "neighbors", "neighbour", "neighbours":
		return true
	}
	return false
}

// String writes the request back in the form ParseRequest reads.
func (r Request) String() string {
	var b strings.Builder
	b.WriteString(r.Command.String())
	if r.Peer != "" {
		b.WriteString(" " + r.Peer)
	}
	if r.Command == CmdClear && r.Clear != ClearHard {
		b.WriteString(" " + r.Clear.String())
	}
	if r.Family != (wire.Family{}) {
		b.WriteString(" " + r.Family.String())
	}
	if r.Prefix.IsValid() {
		b.WriteString(" " + r.Prefix.String())
		if r.Longest {
			b.WriteString(" longest")
		} else {
			b.WriteString(" exact")
		}
	}
	if r.Limit > 0 {
		b.WriteString(" limit " + strconv.Itoa(r.Limit))
	}
	if r.JSON {
		b.WriteString(" json")
	}
	return b.String()
}
