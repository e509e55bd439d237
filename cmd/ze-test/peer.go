package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/wire"
	"github.com/ze-bgp/ze/testpeer"
)

const peerUsage = `usage: ze-test peer (--listen ADDR:PORT | --dial ADDR:PORT) [flags]

A BGP peer for tests. Modes (--mode):
  check    follow --script FILE: expected messages and replies, per connection
  sink     accept everything, count messages and prefixes per family (default)
  echo     send every UPDATE back; reflect: send it to every other session
  inject   send --count routes, then End-of-RIB, and report the time taken;
           with --mrt FILE, replay a RIB dump or update file instead

Output: "listening ADDR:PORT" on stdout once listening; "established PEER …"
and "closed PEER: …" lines (on stderr with --decode); JSON reports on stdout;
problems on stderr. Exit 0 on success, 1 on failure, 2 on a usage error.
SIGUSR1 prints the sink summary. See docs/test-peer.md.

Flags:
`

// peerMain parses `ze-test peer` flags into a testpeer.Config and runs it.
func peerMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, code := parsePeerFlags(args, stdin, stderr)
	if code >= 0 {
		return code
	}
	p, err := testpeer.New(cfg, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "ze-test peer: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	defer signal.Stop(usr1)
	go func() {
		for range usr1 {
			p.WriteSummary()
		}
	}()
	if err := p.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "ze-test peer: %s\n", strings.ReplaceAll(err.Error(), "testpeer: ", ""))
		return 1
	}
	return 0
}

