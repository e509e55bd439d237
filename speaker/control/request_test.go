package control

import (
	"bufio"
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

func TestParseRequest(t *testing.T) {
	pfx := netip.MustParsePrefix
	for _, tc := range []struct {
		line string
		want Request
		err  string // a part of the error; "" for none
	}{
		{"help", Request{Command: CmdHelp}, ""},
		{"  ?  ", Request{Command: CmdHelp}, ""},
		{"reload", Request{Command: CmdReload}, ""},
		{"RELOAD json", Request{Command: CmdReload, JSON: true}, ""},
		{"show neighbor", Request{Command: CmdSummary}, ""},
		{"show neighbors summary", Request{Command: CmdSummary}, ""},
		{"json show neighbor summary", Request{Command: CmdSummary, JSON: true}, ""},
		{"show neighbor peer-east", Request{Command: CmdNeighbor, Peer: "peer-east"}, ""},
		{"show neighbor 192.0.2.1 json", Request{Command: CmdNeighbor, Peer: "192.0.2.1", JSON: true}, ""},
		{"show status", Request{Command: CmdStatus}, ""},
		{"show rib", Request{Command: CmdRIB}, ""},
		{"show rib ipv6/unicast", Request{Command: CmdRIB, Family: wire.IPv6Unicast}, ""},
		{"show rib ipv4 multicast", Request{Command: CmdRIB, Family: wire.IPv4Multicast}, ""},
		{"show rib 10.0.0.0/24", Request{Command: CmdRIB, Prefix: pfx("10.0.0.0/24")}, ""},
		{"show rib 10.0.0.9/24", Request{Command: CmdRIB, Prefix: pfx("10.0.0.0/24")}, ""},
		{"show rib 10.0.0.0/24 longest", Request{Command: CmdRIB, Prefix: pfx("10.0.0.0/24"), Longest: true}, ""},
		{"show rib longest", Request{}, "need a PREFIX"},
		{"show adj-rib-in 0 exact limit 2", Request{}, "need a PREFIX"},
		{"show rib 10.0.0.1", Request{Command: CmdRIB, Prefix: pfx("10.0.0.1/32"), Longest: true}, ""},
		{"show rib 10.0.0.1 exact", Request{Command: CmdRIB, Prefix: pfx("10.0.0.1/32")}, ""},
		{"show rib 2001:db8::1 ipv6/unicast limit 5", Request{Command: CmdRIB, Family: wire.IPv6Unicast, Prefix: pfx("2001:db8::1/128"), Longest: true, Limit: 5}, ""},
		{"show rib ::ffff:10.0.0.0/104", Request{Command: CmdRIB, Prefix: pfx("10.0.0.0/8")}, ""},
		{"show adj-rib-in inject", Request{Command: CmdAdjIn, Peer: "inject"}, ""},
		{"show adj-rib-out 127.0.0.3 ipv4/unicast 10.0.0.0/8 limit 10 json", Request{Command: CmdAdjOut, Peer: "127.0.0.3", Family: wire.IPv4Unicast, Prefix: pfx("10.0.0.0/8"), Limit: 10, JSON: true}, ""},

		{"clear neighbor inject", Request{Command: CmdClear, Peer: "inject"}, ""},
		{"clear neighbour 127.0.0.2 soft", Request{Command: CmdClear, Peer: "127.0.0.2", Clear: ClearSoft}, ""},
		{"clear neighbor all soft in json", Request{Command: CmdClear, Peer: "all", Clear: ClearSoftIn, JSON: true}, ""},
		{"CLEAR NEIGHBOR x SOFT OUT", Request{Command: CmdClear, Peer: "x", Clear: ClearSoftOut}, ""},
		{"clear", Request{}, "clear what?"},
		{"clear rib", Request{}, "clear what?"},
		{"clear neighbor", Request{}, "needs a neighbour"},
		{"clear neighbor x hard", Request{}, `unexpected "hard"`},
		{"clear neighbor x soft both", Request{}, `unexpected "both"`},
		{"clear neighbor x soft in now", Request{}, `unexpected "now"`},

		{"", Request{}, "empty request"},
		{"json", Request{JSON: true}, "empty request"},
		{"bogus", Request{}, `unknown command "bogus"`},
		{"show", Request{}, "show what?"},
		{"show bogus", Request{}, `unknown show "bogus"`},
		{"reload now", Request{}, `unexpected "now"`},
		{"show neighbor a b", Request{}, `unexpected "b"`},
		{"show adj-rib-in", Request{}, "needs a neighbour"},
		{"show rib 300.0.0.0/8", Request{}, `"300.0.0.0/8" is neither a prefix nor a family`},
		{"show rib ipv4", Request{}, "needs a SAFI"},
		{"show rib ipv4/flowspec", Request{}, "not kept in the RIB"},
		{"show rib ipv4/unicast ipv6/unicast", Request{}, "two families"},
		{"show rib 10.0.0.0/8 10.0.0.0/16", Request{}, "two prefixes"},
		{"show rib ipv6/unicast 10.0.0.0/8", Request{}, "is not of family"},
		{"show rib limit", Request{}, "limit needs a number"},
		{"show rib limit 0", Request{}, "not a number from 1"},
		{"show rib limit 99999999", Request{}, "not a number from 1"},
		{"show rib fe80::1%eth0", Request{}, "has a zone"},
		{"show rib wat", Request{}, `unexpected "wat"`},
		{strings.Repeat("x", MaxLine+1), Request{}, "longer than"},
	} {
		got, err := ParseRequest(tc.line)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.line, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want one with %q", tc.line, err, tc.err)
		case tc.err == "" && got != tc.want:
			t.Errorf("%q = %+v, want %+v", tc.line, got, tc.want)
		}
	}
}

