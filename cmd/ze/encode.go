package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/ze-bgp/ze/internal/cli"
	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
)

func bgpEncode(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ze bgp encode", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		asn4    = fs.Bool("asn4", true, "encode AS numbers as 4 octets (--asn4=false: 2 octets with AS4_PATH)")
		noASN4  = fs.Bool("no-asn4", false, "encode AS numbers as 2 octets (AS_TRANS + AS4_PATH for larger ones)")
		extMsg  = fs.Bool("extended-message", false, "allow UPDATEs up to 65535 octets when packing (RFC 8654)")
		pack    = fs.Bool("pack", false, "pack routes that share attributes into as few UPDATEs as fit")
		addPath familyList
		family  familyFlag
	)
	fs.Var(&addPath, "add-path", "`FAMILY[,FAMILY…]` whose NLRI carry a path identifier (path-information)")
	fs.Var(&family, "family", "default `FAMILY` for routes that do not say (e.g. ipv4/multicast)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, `usage: ze bgp encode [flags] ROUTE …

Encodes each route (arguments, or one per line on stdin) into a full
UPDATE message printed as one uppercase hex line. Route syntax:

  route 10.0.0.0/24 next-hop 192.0.2.1 origin igp as-path [65001 65002] med 10
        local-preference 100 community [65000:1 no-export] large-community [65000:1:2]
        extended-community [target:65000:1] path-information 1
  withdraw route 10.0.0.0/24

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(cli.Interleave(fs, args)); err != nil {
		return 2
	}
	ctx := wire.Context{ASN4: *asn4 && !*noASN4, ExtendedMessage: *extMsg}
	for _, f := range addPath {
		var ok bool
		if ctx, ok = ctx.WithAddPath(f, true); !ok {
			fmt.Fprintf(stderr, "ze: --add-path: family %s is not supported\n", f)
			return 2
		}
	}
	// Each argument is a route when every one starts with a keyword
	// (route/announce/withdraw); otherwise the words form one route, so
	// that an unquoted route works too. No argument: one route per line
	// on stdin.
	lines := fs.Args()
	all := len(lines) > 0
	for _, l := range lines {
		all = all && startsRoute(l)
	}
	if len(lines) > 0 && !all {
		lines = []string{strings.Join(lines, " ")}
	}
	if len(lines) == 0 {
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
	}
	var routes []route.Route
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if family.f != (wire.Family{}) && !strings.Contains(l, " family ") {
			l += " family " + family.f.String()
		}
		r, err := route.Parse(l)
		if err != nil {
			fmt.Fprintf(stderr, "ze: route %d: %v\n", i+1, err)
			return 1
		}
		routes = append(routes, r)
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	if *pack {
		buf, err := route.AppendUpdates(nil, routes, ctx)
		if err != nil {
			fmt.Fprintln(stderr, "ze:", err)
			return 1
		}
		for len(buf) > 0 {
			msg, rest, err := wire.Split(buf, wire.MaxExtendedLen)
			if err != nil {
				fmt.Fprintln(stderr, "ze:", err)
				return 1
			}
			fmt.Fprintf(w, "%X\n", msg)
			buf = rest
		}
		return 0
	}
	var buf []byte
	for i, r := range routes {
		var err error
		buf, err = r.AppendUpdate(buf[:0], ctx)
		if err != nil {
			fmt.Fprintf(stderr, "ze: route %d: %v\n", i+1, err)
			return 1
		}
		fmt.Fprintf(w, "%X\n", buf)
	}
	return 0
}

func startsRoute(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "route") || strings.HasPrefix(s, "announce") || strings.HasPrefix(s, "withdraw")
}
