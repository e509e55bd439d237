package testpeer

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// InjectReport is inject mode's report, printed as {"inject":{…}}.
// Seconds runs from the first UPDATE of the first session to the
// End-of-RIB of the last one.
type InjectReport struct {
	Sessions          int         `json:"sessions"` // sessions that sent everything
	Sent              int64       `json:"sent"`     // prefixes announced
	Updates           int64       `json:"updates"`
	Octets            int64       `json:"octets"`
	Seconds           float64     `json:"seconds"`
	PrefixesPerSecond float64     `json:"prefixes-per-second"`
	Withdrawn         int64       `json:"withdrawn,omitempty"`
	WithdrawSeconds   float64     `json:"withdraw-seconds,omitempty"`
	Back              *BackReport `json:"back,omitempty"`
	MRT               *MRTReport  `json:"mrt,omitempty"` // an MRT replay (--mrt)
}

// BackReport is what came back on the --expect-back session: Seconds
// from the first UPDATE sent until the last prefix arrived back (the
// propagation time), WithdrawSeconds likewise for the withdrawals.
type BackReport struct {
	Received        int64   `json:"received"`
	Seconds         float64 `json:"seconds"`
	Withdrawn       int64   `json:"withdrawn,omitempty"`
	WithdrawSeconds float64 `json:"withdraw-seconds,omitempty"`
}

// injectTotals adds up the inject sessions.
type injectTotals struct {
	mu            sync.Mutex
	rep           InjectReport
	first, last   time.Time
	wfirst, wlast time.Time
}

func (t *injectTotals) add(r injectRun, withdraw, back bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rep.Sessions++
	t.rep.Sent += r.count
	t.rep.Updates += int64(r.updates)
	t.rep.Octets += r.octets
	if t.first.IsZero() || r.start.Before(t.first) {
		t.first = r.start
	}
	if r.end.After(t.last) {
		t.last = r.end
	}
	if withdraw {
		t.rep.Withdrawn += r.count
		if t.wfirst.IsZero() || r.wstart.Before(t.wfirst) {
			t.wfirst = r.wstart
		}
		if r.wend.After(t.wlast) {
			t.wlast = r.wend
		}
	}
	if back {
		if t.rep.Back == nil {
			t.rep.Back = &BackReport{}
		}
		b := t.rep.Back
		b.Received += r.count
		b.Seconds = max(b.Seconds, r.backAt.Sub(r.start).Seconds())
		if withdraw {
			b.Withdrawn += r.count
			b.WithdrawSeconds = max(b.WithdrawSeconds, r.backGoneAt.Sub(r.wstart).Seconds())
		}
	}
}

// InjectReport returns the inject totals so far.
func (p *Peer) InjectReport() InjectReport {
	t := &p.inject
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.rep
	if r.Back != nil {
		b := *r.Back
		r.Back = &b
	}
	if r.MRT != nil {
		m := *r.MRT
		r.MRT = &m
	}
	if !t.first.IsZero() {
		r.Seconds = t.last.Sub(t.first).Seconds()
		if r.Seconds > 0 {
			r.PrefixesPerSecond = float64(r.Sent) / r.Seconds
		}
	}
	if !t.wfirst.IsZero() {
		r.WithdrawSeconds = t.wlast.Sub(t.wfirst).Seconds()
	}
	return r
}

func (p *Peer) writeInjectReport() {
	b, _ := json.Marshal(map[string]InjectReport{"inject": p.InjectReport()})
	p.out.write(p.out.stdout, append(b, '\n'))
}

// backCounter tracks which injected prefixes arrived (and were
// withdrawn) on the expect-back session: one bit per prefix, so
// duplicates count once.
type backCounter struct {
	s      *session
	gen    prefixGen
	fam    wire.Family
	count  int
	mu     sync.Mutex
	seen   []uint64
	nseen  int
	gone   []uint64
	ngone  int
	seenAt time.Time
	goneAt time.Time

	allSeen chan struct{}
	allGone chan struct{}
}

func newBackCounter(ic *InjectConfig) *backCounter {
	words := (ic.Count + 63) / 64
	b := &backCounter{
		gen: newPrefixGen(ic.PrefixStart), fam: ic.family(), count: ic.Count,
		seen: make([]uint64, words), gone: make([]uint64, words),
		allSeen: make(chan struct{}), allGone: make(chan struct{}),
	}
	if ic.Count == 0 {
		close(b.allSeen)
		close(b.allGone)
	}
	return b
}

// see records the injected prefixes an UPDATE announces or withdraws.
func (b *backCounter) see(msg []byte, typ wire.Type, ctx wire.Context) {
	if typ != wire.TypeUpdate {
		return
	}
	u, err := message.ParseUpdate(msg)
	if err != nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fam == wire.IPv4Unicast {
		ap := ctx.AddPath(b.fam)
		b.walk(u.NLRI, ap, false)
		b.walk(u.Withdrawn, ap, true)
		return
	}
	if m, ok, err := u.MPReach(); ok && err == nil && m.Family == b.fam {
		b.walk(m.NLRI, ctx.AddPath(b.fam), false)
	}
	if m, ok, err := u.MPUnreach(); ok && err == nil && m.Family == b.fam {
		b.walk(m.NLRI, ctx.AddPath(b.fam), true)
	}
}

func (b *backCounter) walk(field []byte, addPath, withdrawn bool) {
	it := nlri.NewIterator(field, b.fam, addPath)
	for it.Next() {
		i := b.gen.index(it.Prefix(), b.count)
		if i < 0 {
			continue
		}
		w, bit := i/64, uint64(1)<<(i%64)
		if withdrawn {
			if b.nseen < b.count || b.gone[w]&bit != 0 {
				continue // withdrawals count once every prefix came back
			}
			b.gone[w] |= bit
			b.ngone++
			if b.ngone == b.count {
				b.goneAt = time.Now()
				close(b.allGone)
			}
			continue
		}
		if b.seen[w]&bit != 0 {
			continue
		}
		b.seen[w] |= bit
		b.nseen++
		if b.nseen == b.count {
			b.seenAt = time.Now()
			close(b.allSeen)
		}
	}
}

func (b *backCounter) seenCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.nseen
}

func (b *backCounter) goneCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ngone
}

// waitError says why wait gave up: "timed out waiting for the rest",
// "interrupted waiting for the rest" or "the expect-back session ended".
func (b *backCounter) waitError(ctx context.Context) string {
	if ctx.Err() == nil {
		select {
		case <-b.s.done:
			return "the expect-back session ended"
		default:
		}
	}
	return waitError(ctx, nil) + " waiting for the rest"
}

// wait waits for ch (allSeen or allGone), the back session's end or ctx.
func (b *backCounter) wait(ctx context.Context, ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	case <-b.s.done:
		select {
		case <-ch:
			return true
		default:
			return false
		}
	case <-ctx.Done():
		return false
	}
}
