package config

// Kind is the kind of value a key takes.
type Kind uint8

// Value kinds. The text form of each is in kindSyntax (and docs/config.md).
const (
	KindFlag    Kind = iota // `key;` (true) or `key true|false|enable|disable;`
	KindUint                // a decimal integer within [Min, Max]
	KindSeconds             // whole seconds: an integer within [Min, Max], plus 0 when ZeroOK
	KindASN                 // an AS number 1..4294967295, plain or asdot (1.10)
	KindIP                  // an IPv4 or IPv6 address
	KindIPv4                // an IPv4 address (router-id, cluster-id)
	KindString              // one word or a quoted string
	KindCommand             // one or more words or strings: a command line
	KindEnum                // one of Enum
	KindList                // names: `[ a b ]`, or one name alone
	KindFamily              // a statement that is an AFI and a SAFI: `ipv4 unicast;`
	KindRoute               // a route in speaker/route syntax, after the key
	KindBlock               // `key { … }`, or `key NAME { … }` when Named
)

var kindSyntax = [...]string{
	KindFlag: "flag", KindUint: "integer", KindSeconds: "seconds", KindASN: "AS number",
	KindIP: "IP address", KindIPv4: "IPv4 address", KindString: "string", KindCommand: "command line",
	KindEnum: "one of", KindList: "[ names ]", KindFamily: "AFI SAFI", KindRoute: "route",
	KindBlock: "block", KindFileEvery: "FILE-PATTERN every DURATION",
	KindMaxPrefix: "LIMIT [ACTION]",
}

// String returns how the kind is written in messages and docs.
func (k Kind) String() string {
	if int(k) < len(kindSyntax) {
		return kindSyntax[k]
	}
	return "value"
}

// Key describes one key of a block: what it takes, whether it must be
// there, its default and its documentation. The tables below are the
// whole configuration language; docs/config.md is generated from them.
type Key struct {
	Name     string
	Kind     Kind
	Min, Max uint64   // KindUint, KindSeconds
	ZeroOK   bool     // KindSeconds: 0 is allowed besides [Min, Max]
	Enum     []string // KindEnum
	Required bool     // must be present (for peer keys: after inheritance)
	Default  string   // the value when absent, as written in the file ("" = none)
	Doc      string
	Block    *Block // KindBlock
	Named    bool   // KindBlock: `key NAME { … }`, one per name
	Multi    bool   // may be given more than once (routes, plugins)
	Replace  bool   // KindBlock: a closer level replaces the block whole instead of merging into it
	Any      bool   // the key is a pattern: any word is accepted (family statements)
}

// Block is the set of keys a block accepts.
type Block struct {
	Name string // the path shown in docs and messages ("bgp", "peer remote")
	Doc  string
	Keys []*Key
}

func (b *Block) key(name string) *Key {
	for _, k := range b.Keys {
		if k.Name == name || k.Any {
			return k
		}
	}
	return nil
}

func (b *Block) names() []string {
	var s []string
	for _, k := range b.Keys {
		if !k.Any {
			s = append(s, k.Name)
		}
	}
	return s
}

// Message kinds the api block can ask for.
var apiMessages = []*Key{
	{Name: "parsed", Kind: KindFlag, Doc: "messages as decoded JSON or text (the encoder's format)"},
	{Name: "packets", Kind: KindFlag, Doc: "messages as raw hex as well"},
	{Name: "open", Kind: KindFlag, Doc: "OPEN messages"},
	{Name: "update", Kind: KindFlag, Doc: "UPDATE messages"},
	{Name: "notification", Kind: KindFlag, Doc: "NOTIFICATION messages"},
	{Name: "keepalive", Kind: KindFlag, Doc: "KEEPALIVE messages"},
	{Name: "refresh", Kind: KindFlag, Doc: "ROUTE-REFRESH messages"},
	{Name: "state", Kind: KindFlag, Doc: "session state changes (up, down and why)"},
}

