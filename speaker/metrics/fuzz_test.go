package metrics

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/wire"
)

// FuzzCollect protects the scrape: whatever names, addresses, states and
// families the Source returns (repeated, empty, not UTF-8, invalid
// states, unknown families), collecting never panics, the registry
// gathers without error, and every peer and process is exported exactly
// once. Input: NUL-separated records; a record's first octet picks the
// address, state and family, the rest is the name; records starting
// with 'p' are processes.
func FuzzCollect(f *testing.F) {
	f.Add([]byte("\x01east\x00\x02west\x00pwatcher"))
	f.Add([]byte("\x01a\x00\x01a\x00pp\x00pp"))
	f.Add([]byte("\xffbad\xfe\x00p\xc3"))
	f.Add([]byte("\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var src fakeSource
		for rec := range strings.SplitSeq(string(data), "\x00") {
			if len(rec) == 0 {
				continue
			}
			b := rec[0]
			if b == 'p' {
				src.procs = append(src.procs, Process{Name: rec[1:], QueueDepth: len(rec)})
				continue
			}
			p := Peer{Name: rec[1:], State: fsm.State(b % 8), AdminDown: b&8 != 0, RemoteAS: uint32(b) << 16}
			if b%3 != 0 {
				p.Address = netip.AddrFrom4([4]byte{192, 0, 2, b % 4})
			}
			fam := wire.Family{AFI: wire.AFI(b % 3), SAFI: wire.SAFI(b)}
			p.Families = []Family{{Family: fam, Received: int(b)}, {Family: wire.IPv4Unicast}, {Family: fam}}
			src.peers = append(src.peers, p)
		}
		reg := prometheus.NewRegistry()
		reg.MustRegister(NewCollector(src))
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatalf("gather: %v", err)
		}
		for _, mf := range mfs {
			switch mf.GetName() {
			case "ze_peer_info", "bgp_peer_state":
				if n := len(mf.GetMetric()); n != len(src.peers) {
					t.Fatalf("%s: %d series for %d peers", mf.GetName(), n, len(src.peers))
				}
			case "ze_api_running":
				if n := len(mf.GetMetric()); n != len(src.procs) {
					t.Fatalf("%s: %d series for %d processes", mf.GetName(), n, len(src.procs))
				}
			}
		}
	})
}
