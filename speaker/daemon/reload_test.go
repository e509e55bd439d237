package daemon

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ze-bgp/ze/internal/syncbuf"
	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/speaker/control"
	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/router"
	"github.com/ze-bgp/ze/testpeer"
)

func mustParse(t *testing.T, text string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("t.conf", []byte(text))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg
}

// TestPlanReload: which peers and processes a new configuration adds,
// removes, resets, updates in place or leaves alone.
func TestPlanReload(t *testing.T) {
	const base = `
process watch { run cat; }
process log { run cat; encoder text; }
bgp {
    local-as 65000;
    router-id 192.0.2.1;
    peer same   { remote { ip 10.0.0.1; as 65001; } }
    peer hold   { remote { ip 10.0.0.2; as 65002; } }
    peer gone   { remote { ip 10.0.0.3; as 65003; } }
    peer static { remote { ip 10.0.0.4; as 65004; } static { route 192.0.2.0/24 next-hop 10.0.0.254; } }
    peer api    { remote { ip 10.0.0.5; as 65005; } }
    peer desc   { remote { ip 10.0.0.6; as 65006; } description "old"; }
}
`
	old := mustParse(t, base)
	cur := mustParse(t, `
process watch { run cat; }
process log { run tee /dev/null; encoder text; }
process new { run cat; }
bgp {
    local-as 65000;
    router-id 192.0.2.1;
    peer same   { remote { ip 10.0.0.1; as 65001; } }
    peer hold   { remote { ip 10.0.0.2; as 65002; } hold-time 30; }
    peer static { remote { ip 10.0.0.4; as 65004; } static { route 198.51.100.0/24 next-hop 10.0.0.254; } }
    peer api    { remote { ip 10.0.0.5; as 65005; } api { processes [ watch ]; receive { state; } } }
    peer desc   { remote { ip 10.0.0.6; as 65006; } description "new"; }
    peer added  { remote { ip 10.0.0.7; as 65007; } }
}
`)
	id := netip.MustParseAddr("192.0.2.1")
	pl := planReload(old, cur, id, id)
	check := func(what string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	check("added", names(pl.added), []string{"added"})
	check("removed", pl.removed, []string{"gone"})
	check("reset", names(pl.reset), []string{"hold"})
	check("updated", names(pl.updated), []string{"static", "api", "desc"})
	check("unchanged", pl.unchanged, []string{"same"})
	check("processes added", procNames(pl.procsAdded), []string{"new"})
	check("processes restarted", procNames(pl.procsRestarted), []string{"log"})
	check("processes removed", pl.procsRemoved, nil)

	// The same file: nothing changes.
	pl = planReload(old, mustParse(t, base), id, id)
	if len(pl.added)+len(pl.removed)+len(pl.reset)+len(pl.updated) != 0 || len(pl.unchanged) != 6 {
		t.Errorf("same configuration: %+v", pl)
	}
	// A peer without router-id follows the fallback: a new fallback
	// resets it.
	noID := mustParse(t, `bgp { local-as 65000; peer a { remote { ip 10.0.0.1; as 65001; } } }`)
	pl = planReload(noID, noID, id, netip.MustParseAddr("192.0.2.9"))
	check("reset by the fallback router ID", names(pl.reset), []string{"a"})
}

// reloadDaemon runs a daemon from a configuration file (rewritten with
// write), with a control socket.
type reloadDaemon struct {
	d      *Daemon
	addr   string
	path   string
	ctl    string
	events *syncbuf.Buffer
}

func startReloadDaemon(t *testing.T, conf string) *reloadDaemon {
	t.Helper()
	dir := t.TempDir()
	r := &reloadDaemon{path: filepath.Join(dir, "ze.conf"), ctl: filepath.Join(dir, "ze.sock"), events: &syncbuf.Buffer{}}
	r.write(t, conf)
	cfg, err := config.Load(r.path)
	if err != nil {
		t.Fatal(err)
	}
	r.d, _, _ = runDaemon(t, cfg, Options{Events: r.events, ConfigPath: r.path, Control: r.ctl})
	r.addr = r.d.Addrs()[0].String()
	waitFor(t, "the daemon to run", 5*time.Second, func() bool { return strings.Contains(r.events.String(), "ze: listening") })
	return r
}

func (r *reloadDaemon) write(t *testing.T, conf string) {
	t.Helper()
	if err := os.WriteFile(r.path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (r *reloadDaemon) session(name string) *session {
	for _, s := range r.d.snapshot() {
		if s.cfg.Name == name {
			return s
		}
	}
	return nil
}

// dialPeer starts a test peer dialling the daemon from src.
func (r *reloadDaemon) dialPeer(t *testing.T, src string, asn uint32, mode testpeer.Mode, count int, first string) *testpeer.Peer {
	t.Helper()
	c := dialConfig(mode, r.addr, src, asn)
	c.Timeout = 20 * time.Second
	c.Decode = mode == testpeer.ModeSink
	if mode == testpeer.ModeInject {
		c.Inject.Count = count
		c.Inject.PrefixStart = netip.MustParsePrefix(first)
		c.Inject.Linger = -1
	}
	return testpeer.Start(t, c)
}

const reloadConfA = `
bgp {
    local-as 65000;
    router-id 127.0.0.1;
    passive;
    route-server-client;
    hold-time 30;
    peer keep   { remote { ip 127.0.0.2; as 65002; } }
    peer change { remote { ip 127.0.0.3; as 65003; } }
    peer drop   { remote { ip 127.0.0.4; as 65004; } }
}
`

// TestReload: SIGHUP's work. An unchanged session survives (same
// driver, same connection, never re-established), a changed one is
// reset with Cease / Other Configuration Change (RFC 4486 subcode 6), a
// removed one gets Cease / Peer De-configured (subcode 3) and its routes
// are withdrawn from the others, an added one is started; a file that
// does not check changes nothing; static routes change without a reset.
func TestReload(t *testing.T) {
	r := startReloadDaemon(t, reloadConfA)
	keep := r.dialPeer(t, "127.0.0.2", 65002, testpeer.ModeSink, 0, "")
	change := r.dialPeer(t, "127.0.0.3", 65003, testpeer.ModeInject, 3, "10.3.0.0/24")
	drop := r.dialPeer(t, "127.0.0.4", 65004, testpeer.ModeInject, 5, "10.4.0.0/24")
	for _, name := range []string{"change", "drop"} {
		waitFor(t, name+"'s End-of-RIB", 5*time.Second, func() bool {
			return strings.Contains(r.events.String(), "ze: peer "+name+" end-of-rib ipv4/unicast")
		})
	}
	keepS := r.session("keep")
	waitFor(t, "keep's routes", 5*time.Second, func() bool { return advertised(r.d, "keep") == 8 })
	since := keepS.drv.Stats().Established

	// A file that does not check: nothing changes.
	r.write(t, strings.Replace(reloadConfA, "hold-time 30;", "holdtime 30;", 1))
	before := r.d.cfg
	if _, err := r.d.Reload(); err == nil || !strings.Contains(err.Error(), `unknown key "holdtime"`) {
		t.Fatalf("bad reload: %v", err)
	}
	if r.d.cfg != before || len(r.d.snapshot()) != 3 {
		t.Fatal("a failed reload changed the configuration")
	}
	if !strings.Contains(r.events.String(), "ze: reload failed: ") {
		t.Errorf("no reload failed event:\n%s", r.events)
	}

	confB := strings.NewReplacer(
		"    peer change { remote { ip 127.0.0.3; as 65003; } }", "    peer change { remote { ip 127.0.0.3; as 65003; } hold-time 60; }",
		"    peer drop   { remote { ip 127.0.0.4; as 65004; } }\n", "    peer added  { remote { ip 127.0.0.5; as 65005; } }\n",
	).Replace(reloadConfA)
	r.write(t, confB)
	res, err := r.d.Reload()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Added, []string{"added"}) || !slices.Equal(res.Removed, []string{"drop"}) ||
		!slices.Equal(res.Reset, []string{"change"}) || !slices.Equal(res.Unchanged, []string{"keep"}) || len(res.Updated) != 0 {
		t.Fatalf("result %+v", res)
	}

	// The removed peer is told why and forgotten; its routes and the
	// reset peer's are withdrawn from keep.
	drop.Wait() //nolint:errcheck // its close reason is what matters
	if !strings.Contains(drop.Stdout(), "the remote sent notification 6/3") {
		t.Errorf("drop did not get Cease / Peer De-configured:\n%s\n%s", drop.Stdout(), drop.Stderr())
	}
	change.Wait() //nolint:errcheck // likewise
	if !strings.Contains(change.Stdout(), "the remote sent notification 6/6") {
		t.Errorf("change did not get Cease / Other Configuration Change:\n%s\n%s", change.Stdout(), change.Stderr())
	}
	if _, ok := r.d.router.Neighbor("drop"); ok {
		t.Error("the router still knows drop")
	}
	waitFor(t, "the withdrawals at keep", 5*time.Second, func() bool { return advertised(r.d, "keep") == 0 })

	// The unchanged session: the same driver, up all along, the same
	// TCP connection (the test peer saw no close).
	if s := r.session("keep"); s != keepS {
		t.Error("keep's session was replaced")
	}
	st := keepS.drv.Stats()
	if st.State != fsm.Established || !st.Established.Equal(since) || st.FSM.EstablishedCount != 1 {
		t.Errorf("keep: %v since %v (was %v), established %d times", st.State, st.Established, since, st.FSM.EstablishedCount)
	}
	if strings.Contains(keep.Stderr(), "closed") {
		t.Errorf("keep's connection closed:\n%s", keep.Stderr())
	}
	// The reset peer runs again with its new settings; the added one too.
	if s := r.session("change"); s == nil || s.drv.Config().HoldTime != 60 {
		t.Errorf("change's new session: %+v", s)
	}
	added := r.session("added")
	waitFor(t, "added's session to run", 5*time.Second, func() bool { return added.drv.State() == fsm.Active })
	ev := r.events.String()
	for _, want := range []string{"ze: peer drop removed", "ze: peer change reset", "ze: peer added added",
		"ze: reloaded: 1 added, 1 removed, 1 reset, 0 updated, 1 unchanged"} {
		if !strings.Contains(ev, want) {
			t.Errorf("events lack %q:\n%s", want, ev)
		}
	}

	// Static routes only: announced without a reset.
	r.write(t, strings.Replace(confB, "    peer keep   { remote { ip 127.0.0.2; as 65002; } }",
		"    peer keep   { remote { ip 127.0.0.2; as 65002; } static { route 192.0.2.0/24 next-hop 127.0.0.1; } }", 1))
	res, err = r.d.Reload()
	if err != nil || !slices.Equal(res.Updated, []string{"keep"}) {
		t.Fatalf("static reload: %+v %v", res, err)
	}
	waitFor(t, "keep's static route", 5*time.Second, func() bool { return advertised(r.d, "keep") == 1 })
	waitFor(t, "the static route at the peer", 5*time.Second, func() bool {
		return strings.Contains(keep.Stdout(), `"prefix":"192.0.2.0/24"`)
	})
	if st := keepS.drv.Stats(); st.FSM.EstablishedCount != 1 || r.session("keep") != keepS {
		t.Error("a static route change reset keep")
	}
}

// advertised returns the routes in name's Adj-RIB-Out.
func advertised(d *Daemon, name string) int {
	rs, _, err := d.router.Routes(router.Query{Table: router.AdjRIBOut, Peer: name})
	if err != nil {
		return -1
	}
	return len(rs)
}

// TestReloadProcesses: a process whose command changes is restarted
// (the old one's routes withdrawn, the new one's announced), a removed
// one stopped, peers' api blocks follow.
func TestReloadProcesses(t *testing.T) {
	conf := func(prefix string) string {
		return fmt.Sprintf(`
process announce { run sh -c "echo 'announce route %s next-hop 192.0.2.1'; exec cat > /dev/null"; }
process extra { run sh -c "exec cat > /dev/null"; }
bgp {
    local-as 65000;
    router-id 127.0.0.1;
    passive;
    route-server-client;
    peer sink { remote { ip 127.0.0.3; as 65002; } api { processes [ extra ]; receive { state; } } }
}
`, prefix)
	}
	r := startReloadDaemon(t, conf("10.9.0.0/24"))
	loc := func() []string {
		rs, _, _ := r.d.router.Routes(router.Query{})
		var out []string
		for _, rt := range rs {
			out = append(out, rt.Prefix.String())
		}
		return out
	}
	waitFor(t, "the first process's route", 5*time.Second, func() bool { return slices.Equal(loc(), []string{"10.9.0.0/24"}) })
	old := r.d.processes()[0]
	r.write(t, strings.Replace(conf("10.8.0.0/24"), "process extra { run sh -c \"exec cat > /dev/null\"; }\n", "", 1))
	// The api block names a process no longer configured: the file does
	// not check, nothing changes.
	if _, err := r.d.Reload(); err == nil || !strings.Contains(err.Error(), `no process "extra"`) {
		t.Fatalf("reload: %v", err)
	}
	r.write(t, strings.NewReplacer("process extra { run sh -c \"exec cat > /dev/null\"; }\n", "",
		"api { processes [ extra ]; receive { state; } }", "").Replace(conf("10.8.0.0/24")))
	res, err := r.d.Reload()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.ProcessesRestarted, []string{"announce"}) || !slices.Equal(res.ProcessesRemoved, []string{"extra"}) ||
		!slices.Equal(res.Updated, []string{"sink"}) {
		t.Fatalf("result %+v", res)
	}
	waitFor(t, "the new process's route only", 10*time.Second, func() bool { return slices.Equal(loc(), []string{"10.8.0.0/24"}) })
	ps := r.d.processes()
	if len(ps) != 1 || ps[0] == old || ps[0].Name() != "announce" {
		t.Errorf("processes %v", ps)
	}
	if sc := r.session("sink").soft.Load(); len(sc.procs) != 0 {
		t.Errorf("sink still sends events to %d processes", len(sc.procs))
	}
}

// TestAPIReload: the API's "reload" command reloads.
func TestAPIReload(t *testing.T) {
	dir := t.TempDir()
	trigger := filepath.Join(dir, "go")
	conf := `
process ctl { run sh -c "while [ ! -e ` + trigger + ` ]; do sleep 0.05; done; echo reload; exec cat > /dev/null"; }
bgp { local-as 65000; router-id 127.0.0.1; passive; peer a { remote { ip 127.0.0.2; as 65001; } } }
`
	r := startReloadDaemon(t, conf)
	r.write(t, strings.Replace(conf, "passive;", "passive; peer b { remote { ip 127.0.0.3; as 65001; } }", 1))
	os.WriteFile(trigger, nil, 0o644)
	waitFor(t, "the API reload", 10*time.Second, func() bool { return r.session("b") != nil })
	if !strings.Contains(r.events.String(), "ze: reloaded: 1 added") {
		t.Errorf("events:\n%s", r.events)
	}
}

// TestControlSocket: `ze cli`'s requests through the daemon's socket.
func TestControlSocket(t *testing.T) {
	r := startReloadDaemon(t, reloadConfA)
	inj := r.dialPeer(t, "127.0.0.3", 65003, testpeer.ModeInject, 4, "10.3.0.0/24")
	_ = inj
	waitFor(t, "change's End-of-RIB", 5*time.Second, func() bool {
		return strings.Contains(r.events.String(), "ze: peer change end-of-rib ipv4/unicast")
	})
	for _, tc := range []struct{ req, want string }{
		{"show neighbor summary", "127.0.0.3       65003          "},
		{"show neighbor change", "State: Established"},
		{"show neighbor 127.0.0.4", "State: Active, never established"},
		{"show rib 10.3.2.9", "10.3.2.0/24 * [change] next-hop"},
		{"show adj-rib-in change ipv4/unicast limit 2", "2 routes shown; more match"},
		{"show adj-rib-out keep", "no routes"},
		{"show rib json", `"count":4`},
		{"show status", "ipv4/unicast            4          4"},
	} {
		body, err := ctlDo(t, r.ctl, tc.req)
		if err != nil || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %v\n%s\nwant it to contain %q", tc.req, err, body, tc.want)
		}
	}
	r.write(t, "bgp { bogus; }")
	body, err := ctlDo(t, r.ctl, "reload")
	if err == nil || !strings.Contains(err.Error(), "the running configuration is kept") || !strings.Contains(body, `unknown key "bogus"`) {
		t.Errorf("bad reload: %v\n%s", err, body)
	}
}

