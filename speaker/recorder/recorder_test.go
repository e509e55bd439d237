package recorder

import (
	"compress/gzip"
	"context"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/internal/clock"
	"github.com/ze-bgp/ze/mrt"
	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/router"
	"github.com/ze-bgp/ze/speaker/wire"
)

// session is a router.Session that drops what it is sent.
type session struct {
	cfg config.Peer
	ctx wire.Context
}

func (s *session) Config() *config.Peer      { return &s.cfg }
func (s *session) LocalAddr() netip.Addr     { return netip.MustParseAddr("192.0.2.254") }
func (s *session) SendContext() wire.Context { return s.ctx }
func (s *session) Families() []wire.Family {
	return []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast}
}
func (s *session) Send([]byte) error { return nil }

// lab is a router with route server clients, and a recorder on it with
// a fake clock.
type lab struct {
	t   *testing.T
	r   *router.Router
	rec *Recorder
	clk *clock.Fake
	dir string
	ss  map[string]*session
}

// at is the fake time of the lab: 2024-01-31 23:55:07.5 UTC.
var at = time.Date(2024, 1, 31, 23, 55, 7, 500000000, time.UTC)

func newLab(t *testing.T, cfg config.MRT, opt Options) *lab {
	l := &lab{t: t, r: router.New(router.Options{RouterID: netip.MustParseAddr("192.0.2.254")}), clk: clock.NewFake(at), dir: t.TempDir(), ss: map[string]*session{}}
	for _, rc := range []*config.Recording{&cfg.Updates, &cfg.Table, &cfg.LocRIB} {
		if rc.File != "" {
			rc.File = filepath.Join(l.dir, rc.File)
		}
	}
	opt.Now = l.clk.Now
	rec, err := New(cfg, l.r, opt)
	if err != nil {
		t.Fatal(err)
	}
	l.rec = rec
	return l
}

// up brings peer name (address ip, AS as) up in the router and the
// recorder; recv is its receive context.
func (l *lab) up(name, ip string, as uint32, recv wire.Context) {
	s := &session{cfg: config.Peer{Name: name, LocalAS: 65000, RouteServerClient: true,
		Remote: config.Remote{IP: netip.MustParseAddr(ip), AS: as}}, ctx: recv}
	l.ss[name] = s
	l.r.Up(s, recv, capability.Speaker{RouterID: netip.MustParseAddr(ip)})
	l.rec.Established(Peer{Name: name, PeerAS: as, LocalAS: 65000, PeerIP: s.cfg.Remote.IP, LocalIP: s.LocalAddr(), Recv: recv})
}

// send has peer name send routes, each its own UPDATE, to the router
// and the recorder, as the daemon does.
func (l *lab) send(name string, texts ...string) {
	l.t.Helper()
	s := l.ss[name]
	for _, text := range texts {
		rt, err := route.Parse(text)
		if err != nil {
			l.t.Fatal(err)
		}
		msg, err := rt.AppendUpdate(nil, s.ctx)
		if err != nil {
			l.t.Fatal(err)
		}
		u, err := message.ParseUpdate(msg)
		if err != nil {
			l.t.Fatal(err)
		}
		if err := l.r.Update(s, u, nil); err != nil {
			l.t.Fatal(err)
		}
		l.rec.Update(name, msg)
	}
}

func (l *lab) down(name string) {
	l.r.Down(l.ss[name])
	l.rec.Down(name)
}

// run runs the recorder until stop is called.
func (l *lab) run() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		l.rec.Run(ctx)
		close(done)
	}()
	return func() { cancel(); <-done }
}

