package control

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/ze-bgp/ze/speaker/router"
	"github.com/ze-bgp/ze/speaker/wire"
)

// The JSON answers use ze's conventions (docs/json.md): kebab-case
// keys, families as "afi/safi", addresses and prefixes as strings,
// durations as seconds, route attributes as zejson renders them.

type jsonMessages struct {
	Open         uint64 `json:"open"`
	Update       uint64 `json:"update"`
	Notification uint64 `json:"notification"`
	Keepalive    uint64 `json:"keepalive"`
	RouteRefresh uint64 `json:"route-refresh"`
	Total        uint64 `json:"total"`
}

func messagesJSON(by map[string]uint64) jsonMessages {
	return jsonMessages{
		Open: by[typeKey("open")], Update: by[typeKey("update")], Notification: by[typeKey("notification")],
		Keepalive: by[typeKey("keepalive")], RouteRefresh: by[typeKey("route-refresh")], Total: total(by),
	}
}

type jsonFamilyRoutes struct {
	Family     string `json:"family"`
	Received   int    `json:"received"`
	Accepted   int    `json:"accepted"`
	Advertised int    `json:"advertised"`
}

type jsonNeighbor struct {
	Name           string             `json:"name"`
	Description    string             `json:"description,omitempty"`
	Group          string             `json:"group,omitempty"`
	RemoteAddress  string             `json:"remote-address"`
	RemotePort     uint16             `json:"remote-port"`
	RemoteAS       uint32             `json:"remote-as"`
	RemoteRouterID string             `json:"remote-router-id,omitempty"`
	LocalAddress   string             `json:"local-address,omitempty"`
	LocalAS        uint32             `json:"local-as"`
	RouterID       string             `json:"router-id"`
	Kind           string             `json:"kind,omitempty"`
	State          string             `json:"state"`
	Uptime         float64            `json:"uptime"`
	Since          string             `json:"established-since,omitempty"`
	Changed        string             `json:"last-change,omitempty"`
	HoldTime       float64            `json:"hold-time"`
	Families       []string           `json:"families"`
	Capabilities   []string           `json:"capabilities"`
	AddPathSend    []string           `json:"add-path-send"`
	AddPathReceive []string           `json:"add-path-receive"`
	LastDown       string             `json:"last-down,omitempty"`
	Restarting     bool               `json:"restarting,omitempty"`     // RFC 4724: the peer went down gracefully, its restart timer runs
	StaleFamilies  []string           `json:"stale-families,omitempty"` // families whose routes are kept stale
	Received       jsonMessages       `json:"messages-received"`
	Sent           jsonMessages       `json:"messages-sent"`
	Routes         []jsonFamilyRoutes `json:"routes"`
	Accepted       int                `json:"prefixes-accepted"`
	Advertised     int                `json:"prefixes-advertised"`
	UpdatesIn      uint64             `json:"updates-received"`
	UpdatesOut     uint64             `json:"updates-sent"`
	ZeroCopy       uint64             `json:"updates-zero-copy"`
	SendFailures   uint64             `json:"send-failures"`
	Unsendable     uint64             `json:"routes-unsendable"`
	Stalled        bool               `json:"stalled"`
}

func families(fs []wire.Family) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.String()
	}
	return out
}

func addrString(a interface {
	IsValid() bool
	String() string
}) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func neighborJSON(n *Neighbor) jsonNeighbor {
	st, rs := n.Session, n.Router.Stats
	j := jsonNeighbor{
		Name: n.Name, Description: n.Description, Group: n.Group,
		RemoteAddress: n.RemoteAddr.String(), RemotePort: n.RemotePort, RemoteAS: n.RemoteAS,
		RemoteRouterID: addrString(n.Router.RemoteID), LocalAddress: addrString(n.LocalAddr),
		LocalAS: n.LocalAS, RouterID: addrString(n.RouterID), Kind: n.Router.Kind,
		State: strings.ToLower(st.State.String()), Uptime: st.Uptime.Seconds(), HoldTime: n.HoldTime.Seconds(),
		Families: families(n.Router.Families), Capabilities: n.Capabilities,
		AddPathSend: families(n.Router.AddPathSend), AddPathReceive: families(n.Router.AddPathReceive),
		LastDown: n.LastDown, Received: messagesJSON(st.In), Sent: messagesJSON(st.Out),
		Routes:    []jsonFamilyRoutes{},
		UpdatesIn: rs.UpdatesReceived, UpdatesOut: rs.UpdatesSent, ZeroCopy: rs.UpdatesZeroCopy,
		SendFailures: rs.SendFailures, Unsendable: rs.RoutesUnsendable, Stalled: rs.Stalled,
		Restarting: n.Router.Restarting,
	}
	if len(n.Router.StaleFamilies) > 0 {
		j.StaleFamilies = families(n.Router.StaleFamilies)
	}
	if j.Capabilities == nil {
		j.Capabilities = []string{}
	}
	if !st.Established.IsZero() {
		j.Since = st.Established.UTC().Format(time.RFC3339Nano)
	}
	if !n.Changed.IsZero() {
		j.Changed = n.Changed.UTC().Format(time.RFC3339Nano)
	}
	for _, f := range rs.Families {
		j.Routes = append(j.Routes, jsonFamilyRoutes{f.Family.String(), f.Received, f.Accepted, f.Advertised})
	}
	j.Accepted, j.Advertised = prefixCounts(n)
	return j
}

