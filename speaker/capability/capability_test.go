package capability

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

// wantOpenErr checks that err is a *wire.Error with OPEN Message Error
// and the given subcode and action.
func wantOpenErr(t *testing.T, err error, sub uint8, action wire.Action) {
	t.Helper()
	var we *wire.Error
	if !errors.As(err, &we) {
		t.Fatalf("error %v (%T) is not a *wire.Error", err, err)
	}
	if we.Code != wire.CodeOpen || we.Subcode != sub || we.Action != action {
		t.Fatalf("error %q = %d/%d %s, want %d/%d %s", we, we.Code, we.Subcode, we.Action, wire.CodeOpen, sub, action)
	}
}

func TestCodeString(t *testing.T) {
	tests := []struct {
		c    Code
		want string
	}{
		{CodeMultiprotocol, "multiprotocol"},
		{CodeRouteRefresh, "route-refresh"},
		{CodeExtendedNextHop, "extended-next-hop"},
		{CodeExtendedMessage, "extended-message"},
		{CodeRole, "role"},
		{CodeGracefulRestart, "graceful-restart"},
		{CodeASN4, "asn4"},
		{CodeDynamicOld, "dynamic-capability-old"},
		{CodeDynamic, "dynamic-capability"},
		{CodeAddPath, "add-path"},
		{CodeEnhancedRouteRefresh, "enhanced-route-refresh"},
		{CodeLLGR, "llgr"},
		{CodeFQDN, "fqdn"},
		{CodeSoftwareVersion, "software-version"},
		{CodeLinkLocalNextHop, "link-local-next-hop"},
		{CodeRouteRefreshCisco, "route-refresh-cisco"},
		{200, "capability-200"},
		{0, "capability-0"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("Code(%d).String() = %q, want %q", tt.c, got, tt.want)
		}
		if got := tt.c.Known(); got != (tt.c != 200 && tt.c != 0) {
			t.Errorf("Code(%d).Known() = %v", tt.c, got)
		}
	}
}

func TestIterator(t *testing.T) {
	type capab struct {
		code  Code
		value []byte
	}
	tests := []struct {
		name string
		in   []byte
		want []capab
		err  bool
	}{
		{name: "empty", in: nil},
		{
			name: "three",
			in: []byte{
				0x01, 0x04, 0x00, 0x01, 0x00, 0x01, // multiprotocol, len 4, ipv4/unicast
				0x02, 0x00, // route-refresh, len 0
				0xC8, 0x02, 0x0A, 0x0B, // unknown 200, len 2, value 0A0B
			},
			want: []capab{
				{CodeMultiprotocol, []byte{0, 1, 0, 1}},
				{CodeRouteRefresh, []byte{}},
				{200, []byte{0x0A, 0x0B}},
			},
		},
		{
			name: "header truncated",
			in: []byte{
				0x02, 0x00, // route-refresh
				0x41, // asn4 code, no length
			},
			want: []capab{{CodeRouteRefresh, []byte{}}},
			err:  true,
		},
		{
			name: "value runs past",
			in: []byte{
				0x41, 0x04, 0x00, 0x00, 0xFD, // asn4, len 4, only 3 octets
			},
			err: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := NewIterator(tt.in)
			var got []capab
			for it.Next() {
				got = append(got, capab{it.Code(), it.Value()})
				if raw := it.Raw(); raw[0] != byte(it.Code()) || int(raw[1]) != len(it.Value()) {
					t.Errorf("Raw() = % X", raw)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d capabilities, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if got[i].code != tt.want[i].code || !bytes.Equal(got[i].value, tt.want[i].value) {
					t.Errorf("capability %d = %v % X, want %v % X", i, got[i].code, got[i].value, tt.want[i].code, tt.want[i].value)
				}
			}
			if tt.err {
				wantOpenErr(t, it.Err(), 0, wire.ActionSessionReset)
			} else if it.Err() != nil {
				t.Fatalf("Err() = %v", it.Err())
			}
			if it.Next() {
				t.Error("Next() after the end returned true")
			}
		})
	}
}

func TestAppend(t *testing.T) {
	got := Append(nil, 200, []byte{0x0A, 0x0B})
	want := []byte{0xC8, 0x02, 0x0A, 0x0B} // code 200, len 2, value
	if !bytes.Equal(got, want) {
		t.Errorf("Append = % X, want % X", got, want)
	}
	long := Append(nil, 200, make([]byte, 300))
	if len(long) != 2+255 || long[1] != 255 {
		t.Errorf("Append of 300 octets: len %d, length field %d", len(long), long[1])
	}
	for _, c := range []Code{CodeRouteRefresh, CodeExtendedMessage, CodeEnhancedRouteRefresh, CodeLinkLocalNextHop, CodeRouteRefreshCisco} {
		b := AppendEmpty(nil, c)
		if !bytes.Equal(b, []byte{byte(c), 0}) {
			t.Errorf("AppendEmpty(%s) = % X", c, b)
		}
		if err := ParseEmpty(c, b[2:]); err != nil {
			t.Errorf("ParseEmpty(%s) = %v", c, err)
		}
		wantOpenErr(t, ParseEmpty(c, []byte{0}), 0, wire.ActionSessionReset)
	}
}

func TestUnsupportedError(t *testing.T) {
	caps := AppendASN4(nil, 65001)
	err := UnsupportedError(caps)
	wantOpenErr(t, err, wire.SubUnsupportedCapability, wire.ActionSessionReset)
	caps[0] = 0
	if !bytes.Equal(err.Data, []byte{0x41, 0x04, 0x00, 0x00, 0xFD, 0xE9}) { // asn4 65001, not aliased
		t.Errorf("data % X", err.Data)
	}
}

func TestIgnorable(t *testing.T) {
	if Ignorable(nil) || Ignorable(errors.New("x")) || Ignorable(malformed(CodeAddPath, "x")) {
		t.Error("Ignorable true for a non-ignorable error")
	}
	if !Ignorable(ignored(CodeAddPath, "x")) {
		t.Error("Ignorable false for an ignored capability")
	}
}

// fam builds a family from its numbers.
func fam(afi wire.AFI, safi wire.SAFI) wire.Family { return wire.Family{AFI: afi, SAFI: safi} }
