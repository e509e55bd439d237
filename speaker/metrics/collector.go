package metrics

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler returns an http.Handler serving the Prometheus exposition of
// a registry holding the collector of src (NewCollector), the Go
// runtime collector (go_*) and the process collector (process_*). A
// metric that cannot be built is left out of the scrape rather than
// failing it. Mount it on "/metrics".
func Handler(src Source) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		NewCollector(src),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// NewCollector returns a prometheus.Collector that calls src on every
// scrape and turns its snapshot into the metrics listed in the package
// doc (docs/metrics.md). Label values are made valid UTF-8 and unique
// (a repeated peer or process label gets "#2", "#3"… appended), so a
// scrape never fails on what src returns.
func NewCollector(src Source) prometheus.Collector { return &collector{src: src} }

type collector struct{ src Source }

var (
	peerLabels = []string{"peer"}
	rfLabels   = []string{"peer", "route_family"}
	procLabels = []string{"process"}

	descPeerState = prometheus.NewDesc("bgp_peer_state",
		"Always 1; the labels carry the peer's FSM state (IDLE … ESTABLISHED) and admin state (UP or DOWN).",
		[]string{"peer", "session_state", "admin_state"}, nil)
	descPeerInfo = prometheus.NewDesc("ze_peer_info",
		"Always 1; maps the peer label (remote address) to the configured peer name and remote AS.",
		[]string{"peer", "name", "remote_as"}, nil)
	descRoutesReceived = prometheus.NewDesc("bgp_routes_received",
		"Routes in the Adj-RIB-In of the peer for the family.", rfLabels, nil)
	descRoutesAccepted = prometheus.NewDesc("bgp_routes_accepted",
		"Routes received from the peer for the family that are eligible for the Loc-RIB.", rfLabels, nil)
	descRoutesAdvertised = prometheus.NewDesc("bgp_routes_advertised",
		"Routes in the Adj-RIB-Out of the peer for the family.", rfLabels, nil)
)

// messageMetric is one message type's pair bgp_received_X_total and
// bgp_sent_X_total.
type messageMetric struct {
	recv, sent *prometheus.Desc
	value      func(Messages) uint64
}

func newMessageMetric(name, what string, value func(Messages) uint64) messageMetric {
	return messageMetric{
		recv:  prometheus.NewDesc("bgp_received_"+name+"_total", what+" received from the peer.", peerLabels, nil),
		sent:  prometheus.NewDesc("bgp_sent_"+name+"_total", what+" sent to the peer.", peerLabels, nil),
		value: value,
	}
}

var messageMetrics = []messageMetric{
	newMessageMetric("open", "BGP OPEN messages", func(m Messages) uint64 { return m.Open }),
	newMessageMetric("update", "BGP UPDATE messages", func(m Messages) uint64 { return m.Update }),
	newMessageMetric("notification", "BGP NOTIFICATION messages", func(m Messages) uint64 { return m.Notification }),
	newMessageMetric("keepalive", "BGP KEEPALIVE messages", func(m Messages) uint64 { return m.Keepalive }),
	newMessageMetric("refresh", "BGP ROUTE-REFRESH messages (BoRR and EoRR included)", func(m Messages) uint64 { return m.Refresh }),
	newMessageMetric("discarded", "BGP messages of an unknown type", func(m Messages) uint64 { return m.Discarded }),
	newMessageMetric("message", "BGP messages of every type", Messages.Total),
}

// valueMetric is one metric with a single value taken from a struct.
type valueMetric[T any] struct {
	desc  *prometheus.Desc
	typ   prometheus.ValueType
	value func(*T) float64
}

func gauge[T any](name, help string, labels []string, v func(*T) float64) valueMetric[T] {
	return valueMetric[T]{prometheus.NewDesc(name, help, labels, nil), prometheus.GaugeValue, v}
}

