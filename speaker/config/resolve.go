package config

import (
	"fmt"
	"net/netip"

	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
)

// resolve turns the checked file into a Config: inheritance (bgp, then
// group, then peer; the closest wins), defaults, required keys and the
// checks that span peers.
func (c *checker) resolve(file *section) *Config {
	cfg := &Config{Peers: []Peer{}, Processes: []Process{}, Plugins: []string{}}
	log := file.sub("environment").sub("log")
	cfg.Environment.Log = Log{Level: log.str("level"), Format: log.str("format")}
	cfg.Environment.Control = Control{Socket: file.sub("environment").sub("control").str("socket")}
	cfg.Environment.Metrics = Metrics{Listen: file.sub("environment").sub("metrics").str("listen")}

	procs := map[string]bool{}
	for _, it := range file.all("process") {
		s := it.val.(*section)
		c.missing(s, it.node.Key.Pos, fmt.Sprintf("process %q", it.name), "")
		cfg.Processes = append(cfg.Processes, Process{Name: it.name, Run: s.strs("run"), Encoder: s.str("encoder"),
			Respawn: int(s.uint("respawn")), Queue: int(s.uint("queue")), OnFull: s.str("on-full"), WithdrawOnExit: s.flag("withdraw-on-exit")})
		procs[it.name] = true
	}
	for _, it := range file.sub("plugin").all("internal") {
		cfg.Plugins = append(cfg.Plugins, it.val.(string))
	}

	bgp := file.sub("bgp")
	global := bgp.without("group", "peer")
	type where struct {
		name string
		line int
	}
	names := map[string]where{}
	addrs := map[netip.Addr]where{}
	add := func(group string, it *item, s *section) {
		if prev, dup := names[it.name]; dup {
			c.errs.Add(it.node.Args[0].Pos, "peer name %q is already used (line %d)", it.name, prev.line)
			return
		}
		names[it.name] = where{it.name, it.node.Key.Pos.Line}
		p, ok := c.peer(it, group, s, procs)
		if !ok {
			return
		}
		if prev, dup := addrs[p.Remote.IP]; dup {
			c.errs.Add(s.sub("remote").pos("ip"), "remote ip %s is already peer %q's (line %d)", p.Remote.IP, prev.name, prev.line)
			return
		}
		addrs[p.Remote.IP] = where{it.name, it.node.Key.Pos.Line}
		cfg.Peers = append(cfg.Peers, p)
	}
	// Peers come out in the order of the file, groups' and bgp's mixed.
	for _, it := range bgp.items {
		switch it.key.Name {
		case "group":
			g := it.val.(*section)
			settings := merge(global, g.without("peer"))
			for _, pit := range g.all("peer") {
				add(it.name, pit, merge(settings, pit.val.(*section)))
			}
		case "peer":
			add("", it, merge(global, it.val.(*section)))
		}
	}
	cfg.MRT = c.mrt(file.sub("mrt"), cfg.Peers)
	return cfg
}

// peer builds one resolved peer from its merged settings s.
func (c *checker) peer(it *item, group string, s *section, procs map[string]bool) (Peer, bool) {
	before := len(c.errs)
	what := fmt.Sprintf("peer %q", it.name)
	c.missing(s, it.node.Key.Pos, what, "")
	r := s.sub("remote")
	p := Peer{
		Name:        it.name,
		Group:       group,
		Description: s.str("description"),
		RouterID:    s.addr("router-id"),
		LocalAS:     uint32(s.uint("local-as")),
		LocalAddr:   s.addr("local-address"),
		Remote:      Remote{IP: r.addr("ip"), AS: uint32(r.uint("as")), Port: uint16(r.uint("port"))},
		HoldTime:    uint16(s.uint("hold-time")),
		Passive:     s.flag("passive"),
		Multihop:    uint8(s.uint("multihop")),
		TTLSecurity: uint8(s.uint("ttl-security")),
		MD5Password: s.str("md5-password"),

		RouteServerClient:    s.flag("route-server-client"),
		RouteReflectorClient: s.flag("route-reflector-client"),
		ClusterID:            s.addr("cluster-id"),
		Pos:                  it.node.Key.Pos,
	}
	cp := s.sub("capability")
	p.Capability = Capability{
		ASN4:            cp.flag("asn4"),
		RouteRefresh:    cp.flag("route-refresh"),
		ExtendedMessage: cp.flag("extended-message"),
		AddPath:         cp.str("add-path"),
		GracefulRestart: uint16(cp.uint("graceful-restart")),
		StaleTime:       uint16(cp.uint("stale-time")),
	}
	if !p.RouterID.IsValid() && p.LocalAddr.Is4() {
		p.RouterID = p.LocalAddr
	}
	if p.Multihop != 0 && p.TTLSecurity != 0 {
		c.errs.Add(s.pos("ttl-security"), "%s: multihop and ttl-security exclude each other", what)
	}
	if len(p.MD5Password) > 80 {
		c.errs.Add(s.pos("md5-password"), "%s: md5-password is longer than 80 characters", what)
	}
	if p.LocalAddr.IsValid() && p.Remote.IP.IsValid() && p.LocalAddr.Is4() != p.Remote.IP.Is4() {
		c.errs.Add(s.pos("local-address"), "%s: local-address %s and remote ip %s are not of the same IP version", what, p.LocalAddr, p.Remote.IP)
	}
	if p.Remote.IP.IsValid() && p.Remote.IP.IsUnspecified() {
		c.errs.Add(r.pos("ip"), "%s: remote ip %s is not a neighbour's address", what, p.Remote.IP)
	}

	for _, f := range s.sub("family").items {
		p.Families = append(p.Families, f.val.(wire.Family))
	}
	if len(p.Families) == 0 {
		if p.Remote.IP.Is6() {
			p.Families = []wire.Family{wire.IPv6Unicast}
		} else {
			p.Families = []wire.Family{wire.IPv4Unicast}
		}
	}
	prefixLimits(&p, s)
	for _, rt := range s.sub("static").all("route") {
		rr := rt.val.(route.Route)
		if !hasFamily(p.Families, rr.Family) {
			c.errs.Add(rt.node.Key.Pos, "%s: route %s is %s, not one of the peer's families", what, rr.Prefix, rr.Family)
			continue
		}
		p.Static = append(p.Static, rr)
	}

	api := s.sub("api")
	p.API.Processes = []string{}
	for _, name := range api.strs("processes") {
		if !procs[name] {
			var known []string
			for k := range procs {
				known = append(known, k)
			}
			msg := fmt.Sprintf("%s: no process %q", what, name)
			if sug := suggest(name, known); sug != "" {
				msg += " (did you mean " + sug + "?)"
			}
			c.errs.Add(api.pos("processes"), "%s", msg)
			continue
		}
		p.API.Processes = append(p.API.Processes, name)
	}
	p.API.Receive = messages(api.sub("receive"))
	p.API.Send = messages(api.sub("send"))
	return p, len(c.errs) == before
}

func hasFamily(fs []wire.Family, f wire.Family) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

func messages(s *section) Messages {
	return Messages{
		Parsed:       s.flag("parsed"),
		Packets:      s.flag("packets"),
		Open:         s.flag("open"),
		Update:       s.flag("update"),
		Notification: s.flag("notification"),
		Keepalive:    s.flag("keepalive"),
		Refresh:      s.flag("refresh"),
		State:        s.flag("state"),
	}
}