var (
	remoteBlock = &Block{Name: "remote", Doc: "The neighbour.", Keys: []*Key{
		{Name: "ip", Kind: KindIP, Required: true, Doc: "the neighbour's address; unique across peers"},
		{Name: "as", Kind: KindASN, Required: true, Doc: "the neighbour's AS number (eBGP when it differs from local-as)"},
		{Name: "port", Kind: KindUint, Min: 1, Max: 65535, Default: "179", Doc: "the TCP port to connect to"},
	}}
	familyBlock = &Block{Name: "family", Doc: "The address families to negotiate (RFC 4760), one `AFI SAFI;` statement each, e.g. `ipv4 unicast; ipv6 unicast;`. Absent: the unicast family of the remote address.", Keys: []*Key{
		{Name: "AFI SAFI", Kind: KindFamily, Any: true, Multi: true, Block: familyOptionsBlock, Doc: "a family ze knows: " + familyNames() + "; `AFI SAFI { … }` sets [its own options](#family--afi-safi)"},
	}}
	capabilityBlock = &Block{Name: "capability", Doc: "Capabilities to announce in OPEN (RFC 5492).", Keys: []*Key{
		{Name: "asn4", Kind: KindFlag, Default: "true", Doc: "4-octet AS numbers (RFC 6793)"},
		{Name: "route-refresh", Kind: KindFlag, Default: "true", Doc: "route refresh (RFC 2918) and enhanced route refresh (RFC 7313)"},
		{Name: "extended-message", Kind: KindFlag, Default: "false", Doc: "messages up to 65535 octets (RFC 8654)"},
		{Name: "add-path", Kind: KindEnum, Enum: []string{"disable", "send", "receive", "send/receive"}, Default: "disable", Doc: "ADD-PATH for every configured family (RFC 7911)"},
		{Name: "graceful-restart", Kind: KindSeconds, Min: 1, Max: 4095, ZeroOK: true, Default: "0", Doc: "graceful restart with this restart time (RFC 4724), announced with the N flag (RFC 8538: NOTIFICATIONs other than Hard Reset are graceful too) and no forwarding state preserved; ze keeps the routes of a peer that advertised it too across the peer's restart ([graceful restart](#graceful-restart)); 0 disables it"},
		{Name: "stale-time", Kind: KindSeconds, Min: 1, Max: 65535, Default: "360", Doc: "not announced: how long the routes kept across the peer's graceful restart wait for its End-of-RIB once it is back, before those it did not send again are withdrawn (RFC 4724 §4.2's upper bound)"},
	}}
	staticBlock = &Block{Name: "static", Doc: "Routes announced to the peer once the session is up.", Keys: []*Key{
		{Name: "route", Kind: KindRoute, Multi: true, Doc: "`route PREFIX next-hop IP [attributes];` in the syntax of `ze bgp encode` (origin, as-path, med, local-preference, community, large-community, extended-community, path-information, family…); the route's family must be one of the peer's"},
	}}
	receiveBlock = &Block{Name: "receive", Doc: "What the processes get from the peer.", Keys: apiMessages}
	sendBlock    = &Block{Name: "send", Doc: "What the processes get of what ze sends to the peer.", Keys: apiMessages}
	apiBlock     = &Block{Name: "api", Doc: "The processes that follow this peer.", Keys: []*Key{
		{Name: "processes", Kind: KindList, Doc: "the names of `process` blocks"},
		{Name: "receive", Kind: KindBlock, Block: receiveBlock, Replace: true, Doc: "messages received"},
		{Name: "send", Kind: KindBlock, Block: sendBlock, Replace: true, Doc: "messages sent"},
	}}
)

