package main

import (
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"

	"github.com/ze-bgp/ze/internal/cli"
	"github.com/ze-bgp/ze/speaker/decode"
	"github.com/ze-bgp/ze/speaker/exabgp"
)

// processMeta returns the host name, PID and parent PID for ExaBGP's
// envelope; tests replace it to get stable output.
var processMeta = func() (string, int, int) {
	h, _ := os.Hostname()
	return h, os.Getpid(), os.Getppid()
}

func bgpDecode(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ze bgp decode", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		pcap       = fs.String("pcap", "", "read a pcap or pcapng `FILE` (TCP port 179, streams reassembled)")
		format     = fs.String("format", "json", "output `FORMAT`: json (ze), exabgp, text")
		exaVersion = fs.Int("exabgp-version", 4, "ExaBGP JSON `VERSION` for --format exabgp: 4 (\"4.0.1\") or 5 (\"5.0.0\")")
		asn4       = fs.Bool("asn4", false, "decode AS numbers as 4 octets (default: learnt from OPENs, else on)")
		noASN4     = fs.Bool("no-asn4", false, "decode AS numbers as 2 octets")
		addPath    familyList
		family     familyFlag
		localAddr  = fs.String("local-address", "127.0.0.1", "ExaBGP neighbor local `ADDRESS` for hex input")
		peerAddr   = fs.String("peer-address", "127.0.0.1", "ExaBGP neighbor peer `ADDRESS` for hex input")
		localAS    = fs.Uint("local-as", 65533, "ExaBGP neighbor local `ASN` for hex input")
		peerAS     = fs.Uint("peer-as", 65533, "ExaBGP neighbor peer `ASN` for hex input")
		routerID   = fs.String("router-id", "127.0.0.1", "ExaBGP neighbor router-id for hex input")
	)
	fs.Var(&addPath, "add-path", "`FAMILY[,FAMILY…]` whose NLRI carry ADD-PATH path identifiers (hex input)")
	fs.Var(&family, "family", "NLRI-only input: each hex line is the NLRI of `FAMILY`")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: ze bgp decode [flags] [HEX …]\n\nDecodes BGP messages given as hex arguments, as hex lines on stdin, or from a capture (--pcap).\nHex may contain spaces and ':' and may omit the 16-octet marker.\nExit status 1 when any message failed to decode.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(cli.Interleave(fs, args)); err != nil {
		return 2
	}
	f, err := decode.ParseFormat(*format)
	if err != nil {
		fmt.Fprintln(stderr, "ze:", err)
		return 2
	}
	if *exaVersion != 4 && *exaVersion != 5 {
		fmt.Fprintln(stderr, "ze: --exabgp-version must be 4 or 5")
		return 2
	}
	o := decode.Options{Format: f, ExaBGPVersion: exabgp.Version(*exaVersion), Family: family.f, Warn: stderr}
	if *asn4 && *noASN4 {
		fmt.Fprintln(stderr, "ze: --asn4 and --no-asn4 exclude each other")
		return 2
	}
	if *asn4 || *noASN4 {
		v := *asn4
		o.ASN4 = &v
	}
	if len(addPath) > 0 {
		o.AddPath = addPath
	}
	nb := exabgp.Neighbor{LocalAS: uint32(*localAS), PeerAS: uint32(*peerAS), Direction: "in"}
	for _, a := range []struct {
		s   string
		dst *netip.Addr
		n   string
	}{{*localAddr, &nb.LocalAddress, "local-address"}, {*peerAddr, &nb.PeerAddress, "peer-address"}, {*routerID, &nb.RouterID, "router-id"}} {
		if *a.dst, err = netip.ParseAddr(a.s); err != nil {
			fmt.Fprintf(stderr, "ze: --%s: %v\n", a.n, err)
			return 2
		}
	}
	o.Neighbor = nb
	o.Host, o.PID, o.PPID = processMeta()

	var res decode.Result
	switch {
	case *pcap != "":
		if fs.NArg() > 0 {
			fmt.Fprintln(stderr, "ze: give either --pcap FILE or hex, not both")
			return 2
		}
		fh, err := os.Open(*pcap)
		if err != nil {
			fmt.Fprintln(stderr, "ze:", err)
			return 2
		}
		defer fh.Close()
		res, err = decode.Pcap(fh, stdout, o)
		if err != nil {
			fmt.Fprintf(stderr, "ze: %s: %v\n", *pcap, err)
			return 1
		}
	case fs.NArg() > 0:
		res, err = decode.Strings(fs.Args(), stdout, o)
		if err != nil {
			fmt.Fprintln(stderr, "ze:", err)
			return 1
		}
	default:
		res, err = decode.Hex(stdin, stdout, o)
		if err != nil {
			fmt.Fprintln(stderr, "ze:", err)
			return 1
		}
	}
	if err := res.Err(); err != nil {
		fmt.Fprintln(stderr, "ze:", err)
		return 1
	}
	return 0
}
