package config

import (
	"net/netip"
	"os"
	"reflect"

	"github.com/ze-bgp/ze/speaker/config/syntax"
	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Config is a whole configuration, checked and with every peer's
// inheritance resolved.
type Config struct {
	Environment Environment `json:"environment"`
	Peers       []Peer      `json:"peers"`     // in the order of the file
	Processes   []Process   `json:"processes"` // in the order of the file
	Plugins     []string    `json:"plugins"`   // internal plugins, in order
	MRT         MRT         `json:"mrt"`       // recording (mrt.go)
}

// Environment is how the daemon runs.
type Environment struct {
	Log     Log     `json:"log"`
	Control Control `json:"control"`
	Metrics Metrics `json:"metrics"`
}

// Metrics is the Prometheus listener's setup.
type Metrics struct {
	Listen string `json:"listen,omitempty"` // ADDR:PORT; "": no listener
}

// Control is the control socket's setup.
type Control struct {
	Socket string `json:"socket,omitempty"` // "" : the daemon's default; "none": no socket
}

// Log is the logging setup.
type Log struct {
	Level  string `json:"level"`  // debug, info, warning or error
	Format string `json:"format"` // text or json
}

// Process is an external API program.
type Process struct {
	Name    string   `json:"name"`
	Run     []string `json:"run"`     // the command line, as words
	Encoder string   `json:"encoder"` // json, text or ze-json

	Respawn        int    `json:"respawn"`          // restarts allowed within a minute; 0: never restarted
	Queue          int    `json:"queue"`            // lines waiting for the program, at most
	OnFull         string `json:"on-full"`          // drop-process or drop-events
	WithdrawOnExit bool   `json:"withdraw-on-exit"` // its routes are withdrawn when it exits
}

// Peer is one session with everything inherited from bgp and its group
// already applied: no field needs looking up elsewhere. Compare two with
// Equal (a reload keeps the sessions whose Peer is Equal).
type Peer struct {
	Name        string     `json:"name"`
	Group       string     `json:"group,omitempty"` // "" for a peer written in bgp directly
	Description string     `json:"description,omitempty"`
	RouterID    netip.Addr `json:"router-id"`     // zero: chosen by the daemon
	LocalAS     uint32     `json:"local-as"`      // 1..4294967295
	LocalAddr   netip.Addr `json:"local-address"` // zero: any
	Remote      Remote     `json:"remote"`
	HoldTime    uint16     `json:"hold-time"` // seconds: 0 or 3..65535
	Passive     bool       `json:"passive"`
	Multihop    uint8      `json:"multihop,omitempty"`     // TTL for eBGP multihop, 0: not set
	TTLSecurity uint8      `json:"ttl-security,omitempty"` // GTSM hops (RFC 5082), 0: off
	MD5Password string     `json:"md5-password,omitempty"`

	Capability           Capability    `json:"capability"`
	Families             []wire.Family `json:"-"`              // at least one; see MarshalJSON
	MaximumPrefix        uint32        `json:"maximum-prefix"` // 0: no limit
	RouteServerClient    bool          `json:"route-server-client"`
	RouteReflectorClient bool          `json:"route-reflector-client"`
	ClusterID            netip.Addr    `json:"cluster-id"` // zero: the router ID
	Static               []route.Route `json:"-"`          // routes to announce; see MarshalJSON
	API                  API           `json:"api"`

	// MaximumPrefixAction is what crossing MaximumPrefix does: teardown
	// ("" too), warning-only, or restart after MaximumPrefixRestart
	// seconds. FamilyMaximumPrefix holds the settings written in family
	// statements, which replace the peer's for their family; PrefixLimit
	// gives a family's.
	MaximumPrefixAction  string                      `json:"maximum-prefix-action"`
	MaximumPrefixRestart uint32                      `json:"maximum-prefix-restart,omitempty"` // seconds
	FamilyMaximumPrefix  map[wire.Family]PrefixLimit `json:"-"`                                // see MarshalJSON

	// Pos is where the peer is written (its "peer" word); not part of
	// Equal.
	Pos syntax.Pos `json:"-"`
}

// Remote is the neighbour.
type Remote struct {
	IP   netip.Addr `json:"ip"`
	AS   uint32     `json:"as"`
	Port uint16     `json:"port"`
}

// Capability is what the OPEN announces.
type Capability struct {
	ASN4            bool   `json:"asn4"`
	RouteRefresh    bool   `json:"route-refresh"`
	ExtendedMessage bool   `json:"extended-message"`
	AddPath         string `json:"add-path"`         // disable, send, receive or send/receive
	GracefulRestart uint16 `json:"graceful-restart"` // restart time in seconds, 0: off
	StaleTime       uint16 `json:"stale-time"`       // seconds the peer's stale routes wait for its End-of-RIB
}

// API says which processes follow the peer and what they are sent.
type API struct {
	Processes []string `json:"processes"`
	Receive   Messages `json:"receive"`
	Send      Messages `json:"send"`
}

// Messages selects the messages given to the processes.
type Messages struct {
	Parsed       bool `json:"parsed"`
	Packets      bool `json:"packets"`
	Open         bool `json:"open"`
	Update       bool `json:"update"`
	Notification bool `json:"notification"`
	Keepalive    bool `json:"keepalive"`
	Refresh      bool `json:"refresh"`
	State        bool `json:"state"`
}

// Equal reports whether p and o configure the same session (Pos aside).
func (p Peer) Equal(o Peer) bool {
	p.Pos, o.Pos = syntax.Pos{}, syntax.Pos{}
	return reflect.DeepEqual(p, o)
}

// Parse reads and checks a configuration. name is used in error
// messages ("FILE:LINE:COL: …"). On any problem it returns a nil Config
// and a syntax.ErrorList holding every problem found, sorted by
// position. Syntax errors stop it before the keys are checked.
func Parse(name string, src []byte) (*Config, error) {
	nodes, err := syntax.Parse(src)
	if err != nil {
		l := err.(syntax.ErrorList)
		l.SetFile(name)
		return nil, l
	}
	c := &checker{}
	file := c.block(fileBlock, nil, nodes)
	cfg := c.resolve(file)
	if len(c.errs) > 0 {
		c.errs.Sort()
		c.errs.SetFile(name)
		return nil, c.errs
	}
	return cfg, nil
}

// Load reads and checks the configuration file at path (see Parse).
func Load(path string) (*Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, src)
}