func counter[T any](name, help string, labels []string, v func(*T) uint64) valueMetric[T] {
	return valueMetric[T]{prometheus.NewDesc(name, help, labels, nil), prometheus.CounterValue, func(x *T) float64 { return float64(v(x)) }}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

var peerMetrics = []valueMetric[Peer]{
	// GoBGP's withdrawal counters (its bgp_sent_ twins are always 0
	// there and not exported here).
	counter("bgp_received_withdraw_update_total", "BGP UPDATE messages received from the peer that withdraw at least one prefix (End-of-RIB excluded).", peerLabels,
		func(p *Peer) uint64 { return p.WithdrawUpdates }),
	counter("bgp_received_withdraw_prefix_total", "Prefixes withdrawn by the BGP UPDATE messages received from the peer.", peerLabels,
		func(p *Peer) uint64 { return p.WithdrawPrefixes }),
	gauge("bgp_peer_uptime", "Seconds since the session with the peer became Established; 0 when it is not.", peerLabels,
		func(p *Peer) float64 { return p.Uptime.Seconds() }),
	gauge("ze_peer_state", "FSM state of the session as RFC 4273 numbers it: 1 idle, 2 connect, 3 active, 4 opensent, 5 openconfirm, 6 established.", peerLabels,
		func(p *Peer) float64 { return stateNumber(p.State) }),
	gauge("ze_peer_send_queue_depth", "Messages waiting in the outgoing queue of the session.", peerLabels,
		func(p *Peer) float64 { return float64(p.SendQueue) }),
	gauge("ze_peer_send_queue_capacity", "Messages the outgoing queue of the session holds at most.", peerLabels,
		func(p *Peer) float64 { return float64(p.SendQueueCap) }),
	counter("ze_peer_send_queue_full_total", "Messages refused because the outgoing queue was full.", peerLabels,
		func(p *Peer) uint64 { return p.SendQueueFull }),
	gauge("ze_peer_stalled", "1 while changes for the peer are held back after a failed send, until the queue drains.", peerLabels,
		func(p *Peer) float64 { return b2f(p.Stalled) }),
	counter("ze_peer_received_octets_total", "Octets of BGP messages received from the peer, headers included.", peerLabels,
		func(p *Peer) uint64 { return p.OctetsReceived }),
	counter("ze_peer_sent_octets_total", "Octets of BGP messages sent to the peer, headers included.", peerLabels,
		func(p *Peer) uint64 { return p.OctetsSent }),
	counter("ze_peer_zero_copy_updates_total", "Received UPDATE messages forwarded to the peer byte for byte.", peerLabels,
		func(p *Peer) uint64 { return p.ZeroCopy }),
	counter("ze_peer_unsendable_routes_total", "Routes that could not be encoded for the peer.", peerLabels,
		func(p *Peer) uint64 { return p.Unsendable }),
	counter("ze_peer_malformed_updates_total", "UPDATE messages from the peer kept under an RFC 7606 verdict milder than a session reset.", peerLabels,
		func(p *Peer) uint64 { return p.Malformed }),
	counter("ze_peer_max_prefix_total", "Times the peer crossed a maximum-prefix limit.", peerLabels,
		func(p *Peer) uint64 { return p.MaxPrefix }),
	counter("ze_peer_connect_attempts_total", "Outgoing TCP connections attempted to the peer.", peerLabels,
		func(p *Peer) uint64 { return p.ConnectAttempts }),
	counter("ze_peer_connect_failures_total", "Outgoing TCP connections to the peer that failed.", peerLabels,
		func(p *Peer) uint64 { return p.ConnectFailures }),
	counter("ze_peer_rejected_connections_total", "Incoming TCP connections from the peer that were refused.", peerLabels,
		func(p *Peer) uint64 { return p.Rejected }),
}

// processMetrics use the names docs/api.md lists.
var processMetrics = []valueMetric[Process]{
	gauge("ze_api_running", "1 while the API process runs.", procLabels,
		func(p *Process) float64 { return b2f(p.Running) }),
	gauge("ze_api_queue_depth", "Lines waiting for the standard input of the API process.", procLabels,
		func(p *Process) float64 { return float64(p.QueueDepth) }),
	gauge("ze_api_queue_capacity", "Event lines the queue of the API process holds at most.", procLabels,
		func(p *Process) float64 { return float64(p.QueueCap) }),
	gauge("ze_api_queue_max_depth", "Largest queue depth the running API process reached.", procLabels,
		func(p *Process) float64 { return float64(p.QueueMaxDepth) }),
	counter("ze_api_dropped_total", "Lines not queued for the API process: queue full, or the process not running.", procLabels,
		func(p *Process) uint64 { return p.Dropped }),
	counter("ze_api_kills_total", "Times the API process was killed because its queue was full.", procLabels,
		func(p *Process) uint64 { return p.Kills }),
	counter("ze_api_restarts_total", "Times the API process was started again after it exited.", procLabels,
		func(p *Process) uint64 { return p.Restarts }),
	counter("ze_api_commands_total", "Command lines read from the API process.", procLabels,
		func(p *Process) uint64 { return p.Commands }),
	counter("ze_api_command_errors_total", "Commands of the API process answered with error.", procLabels,
		func(p *Process) uint64 { return p.Errors }),
}

// Describe implements prometheus.Collector.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPeerState, descPeerInfo, descRoutesReceived, descRoutesAccepted, descRoutesAdvertised} {
		ch <- d
	}
	for _, m := range messageMetrics {
		ch <- m.recv
		ch <- m.sent
	}
	for _, m := range peerMetrics {
		ch <- m.desc
	}
	for _, m := range processMetrics {
		ch <- m.desc
	}
}

