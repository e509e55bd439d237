package harness

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// CtlProcess is the name of the API process StartZe adds to ze's
// configuration: peers whose api block names it (api { processes [ ctl ];
// receive { parsed; update; state; } }) report their UPDATEs and state
// changes to the test, which in turn sends ze commands through it.
const CtlProcess = "ctl"

// Ze is a running ze with its control process: a shell script that
// passes the lines the test appends to a command file to ze (its stdout)
// and writes what ze sends it (acks, ExaBGP-format JSON events) to an
// event file.
type Ze struct {
	*Proc
	cmds   string // the command file (tail -f)
	events string // the event file

	mu   sync.Mutex
	sent int // commands written
}

// StartZe writes the control process's script and ze's configuration
// (the process block, then body: the bgp block, which names CtlProcess
// in its api blocks) under dir, starts ze in ns with --listen for each
// of listen, and waits until it listens.
func StartZe(t *testing.T, ns Netns, dir, zeBin, body string, listen ...string) *Ze {
	t.Helper()
	z := &Ze{cmds: filepath.Join(dir, "ze.cmds"), events: filepath.Join(dir, "ze.events")}
	script := filepath.Join(dir, "ctl.sh")
	// tail runs in the background and stops with the shell's PID (cat
	// takes it over with exec); ze kills the process group anyway.
	sh := fmt.Sprintf("#!/bin/sh\ntail -n +1 -f --pid=$$ %s &\nexec cat > %s\n", z.cmds, z.events)
	for name, body := range map[string]string{script: sh, z.cmds: ""} {
		if err := os.WriteFile(name, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	conf := filepath.Join(dir, "ze.conf")
	text := fmt.Sprintf("process %s { run %s; encoder json; }\n%s", CtlProcess, script, body)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, l := range listen {
		args = append(args, "--listen", l)
	}
	z.Proc = ns.Start(t, dir, "ze", zeBin, append(args, conf)...)
	WaitFor(t, 10*time.Second, "ze listening", func() (bool, string) {
		return strings.Count(z.Out(), "ze: listening ") == len(listen), z.Out() + z.ErrOut()
	})
	return z
}

// Events returns the event file's content (acks and JSON events).
func (z *Ze) Events() string {
	b, _ := os.ReadFile(z.events)
	return string(b)
}

// Command sends ze the API command lines and waits (at most 10 s) for
// their acks; an "error" ack fails the test.
func (z *Ze) Command(t *testing.T, lines ...string) {
	t.Helper()
	z.mu.Lock()
	defer z.mu.Unlock()
	f, err := os.OpenFile(z.cmds, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if _, err := fmt.Fprintln(f, l); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	z.sent += len(lines)
	WaitFor(t, 10*time.Second, fmt.Sprintf("ze's acks of %q", lines), func() (bool, string) {
		ev := z.Events()
		done, errs := acks(ev)
		if errs > 0 {
			t.Fatalf("ze answered error to a command of %q:\n%s", lines, Tail(ev))
		}
		return done >= z.sent, Tail(ev)
	})
}

// acks counts the "done" and "error" answer lines of the event file.
func acks(ev string) (done, errs int) {
	for _, l := range strings.Split(ev, "\n") {
		switch strings.TrimSpace(l) {
		case "done":
			done++
		case "error":
			errs++
		}
	}
	return done, errs
}

// exaEvent is the part of an ExaBGP 4 JSON event the tests read.
type exaEvent struct {
	Type     string `json:"type"`
	Neighbor struct {
		Address struct {
			Peer string `json:"peer"`
		} `json:"address"`
		State   string `json:"state"`
		Message struct {
			Update *struct {
				Attribute map[string]json.RawMessage      `json:"attribute"`
				Announce  map[string]map[string][]exaNLRI `json:"announce"`
				Withdraw  map[string][]exaNLRI            `json:"withdraw"`
			} `json:"update"`
		} `json:"message"`
	} `json:"neighbor"`
}

type exaNLRI struct {
	NLRI   string          `json:"nlri"`
	PathID json.RawMessage `json:"path-information"`
}

// key is a prefix and its ADD-PATH path identifier.
func (n exaNLRI) key() (prefix, pathID string) {
	id := strings.Trim(string(n.PathID), `"`)
	return n.NLRI, id
}

// States returns the session states ze reported for peer ("up",
// "down"…), in order.
func (z *Ze) States(peer string) []string {
	var out []string
	for _, ev := range z.parse() {
		if ev.Type == "state" && ev.Neighbor.Address.Peer == peer {
			out = append(out, ev.Neighbor.State)
		}
	}
	return out
}

// Announcements counts the UPDATE events ze reported from peer that
// announce prefix.
func (z *Ze) Announcements(peer, prefix string) int {
	n := 0
	for _, ev := range z.parse() {
		u := ev.Neighbor.Message.Update
		if ev.Type != "update" || ev.Neighbor.Address.Peer != peer || u == nil {
			continue
		}
		for _, byNH := range u.Announce {
			for _, nlris := range byNH {
				for _, x := range nlris {
					if x.NLRI == prefix {
						n++
					}
				}
			}
		}
	}
	return n
}

func (z *Ze) parse() []exaEvent { return parseExaEvents(z.Events()) }

// parseExaEvents decodes the ExaBGP 4 JSON event lines of events.
func parseExaEvents(events string) []exaEvent {
	var out []exaEvent
	for _, l := range strings.Split(events, "\n") {
		if !strings.HasPrefix(l, "{") {
			continue
		}
		var ev exaEvent
		if json.Unmarshal([]byte(l), &ev) == nil {
			out = append(out, ev)
		}
	}
	return out
}

// Routes folds the UPDATE events ze reported from peer (the remote
// address) into the routes it holds from it now, by prefix: one Route
// per path identifier. A "down" state event forgets every route.
func (z *Ze) Routes(peer string) (map[string][]Route, error) {
	return foldExaEvents(z.Events(), peer)
}

// foldExaEvents folds the ExaBGP 4 JSON events of peer in events (one
// per line; other lines are skipped) into the routes held now.
func foldExaEvents(events, peer string) (map[string][]Route, error) {
	type pk struct{ prefix, id string }
	cur := map[pk]Route{}
	for _, ev := range parseExaEvents(events) {
		if ev.Neighbor.Address.Peer != peer {
			continue
		}
		if ev.Type == "state" && ev.Neighbor.State == "down" {
			cur = map[pk]Route{}
			continue
		}
		u := ev.Neighbor.Message.Update
		if ev.Type != "update" || u == nil {
			continue
		}
		for _, nlris := range u.Withdraw {
			for _, n := range nlris {
				p, id := n.key()
				delete(cur, pk{p, id})
			}
		}
		base, err := exaAttributes(u.Attribute)
		if err != nil {
			return nil, err
		}
		added := map[pk]bool{}
		for _, byNH := range u.Announce {
			for _, nh := range sortedKeys(byNH) {
				for _, n := range byNH[nh] {
					p, id := n.key()
					k := pk{p, id}
					r := cur[k]
					if !added[k] {
						r = base
						r.Prefix, r.PathID, r.NextHop = p, id, nil
						added[k] = true
					}
					r.NextHop = append(r.NextHop, nh)
					cur[k] = r
				}
			}
		}
	}
	out := map[string][]Route{}
	for k, r := range cur {
		out[k.prefix] = append(out[k.prefix], r)
	}
	return out, nil
}

// exaAttributes reads the attributes of an ExaBGP 4 JSON update.
func exaAttributes(a map[string]json.RawMessage) (Route, error) {
	var r Route
	var err error
	field := func(name string, v any) {
		if raw, ok := a[name]; ok && err == nil {
			if e := json.Unmarshal(raw, v); e != nil {
				err = fmt.Errorf("attribute %s %s: %v", name, raw, e)
			}
		}
	}
	var path []json.RawMessage
	field("as-path", &path)
	r.ASPath = []uint32{}
	for _, p := range path {
		// a number, or a set as a list of numbers
		var ns []uint32
		if json.Unmarshal(p, &ns) != nil {
			var n uint32
			if e := json.Unmarshal(p, &n); e != nil {
				return r, fmt.Errorf("as-path element %s: %v", p, e)
			}
			ns = []uint32{n}
		}
		r.ASPath = append(r.ASPath, ns...)
	}
	var med, lp *uint32
	field("med", &med)
	field("local-preference", &lp)
	if med != nil {
		r.MED = strconv.FormatUint(uint64(*med), 10)
	}
	if lp != nil {
		r.LocalPref = strconv.FormatUint(uint64(*lp), 10)
	}
	var comms, large [][]uint32
	field("community", &comms)
	field("large-community", &large)
	for _, c := range comms {
		r.Communities = append(r.Communities, joinUints(c))
	}
	for _, c := range large {
		r.Large = append(r.Large, joinUints(c))
	}
	var ext []struct {
		String string `json:"string"`
	}
	field("extended-community", &ext)
	for _, e := range ext {
		r.Ext = append(r.Ext, strings.Replace(e.String, "target:", "rt:", 1))
	}
	return r, err
}

func joinUints(v []uint32) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.FormatUint(uint64(n), 10)
	}
	return strings.Join(s, ":")
}