// ctlDo sends one request to the control socket at path.
func ctlDo(t *testing.T, path, req string) (string, error) {
	t.Helper()
	c, err := control.Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body, err := c.Do(req)
	return string(body), err
}

// TestDumpStatus: SIGUSR1's dump, as text to Options.Status.
func TestDumpStatus(t *testing.T) {
	cfg := mustParse(t, `
process watch { run sh -c "exec cat > /dev/null"; }
bgp { local-as 65000; router-id 127.0.0.1; passive; peer a { remote { ip 127.0.0.2; as 65001; } } }
`)
	var out syncbuf.Buffer
	d, err := New(cfg, Options{Listen: []string{"127.0.0.1:0"}, Status: &out})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "the process", 5*time.Second, func() bool { return d.processes()[0].Stats().Running })
	// The sessions start once the processes run: wait for the passive
	// peer to be waiting for its connection.
	waitFor(t, "the session", 5*time.Second, func() bool { return d.snapshot()[0].drv.State() == fsm.Active })
	d.DumpStatus()
	got := out.String()
	for _, want := range []string{"ze status at ", "127.0.0.2       65001", "Active", "1 neighbors, 0 established",
		"Loc-RIB", "ipv4/unicast            0          0", "watch        yes"} {
		if !strings.Contains(got, want) {
			t.Errorf("status lacks %q:\n%s", want, got)
		}
	}
}

