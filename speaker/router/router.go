package router

import (
	"errors"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/rib"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Session is one established BGP session as the router sees it; the
// session driver implements it. Its methods are called with the router
// locked and must not call back into the Router.
type Session interface {
	// Config is the session's resolved configuration: name, local and
	// remote AS and address, RouteServerClient, RouteReflectorClient,
	// ClusterID, Static. It must not change while the session is up.
	Config() *config.Peer
	// LocalAddr is the local transport address (next-hop self).
	LocalAddr() netip.Addr
	// SendContext is the negotiated encoding context of what the
	// session sends (wire.Context).
	SendContext() wire.Context
	// Families are the negotiated AFI/SAFIs.
	Families() []wire.Family
	// Send queues one whole message for the peer without blocking, or
	// fails (full queue, closed session). It takes ownership of msg,
	// which it must treat as read-only: the same bytes may be handed to
	// several sessions.
	Send(msg []byte) error
}

// Options configure a Router.
type Options struct {
	// RouterID is the local BGP Identifier used when a peer's config
	// names none: ORIGINATOR_ID loop check and default cluster ID
	// (RFC 4456 §8).
	RouterID netip.Addr
	// Decision are the decision process knobs; ReportAll is forced on.
	Decision rib.Options
	// Stalled, when set, is called (router locked: it must not call
	// back) when a Send to the named peer fails; the session is then
	// stalled until Resync.
	Stalled func(name string)
	// AfterFunc replaces time.AfterFunc for the graceful restart timers
	// (gr.go): it calls fn once, from another goroutine, after d unless
	// stop was called first. Tests give a manual one.
	AfterFunc func(d time.Duration, fn func()) (stop func())
	// Logger gets the graceful restart events (nil: none).
	Logger *slog.Logger
}

// source is one path source of the Loc-RIB: a session (while up) or a
// local pseudo-peer.
type source struct {
	id    rib.PeerID
	in    *rib.AdjIn
	peer  *peer // nil for a local pseudo-peer
	local bool
	name  string
	ibgp  bool
	rrc   bool // route reflector client
}

// Router is the propagation core (see the package doc). Create it with
// New; it is safe for concurrent use.
type Router struct {
	mu      sync.Mutex
	opt     Options
	pool    *rib.Pool
	loc     *rib.LocRIB
	peers   map[string]*peer          // by config name, kept across sessions until Remove
	bySess  map[Session]*peer         // established sessions
	up      []*peer                   // established, in Up order
	locals  map[string]*source        // local pseudo-peers by name
	sources []*source                 // by rib.PeerID
	free    map[rib.Peer][]rib.PeerID // Loc-RIB peer IDs of sessions gone, for reuse (see allocID)
	outIDs  map[pathKey]uint32        // ADD-PATH send identifiers
	enc     encoder

	cs  []rib.Change
	bs  []rib.BestChange
	one message.Update
}

// pathKey names a Loc-RIB path: its source and received path ID.
type pathKey struct {
	src rib.PeerID
	id  uint32
}

// New returns an empty Router.
func New(opt Options) *Router {
	opt.Decision.ReportAll = true
	p := rib.NewPool()
	return &Router{
		opt:    opt,
		pool:   p,
		loc:    rib.NewLocRIB(p, opt.Decision),
		peers:  map[string]*peer{},
		bySess: map[Session]*peer{},
		locals: map[string]*source{},
		free:   map[rib.Peer][]rib.PeerID{},
		outIDs: map[pathKey]uint32{},
		enc:    encoder{pool: p},
	}
}

// errUnknown is returned for a session that is not up.
var errUnknown = errors.New("router: session is not up")

// Up registers an established session s whose received UPDATEs decode
// with recv, remote being what its OPEN said (router ID, capabilities:
// enhanced route refresh). It sends s its initial table — the export of
// the Loc-RIB plus its config static routes, packed — then End-of-RIB
// for each negotiated family (RFC 4724 §2). A session already up is
// taken down first. Routes kept from the peer's previous session
// across a graceful restart are withdrawn (UpRestart may keep them).
func (r *Router) Up(s Session, recv wire.Context, remote capability.Speaker) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.upLocked(s, recv, remote, Restart{})
}

func (r *Router) upLocked(s Session, recv wire.Context, remote capability.Speaker, gr Restart) {
	if _, ok := r.bySess[s]; ok {
		r.down(s)
	}
	cfg := s.Config()
	p := r.peer(cfg.Name)
	if !p.staticSet {
		p.static, p.staticSet = cfg.Static, true
	}
	kept, rejected := p.src, p.rejected
	if !p.grDown {
		kept = nil
	}
	p.start(r, s, recv, remote)
	p.gr = gr
	if kept != nil {
		r.resume(p, kept, rejected)
	} else {
		r.addSource(p)
	}
	r.bySess[s] = p
	r.up = append(r.up, p)
	if len(p.static) > 0 {
		r.applyOverride(p, p.static, false, false)
	}
	r.sync(p)
}

