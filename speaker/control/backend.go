package control

import (
	"net/netip"
	"time"

	"github.com/ze-bgp/ze/speaker/api"
	"github.com/ze-bgp/ze/speaker/peer"
	"github.com/ze-bgp/ze/speaker/router"
)

// Backend is what the server asks the daemon. Every method returns
// copies and may be called from several goroutines at once; none may
// block on a client.
type Backend interface {
	// Neighbors describes every configured peer, in configuration order.
	Neighbors() []Neighbor
	// Routes answers a route query (router.Router.Routes). Peer is a
	// configured name: the server resolves addresses itself.
	Routes(q router.Query) ([]router.Route, bool, error)
	// Reload re-reads the configuration and applies it (see the
	// daemon). A configuration that does not check is an error whose
	// text holds one FILE:LINE:COL problem per line.
	Reload() (ReloadResult, error)
	// Status is the daemon's state for `show status` and SIGUSR1.
	Status() Status
	// Clear resets the session of the configured peer name as mode
	// says (see ClearMode) and describes what it did, in a few words.
	// Errors: the peer is unknown, or (soft modes) its session is not
	// established, or (soft in) it did not negotiate route refresh.
	Clear(name string, mode ClearMode) (string, error)
}

// Neighbor is one configured peer as the daemon sees it.
type Neighbor struct {
	Name        string
	Description string
	Group       string
	RemoteAddr  netip.Addr
	RemotePort  uint16
	RemoteAS    uint32
	LocalAS     uint32
	LocalAddr   netip.Addr // the configured local-address, else the session's
	RouterID    netip.Addr // ours, as sent in OPEN
	// HoldTime is the negotiated hold time (0 while not established,
	// or when 0 was negotiated).
	HoldTime time.Duration
	// Capabilities are the negotiated capabilities, described
	// ("asn4", "route-refresh", "add-path ipv4/unicast receive", …).
	Capabilities []string
	// Changed is when the session last came up or went down (zero:
	// never); LastDown says why it last went down.
	Changed  time.Time
	LastDown string
	Session  peer.Stats      // the session driver's state and counters
	Router   router.Neighbor // the router's view and route counts
}

// Process is one API process.
type Process struct {
	Name  string
	Stats api.Stats
}

// Status is the daemon's state: its peers, the Loc-RIB's size and the
// API processes.
type Status struct {
	Started   time.Time
	Config    string // the configuration file
	Neighbors []Neighbor
	RIB       []router.RIBCount
	Processes []Process
}

// ReloadResult says what a reload changed. Names are in configuration
// order (removed ones in the old configuration's order).
type ReloadResult struct {
	Config string // the file read
	// Peers: added (started), removed (stopped with Cease / Peer
	// De-configured), reset (stopped with Cease / Other Configuration
	// Change and started with the new settings), updated in place
	// (static routes, api, description: the session is kept) and
	// unchanged.
	Added, Removed, Reset, Updated, Unchanged []string
	// Processes: added, removed, restarted (command or encoder changed).
	ProcessesAdded, ProcessesRemoved, ProcessesRestarted []string
	// MRT is set when the mrt block changed: the MRT recording was
	// restarted with it.
	MRT bool
	// ListenOpened and ListenClosed are the listeners (ADDR:PORT) the
	// peers' new local addresses opened and closed.
	ListenOpened, ListenClosed []string
	// Notes are settings read only at start that changed (listen
	// addresses, control socket, log format): they need a restart.
	Notes []string
}
