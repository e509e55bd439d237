package config

import "encoding/json"

// MarshalJSON writes the peer with its families as "ipv4/unicast", its
// static routes in `ze bgp encode` syntax and its families' own
// maximum-prefix settings as "family-maximum-prefix": {"ipv4/unicast":
// {"limit": N, "action": A}} (what `ze config validate --dump` prints).
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
	var limits map[string]PrefixLimit
	for f, l := range p.FamilyMaximumPrefix {
		if limits == nil {
			limits = map[string]PrefixLimit{}
		}
		limits[f.String()] = l
	}
	return json.Marshal(struct {
		plain
		Families []string               `json:"family"`
		Static   []string               `json:"static"`
		Limits   map[string]PrefixLimit `json:"family-maximum-prefix,omitempty"`
	}{plain(p), fams, routes, limits})
}