func neighborsJSON(ns []Neighbor) []jsonNeighbor {
	out := make([]jsonNeighbor, len(ns))
	for i := range ns {
		out[i] = neighborJSON(&ns[i])
	}
	return out
}

type jsonRoute struct {
	Family     string          `json:"family"`
	Prefix     string          `json:"prefix"`
	PathID     uint32          `json:"path-id,omitempty"`
	From       string          `json:"from,omitempty"`
	Best       *bool           `json:"best,omitempty"`
	Why        string          `json:"why,omitempty"`
	Stale      bool            `json:"stale,omitempty"`
	Rejected   bool            `json:"rejected,omitempty"`
	NextHop    string          `json:"next-hop,omitempty"`
	Attributes json.RawMessage `json:"attributes"`
}

type jsonRoutes struct {
	Table     string      `json:"table"`
	Peer      string      `json:"peer,omitempty"`
	Routes    []jsonRoute `json:"routes"`
	Count     int         `json:"count"`
	Truncated bool        `json:"truncated"`
}

func routesJSON(table router.Table, peer string, rs []router.Route, more bool) jsonRoutes {
	sortRoutes(rs)
	j := jsonRoutes{Table: table.String(), Peer: peer, Routes: make([]jsonRoute, len(rs)), Count: len(rs), Truncated: more}
	for i := range rs {
		rt := &rs[i]
		jr := jsonRoute{
			Family: rt.Family.String(), Prefix: rt.Prefix.String(), PathID: rt.PathID, From: rt.From,
			Why: rt.Why, Stale: rt.Stale, Rejected: rt.Rejected, NextHop: addrString(rt.NextHop),
			Attributes: attrJSON(rt),
		}
		if table == router.LocRIB {
			best := rt.Best
			jr.Best = &best
		}
		j.Routes[i] = jr
	}
	return j
}

type jsonRIBCount struct {
	Family   string `json:"family"`
	Prefixes int    `json:"prefixes"`
	Paths    int    `json:"paths"`
}

type jsonProcess struct {
	Name          string `json:"name"`
	Running       bool   `json:"running"`
	PID           int    `json:"pid"`
	QueueDepth    int    `json:"queue-depth"`
	QueueMaxDepth int    `json:"queue-max-depth"`
	QueueCapacity int    `json:"queue-capacity"`
	Dropped       uint64 `json:"dropped"`
	Kills         uint64 `json:"kills"`
	Restarts      uint64 `json:"restarts"`
	Commands      uint64 `json:"commands"`
	Errors        uint64 `json:"errors"`
}

type jsonStatus struct {
	Time      string         `json:"time"`
	Started   string         `json:"started,omitempty"`
	Config    string         `json:"config,omitempty"`
	Neighbors []jsonNeighbor `json:"neighbors"`
	RIB       []jsonRIBCount `json:"rib"`
	Processes []jsonProcess  `json:"processes"`
}

func statusJSON(st *Status, now time.Time) jsonStatus {
	j := jsonStatus{Time: now.UTC().Format(time.RFC3339Nano), Config: st.Config, Neighbors: neighborsJSON(st.Neighbors),
		RIB: []jsonRIBCount{}, Processes: []jsonProcess{}}
	if !st.Started.IsZero() {
		j.Started = st.Started.UTC().Format(time.RFC3339Nano)
	}
	for _, c := range st.RIB {
		j.RIB = append(j.RIB, jsonRIBCount{c.Family.String(), c.Prefixes, c.Paths})
	}
	for _, p := range st.Processes {
		s := p.Stats
		j.Processes = append(j.Processes, jsonProcess{p.Name, s.Running, s.PID, s.QueueDepth, s.QueueMaxDepth,
			s.QueueCap, s.Dropped, s.Kills, s.Restarts, s.Commands, s.Errors})
	}
	return j
}

type jsonReload struct {
	Config             string   `json:"config"`
	Added              []string `json:"added"`
	Removed            []string `json:"removed"`
	Reset              []string `json:"reset"`
	Updated            []string `json:"updated"`
	Unchanged          []string `json:"unchanged"`
	ProcessesAdded     []string `json:"processes-added"`
	ProcessesRemoved   []string `json:"processes-removed"`
	ProcessesRestarted []string `json:"processes-restarted"`
	MRTRestarted       bool     `json:"mrt-restarted"`
	ListenOpened       []string `json:"listen-opened"`
	ListenClosed       []string `json:"listen-closed"`
	Notes              []string `json:"notes"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func reloadJSON(r *ReloadResult) jsonReload {
	return jsonReload{r.Config, nonNil(r.Added), nonNil(r.Removed), nonNil(r.Reset), nonNil(r.Updated),
		nonNil(r.Unchanged), nonNil(r.ProcessesAdded), nonNil(r.ProcessesRemoved), nonNil(r.ProcessesRestarted), r.MRT,
		nonNil(r.ListenOpened), nonNil(r.ListenClosed), nonNil(r.Notes)}
}