// TestReloadConcurrent: reloads (peers coming and going) while clients
// ask the control socket and the status is dumped; run with -race.
func TestReloadConcurrent(t *testing.T) {
	r := startReloadDaemon(t, reloadConfA)
	r.dialPeer(t, "127.0.0.3", 65003, testpeer.ModeInject, 20, "10.3.0.0/24")
	waitFor(t, "change's End-of-RIB", 5*time.Second, func() bool {
		return strings.Contains(r.events.String(), "ze: peer change end-of-rib ipv4/unicast")
	})
	without := strings.Replace(reloadConfA, "    peer drop   { remote { ip 127.0.0.4; as 65004; } }\n", "", 1)
	stop := make(chan struct{})
	errs := make(chan error, 16)
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := control.Dial(r.ctl)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			reqs := []string{"show neighbor summary", "show rib 10.3.1.1", "show adj-rib-out keep json", "show status", "show neighbor drop"}
			for j := 0; ; j++ {
				select {
				case <-stop:
					return
				default:
				}
				req := reqs[(i+j)%len(reqs)]
				if _, err := c.Do(req); err != nil && !strings.Contains(err.Error(), `unknown neighbour "drop"`) {
					errs <- fmt.Errorf("%s: %v", req, err)
					return
				}
			}
		}()
	}
	for i := range 10 {
		conf := reloadConfA
		if i%2 == 0 {
			conf = without
		}
		r.write(t, conf)
		if _, err := r.d.Reload(); err != nil {
			t.Fatal(err)
		}
		r.d.DumpStatus()
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(r.d.snapshot()); n != 3 {
		t.Errorf("%d sessions after the last reload, want 3", n)
	}
	if rs, _, _ := r.d.router.Routes(router.Query{}); len(rs) != 20 {
		t.Errorf("Loc-RIB has %d routes, want change's 20", len(rs))
	}
}