// bgpdump returns `bgpdump -m FILE`'s lines (skipping the test when
// bgpdump is not installed).
func bgpdump(t *testing.T, file string) []string {
	t.Helper()
	bin, err := exec.LookPath("bgpdump")
	if err != nil {
		t.Skip("bgpdump is not installed")
	}
	out, err := exec.Command(bin, "-m", file).Output()
	if err != nil {
		t.Fatalf("bgpdump -m %s: %v", file, err)
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n")
}

func sameLines(t *testing.T, what string, got, want []string, sorted bool) {
	t.Helper()
	if sorted {
		got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: bgpdump -m printed\n%s\nwant\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRoundTrip records a session's updates and the tables, then checks
// with bgpdump, the reference reader, that every route is in the files.
func TestRoundTrip(t *testing.T) {
	l := newLab(t, config.MRT{
		Updates: config.Recording{File: "updates.%Y%m%d.%H%M.gz", Every: 5 * time.Minute},
		Table:   config.Recording{File: "bview.%Y%m%d.%H%M.gz", Every: 8 * time.Hour},
		LocRIB:  config.Recording{File: "locrib.%Y%m%d.%H%M", Every: time.Hour},
	}, Options{})
	stop := l.run()
	as4 := wire.Context{ASN4: true}
	l.up("a", "192.0.2.1", 65001, as4)
	l.up("b", "2001:db8::2", 4200000002, as4)
	l.up("c", "192.0.2.3", 65003, wire.Context{}) // 2-octet AS session
	l.send("a",
		"route 203.0.113.0/24 next-hop 192.0.2.1 as-path [65001 65100] med 10 community [65001:7]",
		"route 198.51.100.0/24 next-hop 192.0.2.1 as-path [65001] origin incomplete")
	l.send("b", "route 2001:db8:b::/48 next-hop 2001:db8::2 as-path [4200000002]",
		"route 203.0.113.0/24 next-hop 192.0.2.2 as-path [4200000002 65010 65020]")
	l.send("c", "route 192.0.2.128/25 next-hop 192.0.2.3 as-path [65003]")
	l.send("a", "withdraw route 198.51.100.0/24")
	if err := l.rec.Dump(router.AdjRIBIn); err != nil {
		t.Fatal(err)
	}
	if err := l.rec.Dump(router.LocRIB); err != nil {
		t.Fatal(err)
	}
	l.down("c")
	stop()
	if err := l.rec.Dump(router.LocRIB); err != nil {
		t.Fatal(err) // after Run: still fine
	}
	st := l.rec.Stats()
	if st.Queued != 10 || st.Written != 10 || st.Dropped != 0 || st.Errors != 0 || st.Tables != 3 {
		t.Errorf("stats %+v", st)
	}

	ts := "1706745307.500000"
	sameLines(t, "updates", bgpdump(t, filepath.Join(l.dir, "updates.20240131.2355.gz")), []string{
		"BGP4MP_ET|" + ts + "|STATE|192.0.2.1|65001|5|6",
		"BGP4MP_ET|" + ts + "|STATE|2001:db8::2|4200000002|5|6",
		"BGP4MP_ET|" + ts + "|STATE|192.0.2.3|65003|5|6",
		"BGP4MP_ET|" + ts + "|A|192.0.2.1|65001|203.0.113.0/24|65001 65100|IGP|192.0.2.1|0|10|65001:7|NAG||",
		"BGP4MP_ET|" + ts + "|A|192.0.2.1|65001|198.51.100.0/24|65001|INCOMPLETE|192.0.2.1|0|0||NAG||",
		"BGP4MP_ET|" + ts + "|A|2001:db8::2|4200000002|2001:db8:b::/48|4200000002|IGP|2001:db8::2|0|0||NAG||",
		"BGP4MP_ET|" + ts + "|A|2001:db8::2|4200000002|203.0.113.0/24|4200000002 65010 65020|IGP|192.0.2.2|0|0||NAG||",
		"BGP4MP_ET|" + ts + "|A|192.0.2.3|65003|192.0.2.128/25|65003|IGP|192.0.2.3|0|0||NAG||",
		"BGP4MP_ET|" + ts + "|W|192.0.2.1|65001|198.51.100.0/24",
		"BGP4MP_ET|" + ts + "|STATE|192.0.2.3|65003|6|1",
	}, false)
	// RIS bviews: 8-hour files from 00:00 UTC.
	sameLines(t, "table", bgpdump(t, filepath.Join(l.dir, "bview.20240131.1600.gz")), []string{
		"TABLE_DUMP2|1706745307|B|192.0.2.1|65001|203.0.113.0/24|65001 65100|IGP|192.0.2.1|0|10|65001:7|NAG||",
		"TABLE_DUMP2|1706745307|B|2001:db8::2|4200000002|203.0.113.0/24|4200000002 65010 65020|IGP|192.0.2.2|0|0||NAG||",
		"TABLE_DUMP2|1706745307|B|2001:db8::2|4200000002|2001:db8:b::/48|4200000002|IGP|2001:db8::2|0|0||NAG||",
		"TABLE_DUMP2|1706745307|B|192.0.2.3|65003|192.0.2.128/25|65003|IGP|192.0.2.3|0|0||NAG||",
	}, true)
	// The second Loc-RIB dump, after c went down, replaced the first.
	sameLines(t, "loc-rib", bgpdump(t, filepath.Join(l.dir, "locrib.20240131.2300")), []string{
		"TABLE_DUMP2|1706745307|B|192.0.2.1|65001|203.0.113.0/24|65001 65100|IGP|192.0.2.1|0|10|65001:7|NAG||",
		"TABLE_DUMP2|1706745307|B|2001:db8::2|4200000002|2001:db8:b::/48|4200000002|IGP|2001:db8::2|0|0||NAG||",
	}, true)
	if m, _ := filepath.Glob(filepath.Join(l.dir, "*.tmp")); len(m) > 0 {
		t.Errorf("left over: %v", m)
	}
}

// TestAddPath records an ADD-PATH session: BGP4MP_ET MESSAGE_AS4_ADDPATH
// and RIB_IPV4_UNICAST_ADDPATH (RFC 8050), read by bgpdump with the
// path identifiers.
func TestAddPath(t *testing.T) {
	l := newLab(t, config.MRT{
		Updates: config.Recording{File: "u", Every: time.Hour},
		Table:   config.Recording{File: "t", Every: time.Hour},
	}, Options{})
	ap, _ := wire.Context{ASN4: true}.WithAddPath(wire.IPv4Unicast, true)
	l.up("a", "192.0.2.1", 65001, ap)
	l.send("a", "route 203.0.113.0/24 next-hop 192.0.2.1 as-path [65001] path-information 7",
		"route 203.0.113.0/24 next-hop 192.0.2.9 as-path [65001 65009] path-information 9")
	stop := l.run()
	stop()
	if err := l.rec.Dump(router.AdjRIBIn); err != nil {
		t.Fatal(err)
	}
	ts := "1706745307.500000"
	sameLines(t, "updates", bgpdump(t, filepath.Join(l.dir, "u")), []string{
		"BGP4MP_ET|" + ts + "|STATE|192.0.2.1|65001|5|6",
		"BGP4MP_ET_AP|" + ts + "|A|192.0.2.1|65001|203.0.113.0/24|7|65001|IGP|192.0.2.1|0|0||NAG||",
		"BGP4MP_ET_AP|" + ts + "|A|192.0.2.1|65001|203.0.113.0/24|9|65001 65009|IGP|192.0.2.9|0|0||NAG||",
	}, false)
	sameLines(t, "table", bgpdump(t, filepath.Join(l.dir, "t")), []string{
		"TABLE_DUMP2_AP|1706745307|B|192.0.2.1|65001|203.0.113.0/24|7|65001|IGP|192.0.2.1|0|0||NAG||",
		"TABLE_DUMP2_AP|1706745307|B|192.0.2.1|65001|203.0.113.0/24|9|65001 65009|IGP|192.0.2.9|0|0||NAG||",
	}, true)
}

// TestQueueFull: with nothing draining the queue, records past its
// bound are dropped and counted, never blocking.
func TestQueueFull(t *testing.T) {
	l := newLab(t, config.MRT{Updates: config.Recording{File: "u", Every: time.Hour}}, Options{QueueBytes: 300})
	l.up("a", "192.0.2.1", 65001, wire.Context{ASN4: true})
	for i := range 20 {
		l.send("a", "route 10.0."+string(rune('0'+i%10))+".0/24 next-hop 192.0.2.1")
	}
	st := l.rec.Stats()
	if st.Dropped == 0 || st.Queued == 0 || st.Queued+st.Dropped != 21 {
		t.Errorf("stats %+v: want some queued, the rest dropped", st)
	}
	if err := l.rec.Dump(router.AdjRIBIn); err == nil {
		t.Error("Dump of a table not configured succeeded")
	}
}

// TestPeersSelected records only the peers the config lists.
func TestPeersSelected(t *testing.T) {
	l := newLab(t, config.MRT{Updates: config.Recording{File: "u", Every: time.Hour},
		Table: config.Recording{File: "t", Every: time.Hour}, Peers: []string{"b"}}, Options{})
	as4 := wire.Context{ASN4: true}
	l.up("a", "192.0.2.1", 65001, as4)
	l.up("b", "192.0.2.2", 65002, as4)
	l.send("a", "route 10.0.1.0/24 next-hop 192.0.2.1")
	l.send("b", "route 10.0.2.0/24 next-hop 192.0.2.2")
	l.down("a")
	stop := l.run()
	stop()
	if st := l.rec.Stats(); st.Written != 2 {
		t.Errorf("stats %+v: want b's state change and UPDATE only", st)
	}
	if err := l.rec.Dump(router.AdjRIBIn); err != nil {
		t.Fatal(err)
	}
	sameLines(t, "table", bgpdump(t, filepath.Join(l.dir, "t")), []string{
		"TABLE_DUMP2|1706745307|B|192.0.2.2|65002|10.0.2.0/24||IGP|192.0.2.2|0|0||NAG||",
	}, false)
}

// TestRotation: Run closes the update file once its period is over,
// without waiting for another record (a complete gzip file).
func TestRotation(t *testing.T) {
	l := newLab(t, config.MRT{Updates: config.Recording{File: "u.%H%M%S.gz", Every: time.Second}}, Options{FlushEvery: 10 * time.Millisecond})
	stop := l.run()
	defer stop()
	l.up("a", "192.0.2.1", 65001, wire.Context{ASN4: true})
	name := filepath.Join(l.dir, "u.235507.gz")
	deadline := time.Now().Add(5 * time.Second)
	for l.rec.Stats().Written == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	l.clk.Advance(time.Second)
	for time.Now().Before(deadline) {
		if complete(name) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Errorf("%s is not complete", name)
}

// complete reports whether a gzip file reads to its end.
func complete(name string) bool {
	f, err := os.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return false
	}
	b, err := io.ReadAll(zr)
	return err == nil && len(b) > 0
}

// TestPatternFields: the file patterns the config accepts are the ones
// mrt.ExpandPattern expands.
func TestPatternFields(t *testing.T) {
	for c := byte(' '); c < 127; c++ {
		p := "u.%" + string(c)
		_, cerr := config.Parse("t", []byte("mrt { updates '"+p+"' every 5m; }"))
		merr := mrt.CheckPattern(p)
		if (cerr == nil) != (merr == nil) {
			t.Errorf("pattern %q: config says %v, mrt says %v", p, cerr, merr)
		}
	}
}

// TestResume: a session resumed (a recorder that replaced another) is
// recorded from then on, without a state change record; Resume of a
// session already known changes nothing.
func TestResume(t *testing.T) {
	l := newLab(t, config.MRT{Updates: config.Recording{File: "u", Every: time.Hour}}, Options{})
	as4 := wire.Context{ASN4: true}
	l.up("a", "192.0.2.1", 65001, as4)
	l.up("b", "192.0.2.2", 65002, as4)
	// A second recorder, told of a only, as a reload does.
	rec2, err := New(config.MRT{Updates: config.Recording{File: filepath.Join(l.dir, "u2"), Every: time.Hour}}, l.r, Options{Now: l.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	l.rec = rec2
	pa := Peer{Name: "a", PeerAS: 65001, LocalAS: 65000, PeerIP: netip.MustParseAddr("192.0.2.1"), LocalIP: netip.MustParseAddr("192.0.2.254"), Recv: as4}
	rec2.Resume(pa)
	rec2.Resume(pa)
	l.send("a", "route 10.0.1.0/24 next-hop 192.0.2.1")
	l.send("b", "route 10.0.2.0/24 next-hop 192.0.2.2") // b was not resumed: not recorded
	l.down("a")
	stop := l.run()
	stop()
	if st := rec2.Stats(); st.Written != 2 {
		t.Errorf("stats %+v: want a's UPDATE and its going down", st)
	}
	sameLines(t, "updates", bgpdump(t, filepath.Join(l.dir, "u2")), []string{
		"BGP4MP_ET|1706745307.500000|A|192.0.2.1|65001|10.0.1.0/24||IGP|192.0.2.1|0|0||NAG||",
		"BGP4MP_ET|1706745307.500000|STATE|192.0.2.1|65001|6|1",
	}, false)
}