// peerKeys are the session settings. They may be written in bgp, in a
// group and in a peer; the closest one wins.
var peerKeys = []*Key{
	{Name: "description", Kind: KindString, Doc: "free text"},
	{Name: "router-id", Kind: KindIPv4, Doc: "the BGP identifier sent in OPEN (RFC 4271 §4.2); default: local-address when it is IPv4"},
	{Name: "local-as", Kind: KindASN, Required: true, Doc: "this speaker's AS number"},
	{Name: "local-address", Kind: KindIP, Doc: "the address to connect from and to accept the session on"},
	{Name: "remote", Kind: KindBlock, Block: remoteBlock, Required: true, Doc: "the neighbour"},
	{Name: "hold-time", Kind: KindSeconds, Min: 3, Max: 65535, ZeroOK: true, Default: "90", Doc: "the hold time offered in OPEN (RFC 4271 §4.2): 0 (no keepalives) or 3 to 65535"},
	{Name: "passive", Kind: KindFlag, Default: "false", Doc: "wait for the neighbour to connect, never connect"},
	{Name: "multihop", Kind: KindUint, Min: 1, Max: 255, Doc: "eBGP multihop: the TTL (IPv6 hop limit) of outgoing packets; not set: the system default"},
	{Name: "ttl-security", Kind: KindUint, Min: 1, Max: 254, Doc: "GTSM (RFC 5082): send with TTL 255 and drop packets from more than this many hops away (TTL below 256 minus hops); 1: directly connected; excludes multihop; Linux only"},
	{Name: "md5-password", Kind: KindString, Doc: "TCP MD5 signature key (RFC 2385), at most 80 characters, the same on both ends; installed on the listeners and on each connection; a mismatch is dropped silently by the kernel (ze logs its counters); Linux only"},
	{Name: "capability", Kind: KindBlock, Block: capabilityBlock, Doc: "capabilities to announce"},
	{Name: "family", Kind: KindBlock, Block: familyBlock, Replace: true, Doc: "address families"},
	{Name: "maximum-prefix", Kind: KindMaxPrefix, Default: "0", Doc: maxPrefixDoc},
	{Name: "route-server-client", Kind: KindFlag, Default: "false", Doc: "the peer is a route-server client (RFC 7947): AS_PATH, NEXT_HOP and MED sent unchanged"},
	{Name: "route-reflector-client", Kind: KindFlag, Default: "false", Doc: "the peer is a route-reflector client (RFC 4456)"},
	{Name: "cluster-id", Kind: KindIPv4, Doc: "the route-reflector cluster ID (RFC 4456); default: router-id"},
	{Name: "static", Kind: KindBlock, Block: staticBlock, Replace: true, Doc: "routes to announce"},
	{Name: "api", Kind: KindBlock, Block: apiBlock, Replace: true, Doc: "processes that see this peer's messages"},
}

