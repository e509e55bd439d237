//go:build interop

package exabgp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/interop/harness"
)

// The peer test: ze (route server, AS 4200000000) listens on ZeV4:179
// in its namespace, ExaBGP (AS 4200000001) dials it from DaemonV4 in the
// other, and ze-test sinks (AS 65200, 65201) dial ze from ZeSink and
// 10.0.0.16. ze's control process follows ExaBGP's session.
const peerZeConf = `bgp {
  local-as 4200000000;
  router-id 10.0.0.1;
  route-server-client;
  family { ipv4 unicast; ipv6 unicast; }
  peer exabgp {
    remote { ip 10.0.0.2; as 4200000001; } local-address 10.0.0.1; passive;
    api { processes [ ctl ]; receive { parsed; update; state; } }
  }
  peer sink  { remote { ip 10.0.0.15; as 65200; } passive; }
  peer sink2 { remote { ip 10.0.0.16; as 65201; } passive; }
}
`

// peerExaConf is ExaBGP's configuration: two static routes (IPv4, and
// IPv6 over the IPv4 session: RFC 4760 MP_REACH_NLRI with an IPv6 next
// hop) and an API process that passes the test's commands (the lines
// appended to CMDS) to ExaBGP.
const peerExaConf = `process commands {
  run /bin/sh %[1]s;
  encoder json;
}
neighbor 10.0.0.1 {
  router-id 10.0.0.2;
  local-address 10.0.0.2;
  local-as 4200000001;
  peer-as 4200000000;
  family { ipv4 unicast; ipv6 unicast; }
  api { processes [ commands ]; }
  static {
    route 10.7.1.0/24 next-hop 10.0.0.2 med 50 community [ 65001:100 ] large-community [ 4200000001:1:2 ] extended-community [ target:65001:7 ];
    route fd00:7:1::/48 next-hop fd00::2 med 50 community [ 65001:100 ];
  }
}
`

// TestExaBGPPeer runs ExaBGP as a real peer that injects routes into ze
// (a route server, RFC 7947), which forwards them to a ze-test sink:
//
//  1. ExaBGP's static routes reach the sink unchanged: AS_PATH
//     [4200000001] (4-octet ASN, ze's not prepended), ExaBGP's next hop
//     (an IPv6 one for the IPv6 route, over the IPv4 session), MED,
//     communities, large and extended communities;
//  2. a route ExaBGP's API process announces (`announce route … as-path
//     [ 65010 ] community [ 65001:200 ]`, next-hop self) reaches the sink
//     with AS_PATH [65010] (ExaBGP sends a given path as it is, and ze
//     does not enforce the first AS, an option of RFC 4271 §6.3) and
//     next hop 10.0.0.2;
//  3. its `withdraw route` removes it from what ze sends the next sink.
//
// Before each sink, ze's API events must show it holds what ExaBGP sent.
func TestExaBGPPeer(t *testing.T) {
	bin := exabgpBin(t)
	tp := harness.NewTopology(t, "exabgp")
	ze, zeTest := harness.Binaries(t)
	start := time.Now()
	dir := harness.KeepDir(t)

	tp.Ze.Run(t, "ip", "addr", "add", "10.0.0.16/24", "dev", "zeio0") // the second sink
	zeP := harness.StartZe(t, tp.Ze, dir, ze, peerZeConf, harness.ZeV4+":179")
	zeP.Command(t, "# ready?") // the process runs: it will see ExaBGP's UPDATEs
	cmds := filepath.Join(dir, "exabgp.cmds")
	script := filepath.Join(dir, "commands.sh")
	// The commands the test appends to cmds go to ExaBGP; what ExaBGP
	// answers is read and dropped (until it closes the pipe).
	sh := fmt.Sprintf("tail -n +1 -f --pid=$$ %s &\nexec cat > /dev/null\n", cmds)
	for name, body := range map[string]string{cmds: "", script: sh} {
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	conf := filepath.Join(dir, "exabgp.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(peerExaConf, script)), 0o644); err != nil {
		t.Fatal(err)
	}
	exa := tp.Daemon.Start(t, dir, "exabgp", "env",
		"exabgp_daemon_drop=false", "exabgp_daemon_daemonize=false", "exabgp_api_cli=false",
		"exabgp_log_destination=stdout", "exabgp_log_level=INFO", "exabgp_tcp_bind=",
		bin, conf)
	command := func(line string) {
		f, err := os.OpenFile(cmds, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(f, line)
		f.Close()
	}
	command("announce route 10.7.2.0/24 next-hop self as-path [ 65010 ] community [ 65001:200 ]")

	want := map[string]harness.Want{
		"10.7.1.0/24": {ASPath: []uint32{4200000001}, NextHop: "10.0.0.2", MED: "50",
			Communities: []string{"65001:100"}, Large: []string{"4200000001:1:2"}, Ext: []string{"rt:65001:7"}},
		"fd00:7:1::/48": {ASPath: []uint32{4200000001}, NextHop: "fd00::2", MED: "50", Communities: []string{"65001:100"}},
		// ExaBGP sends an API route's as-path as given: no prepend
		"10.7.2.0/24": {ASPath: []uint32{65010}, NextHop: "10.0.0.2", Communities: []string{"65001:200"}},
	}
	// check waits until ze holds want from ExaBGP (its API events), then
	// checks what a new sink session gets from ze.
	check := func(t *testing.T, sink, src string, as int, want map[string]harness.Want, gone string) {
		harness.WaitFor(t, 30*time.Second, "ze: ExaBGP's routes", func() (bool, string) {
			routes, err := zeP.Routes(harness.DaemonV4)
			if err != nil {
				return false, err.Error()
			}
			diff := harness.CheckRoutes(routes, want)
			if _, ok := routes[gone]; ok && gone != "" {
				diff += "\n" + gone + " not withdrawn"
			}
			return diff == "", diff + "\n" + harness.Tail(zeP.Events()) + "\nexabgp:\n" + harness.Tail(exa.Out())
		})
		routes, out := harness.SinkOnce(t, tp.Ze, dir, zeTest, sink, harness.ZeV4+":179", src, as)
		if diff := harness.CheckRoutes(routes, want); diff != "" {
			t.Errorf("sink: %s\n%s", diff, harness.Tail(out))
		}
		if _, ok := routes[gone]; ok && gone != "" {
			t.Errorf("sink: withdrawn %s still sent: %v", gone, routes[gone])
		}
	}
	t.Run("static-and-api-routes", func(t *testing.T) {
		check(t, "sink", harness.ZeSink, harness.SinkAS, want, "")
	})
	t.Run("api-withdraw", func(t *testing.T) {
		command("withdraw route 10.7.2.0/24 next-hop self")
		kept := map[string]harness.Want{"10.7.1.0/24": want["10.7.1.0/24"], "fd00:7:1::/48": want["fd00:7:1::/48"]}
		check(t, "sink2", "10.0.0.16", 65201, kept, "10.7.2.0/24")
	})
	ver := strings.TrimSpace(strings.SplitN(exa.Out(), "\n", 2)[0])
	if v, err := exabgpVersion(bin); err == nil {
		ver = v
	}
	t.Logf("verified against %s in %v", ver, time.Since(start).Round(time.Millisecond))
}

func TestMain(m *testing.M) { harness.Main(m) }