// parsePeerFlags returns the configuration, or an exit code ≥ 0 when the
// command must stop (help, usage error).
func parsePeerFlags(args []string, stdin io.Reader, stderr io.Writer) (testpeer.Config, int) {
	cfg := testpeer.DefaultConfig()
	fs := flag.NewFlagSet("ze-test peer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, peerUsage)
		fs.PrintDefaults()
	}
	var (
		mode       = fs.String("mode", "", "`MODE`: check, sink, echo, reflect or inject (default check with --script, else sink)")
		script     = fs.String("script", "", "check-mode script `FILE` (- for stdin)")
		sources    = fs.String("source-addresses", "", "local `ADDR[,ADDR…]` of dialled sessions (default 127.0.0.2… with --peers > 1 to a loopback address)")
		asn        = fs.Uint("asn", uint(cfg.ASN), "local `AS` (0: learn it from the remote OPEN)")
		peerASN    = fs.Uint("peer-asn", 0, "`AS` the remote must announce (0: any)")
		routerID   = fs.String("router-id", "", "BGP identifier `ADDR` (default: the session's local IPv4 address)")
		holdTime   = fs.Uint("hold-time", uint(cfg.HoldTime), "hold time in `SECONDS` (0 or at least 3)")
		families   = fs.String("family", "", "`FAMILY[,FAMILY…]` to offer (multiprotocol); default ipv4/unicast, \"none\" sends no multiprotocol capability")
		addPath    = fs.String("add-path", "", "`FAMILY[/send|/receive|/both][,…]` ADD-PATH entries (default both)")
		extNH      = fs.String("extended-next-hop", "", "`FAMILY[,…]` accepting IPv6 next hops (RFC 8950)")
		dropCaps   = fs.String("drop-capability", "", "remove capabilities `CODE|NAME[,…]` from the OPEN")
		openHex    = fs.String("open-hex", "", "send this OPEN (`HEX`, whole message) instead of the one built from the flags")
		unknownTyp = fs.Int("send-unknown-type", -1, "once established, send a header-only message of `TYPE`")
		ignore     = fs.String("ignore", "", "check: message `TYPES` to skip while waiting (open,update,notification,route-refresh,unknown)")
		decodeFmt  = fs.String("decode-format", "json", "--decode output: `json` or text")
		prefix     = fs.String("prefix-start", cfg.Inject.PrefixStart.String(), "inject: first `PREFIX` (the family follows it)")
		attrsMode  = fs.String("attrs", "shared", "inject: `shared` attributes, or unique per UPDATE (distinct MED)")
		withdraw   = fs.String("withdraw-after", "", "inject: withdraw every prefix this `DURATION` after End-of-RIB")
		nextHop    = fs.String("next-hop", "", "inject: next hop `ADDR` (default: the session's local address)")
		backSource = fs.String("expect-back-source", "", "inject: local `ADDR` of the expect-back session")
		backASN    = fs.Uint("expect-back-asn", 0, "inject: local `AS` of the expect-back session (0: --asn)")
		addCaps    multiFlag
		sendHex    multiFlag
	)
	fs.StringVar(&cfg.Listen, "listen", "", "listen on `ADDR:PORT` (port 0: a free one, printed)")
	fs.StringVar(&cfg.Dial, "dial", "", "dial `ADDR:PORT` (retried until it answers)")
	fs.IntVar(&cfg.Peers, "peers", 1, "`N` sessions (dial), or sessions expected (listen)")
	fs.DurationVar(&cfg.Timeout, "timeout", cfg.Timeout, "stop after `DURATION` (check and inject fail; 0: never)")
	fs.BoolVar(&cfg.Quiet, "quiet", false, "no established/closed lines")
	fs.BoolVar(&cfg.ASN4, "asn4", cfg.ASN4, "offer 4-octet AS numbers (--asn4=false to leave out)")
	fs.BoolVar(&cfg.RouteRefresh, "route-refresh", cfg.RouteRefresh, "offer route refresh")
	fs.BoolVar(&cfg.ExtendedMessage, "extended-message", false, "offer extended messages (RFC 8654)")
	fs.BoolVar(&cfg.GracefulRestart, "graceful-restart", false, "offer graceful restart for every family")
	var restart uint
	fs.UintVar(&restart, "restart-time", uint(cfg.RestartTime), "graceful restart time in `SECONDS`")
	fs.Var(&addCaps, "add-capability", "append capability `CODE:HEX` to the OPEN (repeatable; any code)")
	fs.Var(&sendHex, "send-hex", "once established, send these octets `HEX` (repeatable)")
	fs.BoolVar(&cfg.Decode, "decode", false, "print every received message as a ze JSON line on stdout")
	fs.BoolVar(&cfg.SinkUntilEOR, "sink-until-eor", false, "sink: stop once --peers sessions sent End-of-RIB for every family")
	fs.IntVar(&cfg.Inject.Count, "count", cfg.Inject.Count, "inject: `N` prefixes")
	fs.IntVar(&cfg.Inject.PerUpdate, "per-update", cfg.Inject.PerUpdate, "inject: `N` prefixes per UPDATE")
	fs.Float64Var(&cfg.Inject.Rate, "rate", 0, "inject: `PREFIXES` per second (0: as fast as possible)")
	fs.StringVar(&cfg.Inject.ExpectBack, "expect-back", "", "inject: once established, dial `ADDR:PORT` too (send only after it is established) and wait until the routes come back there")
	fs.DurationVar(&cfg.Inject.Linger, "linger", 0, "inject: keep the session up this `DURATION` after the report (negative: until timeout or signal)")
	var mrtPeer, mrtSpeed string
	fs.StringVar(&cfg.Inject.MRT.File, "mrt", "", "inject: replay the MRT `FILE` (RIB dump or update file; plain, gzip or bzip2) instead of generated routes")
	fs.StringVar(&mrtPeer, "mrt-peer", "all", "inject --mrt: recorded peers to replay: `all`, ADDR, asN or INDEX")
	fs.StringVar(&mrtSpeed, "speed", "max", "inject --mrt: `X` times the recorded pace (1: as recorded), or max: as fast as possible")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, 0
		}
		return cfg, 2
	}
	bad := func(format string, a ...any) (testpeer.Config, int) {
		fmt.Fprintf(stderr, "ze-test peer: "+format+"\n", a...)
		return cfg, 2
	}
	if fs.NArg() > 0 {
		return bad("unexpected argument %q", fs.Arg(0))
	}
	if *asn > 0xFFFFFFFF || *peerASN > 0xFFFFFFFF || *backASN > 0xFFFFFFFF || *holdTime > 0xFFFF || restart > 0xFFFF {
		return bad("a number is out of range")
	}
	cfg.ASN, cfg.PeerASN, cfg.HoldTime, cfg.RestartTime = uint32(*asn), uint32(*peerASN), uint16(*holdTime), uint16(restart)
	cfg.Inject.ExpectBackASN = uint32(*backASN)
	var err error
	if *routerID != "" {
		if cfg.RouterID, err = netip.ParseAddr(*routerID); err != nil {
			return bad("--router-id: %v", err)
		}
	}
	if *families != "" {
		if cfg.Families, err = parseFamilies(*families); err != nil {
			return bad("--family: %v", err)
		}
	}
	if *addPath != "" {
		if cfg.AddPath, err = parseAddPath(*addPath); err != nil {
			return bad("--add-path: %v", err)
		}
	}
	if *extNH != "" {
		fams, err := parseFamilies(*extNH)
		if err != nil {
			return bad("--extended-next-hop: %v", err)
		}
		for _, f := range fams {
			cfg.ExtNextHop = append(cfg.ExtNextHop, capability.NextHopFamily{Family: f, NextHopAFI: wire.AFIIPv6})
		}
	}
	if *dropCaps != "" {
		if cfg.DropCaps, err = parseCapCodes(*dropCaps); err != nil {
			return bad("--drop-capability: %v", err)
		}
	}
	for _, c := range addCaps {
		code, hex, ok := strings.Cut(c, ":")
		n, err := strconv.ParseUint(code, 10, 8)
		if !ok || err != nil {
			return bad("--add-capability %q: want CODE:HEX", c)
		}
		var v []byte
		if hex != "" {
			if v, err = testpeer.ParseHex(hex); err != nil {
				return bad("--add-capability %q: %v", c, err)
			}
		}
		if len(v) > 255 {
			return bad("--add-capability %q: value longer than 255 octets", c)
		}
		cfg.AddCaps = append(cfg.AddCaps, append([]byte{byte(n), byte(len(v))}, v...))
	}
	if *openHex != "" {
		if cfg.OpenHex, err = testpeer.ParseHex(*openHex); err != nil {
			return bad("--open-hex: %v", err)
		}
	}
	for _, h := range sendHex {
		b, err := testpeer.ParseHex(h)
		if err != nil {
			return bad("--send-hex: %v", err)
		}
		cfg.SendAfterOpen = append(cfg.SendAfterOpen, b)
	}
	if *unknownTyp >= 0 {
		if *unknownTyp > 255 {
			return bad("--send-unknown-type: 0-255")
		}
		msg := wire.AppendHeader(nil, wire.Type(*unknownTyp))
		wire.SetLength(msg)
		cfg.SendAfterOpen = append(cfg.SendAfterOpen, msg)
	}
	if *sources != "" {
		for _, s := range strings.Split(*sources, ",") {
			a, err := netip.ParseAddr(strings.TrimSpace(s))
			if err != nil {
				return bad("--source-addresses: %v", err)
			}
			cfg.SourceAddrs = append(cfg.SourceAddrs, a)
		}
	}
	if *ignore != "" {
		if cfg.Ignore, err = testpeer.ParseTypes(*ignore); err != nil {
			return bad("--ignore: %v", err)
		}
	}
	switch *decodeFmt {
	case "json":
	case "text":
		cfg.DecodeText = true
	default:
		return bad("--decode-format: json or text, not %q", *decodeFmt)
	}
	if cfg.Inject.PrefixStart, err = netip.ParsePrefix(*prefix); err != nil {
		return bad("--prefix-start: %v", err)
	}
	switch *attrsMode {
	case "shared":
	case "unique":
		cfg.Inject.UniqueAttrs = true
	default:
		return bad("--attrs: shared or unique, not %q", *attrsMode)
	}
	if *withdraw != "" {
		if cfg.Inject.WithdrawAfter, err = time.ParseDuration(*withdraw); err != nil {
			return bad("--withdraw-after: %v", err)
		}
		cfg.Inject.Withdraw = true
	}
	if *nextHop != "" {
		if cfg.Inject.NextHop, err = netip.ParseAddr(*nextHop); err != nil {
			return bad("--next-hop: %v", err)
		}
	}
	if *backSource != "" {
		if cfg.Inject.ExpectBackSource, err = netip.ParseAddr(*backSource); err != nil {
			return bad("--expect-back-source: %v", err)
		}
	}
	if cfg.Inject.MRT.Peer, err = testpeer.ParseMRTPeer(mrtPeer); err != nil {
		return bad("--mrt-peer: %s", strings.TrimPrefix(err.Error(), "testpeer: "))
	}
	if mrtSpeed != "max" {
		v, err := strconv.ParseFloat(mrtSpeed, 64)
		if err != nil || !(v > 0) {
			return bad("--speed: a positive number or max, not %q", mrtSpeed)
		}
		cfg.Inject.MRT.Speed = v
	}
	switch {
	case *mode != "":
		if cfg.Mode, err = testpeer.ParseMode(*mode); err != nil {
			return bad("%v", err)
		}
	case *script != "":
		cfg.Mode = testpeer.ModeCheck
	}
	if *script != "" {
		if cfg.Script, err = readScript(*script, stdin); err != nil {
			return bad("%v", err)
		}
	}
	if err := cfg.Validate(); err != nil {
		return bad("%v", err)
	}
	return cfg, -1
}

