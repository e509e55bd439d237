package fsm

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/wire"
)

// t0 is the time every table test runs at.
var t0 = time.Date(2024, 11, 1, 12, 0, 0, 0, time.UTC)

// peerOpen is a well-formed peer OPEN proposing hold seconds.
func peerOpen(hold uint16) Input {
	return Input{Event: BGPOpen, Open: Open{HoldTime: hold, RouterID: netip.MustParseAddr("192.0.2.2"), ASN: 65002}}
}

func ev(e Event) Input { return Input{Event: e} }

func withNotif(e Event, code wire.Code, sub uint8) Input {
	return Input{Event: e, Notification: wire.Notification{Code: code, Subcode: sub}}
}

// reach returns a Machine brought to s at t0 along the usual path; with
// delay the DelayOpenTimer runs (Connect or Active only).
func reach(t *testing.T, cfg Config, s State, delay bool) *Machine {
	t.Helper()
	if delay {
		cfg.DelayOpen = 5 * time.Second
	}
	m, err := NewMachine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var path []Input
	switch s {
	case Idle:
	case Connect:
		path = []Input{ev(ManualStart)}
	case Active:
		path = []Input{ev(ManualStartWithPassiveTCPEstablishment)}
	case OpenSent:
		path = []Input{ev(ManualStart), ev(TCPCRAcked)}
	case OpenConfirm:
		path = []Input{ev(ManualStart), ev(TCPCRAcked), peerOpen(90)}
	case Established:
		path = []Input{ev(ManualStart), ev(TCPCRAcked), peerOpen(90), ev(KeepAliveMsg)}
	}
	if delay {
		path = append(path, ev(TCPConnectionConfirmed))
	}
	for _, in := range path {
		m.Step(in, t0)
	}
	if m.State() != s || m.running[DelayOpenTimer] != delay {
		t.Fatalf("setup: in %v (DelayOpenTimer %v), want %v (%v)", m.State(), m.running[DelayOpenTimer], s, delay)
	}
	return m
}

// down is the action list of a fall to Idle: the NOTIFICATION (when n is
// not ""), the running timers stopped, routes deleted when est, release,
// drop.
func down(n string, est bool, timers ...Timer) []string {
	var a []string
	if n != "" {
		a = append(a, "send-notification "+n)
	}
	for _, t := range timers {
		a = append(a, "stop-timer "+t.String())
	}
	if est {
		a = append(a, "left-established")
	}
	return append(a, "release", "drop")
}

func strs(acts []Action) []string {
	s := make([]string, len(acts))
	for i, a := range acts {
		s[i] = a.String()
	}
	return s
}

// row is one state × event case of RFC 4271 §8.2.2.
type row struct {
	name  string // the RFC text it implements, paraphrased
	cfg   Config
	delay bool // the DelayOpenTimer runs before the event
	in    Input
	want  State
	acts  []string
	crc   crcOp // what happens to the ConnectRetryCounter (preset to 5)
}

// runRows runs rows from state from. Rows whose name lists several events
// ("…/events 9,11") are expanded by the caller.
func runRows(t *testing.T, from State, rows []row) {
	t.Helper()
	for _, r := range rows {
		t.Run(from.String()+"/"+r.in.Event.String()+"/"+r.name, func(t *testing.T) {
			m := reach(t, r.cfg, from, r.delay)
			m.counters.ConnectRetryCounter = 5
			got := strs(m.Step(r.in, t0))
			if !slices.Equal(got, r.acts) {
				t.Errorf("actions\n got [%s]\nwant [%s]", strings.Join(got, ", "), strings.Join(r.acts, ", "))
			}
			if m.State() != r.want {
				t.Errorf("state %v, want %v", m.State(), r.want)
			}
			want := map[crcOp]uint32{crcKeep: 5, crcInc: 6, crcReset: 0}[r.crc]
			if c := m.counters.ConnectRetryCounter; c != want {
				t.Errorf("ConnectRetryCounter %d, want %d", c, want)
			}
		})
	}
}

// each returns one row per event, all alike.
func each(r row, events ...Event) []row {
	rows := make([]row, len(events))
	for i, e := range events {
		rows[i] = r
		rows[i].in.Event = e
	}
	return rows
}

// starts are the start events every state but Idle ignores.
var starts = []Event{ManualStart, AutomaticStart, ManualStartWithPassiveTCPEstablishment,
	AutomaticStartWithPassiveTCPEstablishment, AutomaticStartWithDampPeerOscillations,
	AutomaticStartWithDampPeerOscillationsAndPassiveTCPEst}