// Collect implements prometheus.Collector.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	seen := map[string]bool{}
	for _, p := range c.src.Peers() {
		c.collectPeer(ch, &p, unique(seen, peerLabel(&p)))
	}
	seen = map[string]bool{}
	for _, p := range c.src.Processes() {
		name := unique(seen, p.Name)
		for _, m := range processMetrics {
			emit(ch, m.desc, m.typ, m.value(&p), name)
		}
	}
}

func (c *collector) collectPeer(ch chan<- prometheus.Metric, p *Peer, label string) {
	admin := "UP"
	if p.AdminDown {
		admin = "DOWN"
	}
	emit(ch, descPeerState, prometheus.GaugeValue, 1, label, sessionState(p.State), admin)
	emit(ch, descPeerInfo, prometheus.GaugeValue, 1, label, p.Name, strconv.FormatUint(uint64(p.RemoteAS), 10))
	for _, m := range messageMetrics {
		emit(ch, m.recv, prometheus.CounterValue, float64(m.value(p.Received)), label)
		emit(ch, m.sent, prometheus.CounterValue, float64(m.value(p.Sent)), label)
	}
	for _, m := range peerMetrics {
		emit(ch, m.desc, m.typ, m.value(p), label)
	}
	fams := map[string]bool{}
	for _, f := range p.Families {
		name := FamilyName(f.Family)
		if fams[name] {
			continue
		}
		fams[name] = true
		emit(ch, descRoutesReceived, prometheus.GaugeValue, float64(f.Received), label, name)
		emit(ch, descRoutesAccepted, prometheus.GaugeValue, float64(f.Accepted), label, name)
		emit(ch, descRoutesAdvertised, prometheus.GaugeValue, float64(f.Advertised), label, name)
	}
}

// peerLabel is the "peer" label of p: its remote address (as GoBGP),
// else its name.
func peerLabel(p *Peer) string {
	if p.Address.IsValid() {
		return p.Address.Unmap().String()
	}
	return p.Name
}

// unique returns s made valid UTF-8 and, when seen already holds it,
// suffixed "#2", "#3"…; it records the result in seen.
func unique(seen map[string]bool, s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	out := s
	for i := 2; seen[out]; i++ {
		out = s + "#" + strconv.Itoa(i)
	}
	seen[out] = true
	return out
}

// emit sends one constant metric; a metric that cannot be built (it
// cannot happen with valid UTF-8 labels) is sent as an invalid metric,
// which the handler leaves out.
func emit(ch chan<- prometheus.Metric, d *prometheus.Desc, t prometheus.ValueType, v float64, labels ...string) {
	for i, l := range labels {
		labels[i] = strings.ToValidUTF8(l, "\uFFFD")
	}
	m, err := prometheus.NewConstMetric(d, t, v, labels...)
	if err != nil {
		m = prometheus.NewInvalidMetric(d, err)
	}
	ch <- m
}