var (
	peerBlock  = &Block{Name: "peer", Doc: "One BGP session.", Keys: peerKeys}
	groupBlock = &Block{Name: "group", Doc: "Settings shared by its peers, and the peers.", Keys: append(append([]*Key{}, peerKeys...),
		&Key{Name: "peer", Kind: KindBlock, Block: peerBlock, Named: true, Multi: true, Doc: "a session of the group"})}
	bgpBlock = &Block{Name: "bgp", Doc: "Settings every peer inherits, groups and peers.", Keys: append(append([]*Key{}, peerKeys...),
		&Key{Name: "group", Kind: KindBlock, Block: groupBlock, Named: true, Multi: true, Doc: "a group of peers"},
		&Key{Name: "peer", Kind: KindBlock, Block: peerBlock, Named: true, Multi: true, Doc: "a session outside any group"})}
	logBlock = &Block{Name: "log", Doc: "Logging.", Keys: []*Key{
		{Name: "level", Kind: KindEnum, Enum: []string{"debug", "info", "warning", "error"}, Default: "info", Doc: "the least severe level written"},
		{Name: "format", Kind: KindEnum, Enum: []string{"text", "json"}, Default: "text", Doc: "one line of text or one JSON object per record"},
	}}
	controlBlock = &Block{Name: "control", Doc: "The control socket `ze cli` talks to (docs/cli.md). Read at start only: a reload keeps the running socket.", Keys: []*Key{
		{Name: "socket", Kind: KindString, Doc: "the unix socket's path (mode 0600); default /run/ze/ze.sock as root, else $XDG_RUNTIME_DIR/ze.sock or /tmp/ze-UID/ze.sock (skipped with a warning when another ze holds it); `ze --control PATH` overrides it; `none` turns it off"},
	}}
	metricsBlock = &Block{Name: "metrics", Doc: "Prometheus metrics (docs/metrics.md). Read at start only: a reload keeps the running listener.", Keys: []*Key{
		{Name: "listen", Kind: KindString, Doc: "ADDR:PORT of the HTTP listener serving /metrics (e.g. 127.0.0.1:9179); `ze --metrics ADDR:PORT` overrides it; absent: no listener"},
	}}
	environmentBlock = &Block{Name: "environment", Doc: "How the daemon runs.", Keys: []*Key{
		{Name: "log", Kind: KindBlock, Block: logBlock, Doc: "logging"},
		{Name: "control", Kind: KindBlock, Block: controlBlock, Doc: "the control socket"},
		{Name: "metrics", Kind: KindBlock, Block: metricsBlock, Doc: "the Prometheus /metrics listener"},
	}}
	processBlock = &Block{Name: "process", Doc: "An external program that receives the messages of the peers whose `api` names it, and may send commands (ExaBGP's API).", Keys: []*Key{
		{Name: "run", Kind: KindCommand, Required: true, Doc: "the command line (words, or quoted strings holding blanks)"},
		{Name: "encoder", Kind: KindEnum, Enum: []string{"json", "text", "ze-json"}, Default: "json", Doc: "the format of what it is sent (docs/api.md): ExaBGP 4's JSON, ExaBGP's text lines, or ze's JSON (docs/json.md) in an envelope"},
		{Name: "respawn", Kind: KindUint, Min: 0, Max: 1000, Default: "5", Doc: "how many times a minute the program is started again after it exits (backoff 100 ms doubling to 10 s); beyond that it stays stopped and the error is logged; 0: never"},
		{Name: "queue", Kind: KindUint, Min: 1, Max: 1048576, Default: "4096", Doc: "how many lines (events, answers) may wait for the program to read them; `on-full` says what happens beyond"},
		{Name: "on-full", Kind: KindEnum, Enum: []string{"drop-process", "drop-events"}, Default: "drop-process", Doc: "when the queue is full: `drop-process` kills the program (then respawned within its limit), `drop-events` discards the lines that do not fit and counts them (ze_api_dropped_total); the sessions never wait"},
		{Name: "withdraw-on-exit", Kind: KindFlag, Default: "true", Doc: "withdraw the routes the program announced (and did not withdraw) when it exits or is stopped; false: they stay announced"},
	}}
	pluginBlock = &Block{Name: "plugin", Doc: "Features built into ze, turned on by name.", Keys: []*Key{
		{Name: "internal", Kind: KindEnum, Enum: internalPlugins, Multi: true, Doc: "an internal plugin"},
	}}
	// fileBlock is the top level of a configuration file.
	fileBlock = &Block{Name: "file", Doc: "The blocks a file holds; each at most once, but `process`, once per name.", Keys: []*Key{
		{Name: "environment", Kind: KindBlock, Block: environmentBlock, Doc: "daemon settings"},
		{Name: "bgp", Kind: KindBlock, Block: bgpBlock, Doc: "the BGP sessions"},
		{Name: "process", Kind: KindBlock, Block: processBlock, Named: true, Multi: true, Doc: "an API process"},
		{Name: "plugin", Kind: KindBlock, Block: pluginBlock, Doc: "internal plugins"},
		{Name: "mrt", Kind: KindBlock, Block: mrtBlock, Doc: "recording to MRT files"},
	}}
)

// internalPlugins are the plugins `plugin { internal NAME; }` knows.
var internalPlugins = []string{"bgp-rib"}
