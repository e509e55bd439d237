package config

import "encoding/json"

// MarshalJSON writes the peer with its families as "ipv4/unicast" and its
// static routes in `ze bgp encode` syntax (what `ze config validate
// --dump` prints).
func (p Peer) MarshalJSON() ([]byte, error) {
	type plain Peer
	fams := make([]string, len(p.Families))
	for i, f := range p.Families {
		fams[i] = f.String()
	}
	routes := make([]string, len(p.Static))
	for i, r := range p.Static {
		routes[i] = r.String()
	}
	return json.Marshal(struct {
		plain
		Families []string `json:"family"`
		Static   []string `json:"static"`
	}{plain(p), fams, routes})
}