// FuzzParseRequest protects the control socket's request parser: any
// line a client sends is parsed without panicking, an error never holds
// more than a bounded part of the line, and a request that parses
// writes back (Request.String) as a line that parses to the same
// request.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		"help", "reload", "show neighbor summary json", "show neighbor a", "show rib 10.0.0.1",
		"show adj-rib-in x ipv6 unicast 2001:db8::/32 longest limit 3", "show rib ::ffff:1.2.3.4/120",
		"show status", "json show rib exact 0.0.0.0/0", "show rib ipv4/multicast 224.0.0.0/4",
		"clear neighbor all", "clear neighbor 10.0.0.1 soft in json", "clear neighbour x soft",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		r, err := ParseRequest(line)
		if err != nil {
			if len(err.Error()) > 400 {
				t.Fatalf("error of %d octets: %.100s…", len(err.Error()), err)
			}
			return
		}
		back := r.String()
		r2, err := ParseRequest(back)
		if err != nil {
			t.Fatalf("%q parsed as %+v, written %q, which does not parse: %v", line, r, back, err)
		}
		if r2 != r {
			t.Fatalf("%q: %+v, written %q, read back %+v", line, r, back, r2)
		}
	})
}

// FuzzFrame protects the answer framing: whatever a body holds (lines
// starting with ".", no final newline, a bare ".ok"), ReadAnswer gives
// back exactly that body (with a final newline), and the status.
func FuzzFrame(f *testing.F) {
	f.Add([]byte(".ok\n..\n.\nx"), "")
	f.Add([]byte("a\nb\n"), "it failed\nbadly")
	f.Add([]byte(""), "x")
	f.Fuzz(func(t *testing.T, body []byte, msg string) {
		var err error
		if msg != "" {
			err = errors.New(msg)
		}
		framed := AppendFrame(nil, body, err)
		got, rerr := ReadAnswer(bufio.NewReader(bytes.NewReader(framed)))
		want := string(body)
		if want != "" && !strings.HasSuffix(want, "\n") {
			want += "\n"
		}
		if string(got) != want {
			t.Fatalf("body %q framed %q read back %q", body, framed, got)
		}
		var re *RemoteError
		switch {
		case err == nil && rerr != nil:
			t.Fatalf("status: %v", rerr)
		case err != nil && !errors.As(rerr, &re):
			t.Fatalf("status: %v, want a RemoteError", rerr)
		case err != nil && strings.ContainsAny(re.Msg, "\n"):
			t.Fatalf("status message %q spans lines", re.Msg)
		}
	})
}