func readScript(name string, stdin io.Reader) (*testpeer.Script, error) {
	if name == "-" {
		return testpeer.ParseScript("stdin", stdin)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return testpeer.ParseScript(name, f)
}

// parseFamilies reads FAMILY[,FAMILY…]; "none" is the empty list.
func parseFamilies(s string) ([]wire.Family, error) {
	if s == "none" {
		return nil, nil
	}
	var out []wire.Family
	for _, p := range strings.Split(s, ",") {
		f, err := wire.ParseFamily(p)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// parseAddPath reads FAMILY[/send|/receive|/both][,…].
func parseAddPath(s string) ([]capability.AddPathFamily, error) {
	var out []capability.AddPathFamily
	for _, p := range strings.Split(s, ",") {
		mode := capability.AddPathBoth
		fs := p
		if i := strings.LastIndex(p, "/"); i > 0 && strings.Count(p, "/") == 2 {
			fs = p[:i]
			switch p[i+1:] {
			case "send":
				mode = capability.AddPathSend
			case "receive":
				mode = capability.AddPathReceive
			case "both":
			default:
				return nil, fmt.Errorf("%q: mode is send, receive or both", p)
			}
		}
		f, err := wire.ParseFamily(fs)
		if err != nil {
			return nil, err
		}
		out = append(out, capability.AddPathFamily{Family: f, Mode: mode})
	}
	return out, nil
}

// parseCapCodes reads capability codes or names (add-path, asn4…).
func parseCapCodes(s string) ([]capability.Code, error) {
	var out []capability.Code
next:
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if n, err := strconv.ParseUint(p, 10, 8); err == nil {
			out = append(out, capability.Code(n))
			continue
		}
		for c := range 256 {
			if capability.Code(c).String() == p {
				out = append(out, capability.Code(c))
				continue next
			}
		}
		return nil, fmt.Errorf("unknown capability %q", p)
	}
	return out, nil
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