// addSource registers p's new session as a Loc-RIB peer.
func (r *Router) addSource(p *peer) {
	cfg := p.cfg
	id := r.allocID(rib.Peer{
		Address:  cfg.Remote.IP,
		RouterID: addrID(p.remoteID),
		AS:       cfg.Remote.AS,
		IBGP:     p.ibgp,
	})
	src := &source{id: id, in: rib.NewAdjIn(r.pool, p.recv), peer: p, name: p.name, ibgp: p.ibgp, rrc: cfg.RouteReflectorClient}
	p.src = src
	r.setSource(src)
}

func (r *Router) setSource(src *source) {
	for int(src.id) >= len(r.sources) {
		r.sources = append(r.sources, nil)
	}
	r.sources[src.id] = src
}

// Update applies UPDATE u received on s (verdict: message.Check's
// result for it) and sends the other sessions what changes for them.
// A session-reset verdict changes nothing and is returned: the caller
// resets the session. u may be reused once Update returns.
func (r *Router) Update(s Session, u message.Update, verdict error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.bySess[s]
	if p == nil {
		return errUnknown
	}
	p.stats.UpdatesReceived++
	skipped := p.src.in.Skipped
	cs, err := p.src.in.Apply(r.cs[:0], u, verdict)
	r.cs = cs
	if err != nil || len(cs) == 0 {
		if err == nil && len(p.stale) > 0 {
			if f, ok := u.EndOfRIB(); ok {
				r.endOfRIB(p, f)
			}
		}
		return err
	}
	var raw *message.Update
	if verdict == nil && p.src.in.Skipped == skipped {
		raw = &u
	}
	r.propagate(p.src, cs, raw)
	return nil
}

// Down takes s down: its routes are withdrawn from the Loc-RIB and the
// other sessions told; its Adj-RIB-Out is forgotten. Its override
// routes (static, API) are kept for its next session.
func (r *Router) Down(s Session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down(s)
}

func (r *Router) down(s Session) {
	p := r.bySess[s]
	if p == nil {
		return
	}
	r.detach(s, p)
	p.stop()
	r.endRestart(p) // withdraws every route, stale or not, and frees the source
}

// Refresh handles a ROUTE-REFRESH received on s (RFC 2918 §4): a normal
// request gets the session's Adj-RIB-Out for the family again, between
// BoRR and EoRR when enhanced route refresh was negotiated (RFC 7313
// §4). BoRR / EoRR the peer sends about its own table are ignored.
func (r *Router) Refresh(s Session, rr wire.RouteRefresh) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.bySess[s]
	if p == nil {
		return errUnknown
	}
	if rr.Subtype != wire.RefreshNormal || !p.hasFamily(rr.Family) {
		return nil
	}
	r.resend(p, rr.Family)
	return nil
}

// resend sends p its Adj-RIB-Out for f.
func (r *Router) resend(p *peer, f wire.Family) {
	if p.err {
		p.send(wire.AppendRouteRefresh(nil, wire.RouteRefresh{Family: f, Subtype: wire.RefreshBoRR}))
	}
	r.eachOut(p, f, func(n rib.NLRI, _ *source, _ rib.Attrs) {
		if p.out.Get(n) != 0 {
			p.pending = append(p.pending, n)
		}
	})
	r.flush(p)
	if p.err {
		p.send(wire.AppendRouteRefresh(nil, wire.RouteRefresh{Family: f, Subtype: wire.RefreshEoRR}))
	}
}

// Resync sends a stalled session the current state of every route that
// changed for it since its first failed Send, and the End-of-RIB
// markers it missed. It reports whether the session is no longer
// stalled (false: a Send failed again).
func (r *Router) Resync(s Session) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.bySess[s]
	if p == nil {
		return false
	}
	if !p.stalled {
		return true
	}
	p.stalled = false
	for n := range p.dirty {
		p.pending = append(p.pending, n)
	}
	clear(p.dirty)
	eors := p.eorDue
	p.eorDue = nil
	r.flush(p)
	for _, f := range eors {
		p.sendEoR(f)
	}
	return !p.stalled
}

// addrID returns an IPv4 address as a BGP Identifier (0 for others).
func addrID(a netip.Addr) uint32 {
	a = a.Unmap()
	if !a.Is4() {
		return 0
	}
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
