// Package config reads ze's configuration file into a checked, typed
// Config whose peers have their inheritance resolved.
//
// The file is hierarchical, JUNOS-like (package syntax reads it):
//
//	environment { log { level info; } }
//	bgp {
//	    local-as 65001;                  # every peer inherits this…
//	    group my-peers {
//	        hold-time 30;                # …these peers this…
//	        family { ipv4 unicast; ipv6 unicast; }
//	        peer peer-east {
//	            remote { ip 192.168.1.2; as 65002; }
//	            hold-time 90;            # …and the closest setting wins
//	        }
//	    }
//	}
//	process watcher { run ./watch.py; encoder json; }
//	plugin { internal bgp-rib; }
//
// The language is a table (schema.go): for each block, its keys, the
// kind of value each takes, whether it is required, its default and its
// documentation; docs/config.md is generated from it. Checking reports
// every problem with its line and column — unknown keys with a
// suggestion ("did you mean hold-time?"), values out of range, missing
// required keys, duplicate peers — and never ignores a key.
//
// Session settings may be written in bgp, in a group or in a peer. A
// peer's settings are bgp's, overlaid by its group's, overlaid by its
// own: a key given closer replaces the farther one; blocks (remote,
// capability) merge key by key, while family, static and api are
// replaced whole, like lists.
//
// Static routes use the syntax of speaker/route (`route 10.0.0.0/24
// next-hop 192.0.2.1 …;`, as `ze bgp encode` reads), so ExaBGP's static
// blocks read unchanged. An ExaBGP configuration reader can be built on
// the same syntax tree: its neighbor/template/inherit map onto
// peer/group.
package config
