package config

import (
	"fmt"
	"strings"
)

// reference writes the key reference of docs/config.md from the schema
// tables, so that the documentation lists every key there is.
func reference() string {
	var b strings.Builder
	section := func(title string, blk *Block, skip []*Key, extra string) {
		fmt.Fprintf(&b, "### %s\n\n%s%s\n\n", title, blk.Doc, extra)
		b.WriteString("| key | value | default | |\n|---|---|---|---|\n")
		for _, k := range blk.Keys {
			if contains(skip, k) {
				continue
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", keyCell(k), valueCell(k), defaultCell(k), docCell(k))
		}
		b.WriteString("\n")
	}
	section("Top level", fileBlock, nil, "")
	section("environment", environmentBlock, nil, "")
	section("environment › log", logBlock, nil, "")
	section("environment › control", controlBlock, nil, "")
	section("environment › metrics", metricsBlock, nil, "")
	section("bgp", bgpBlock, peerKeys, " It also takes every [session setting](#session-settings).")
	section("bgp › group NAME", groupBlock, peerKeys, " It also takes every [session setting](#session-settings).")
	section("Session settings", peerBlock, nil, " These are the keys of `peer NAME { }`; `bgp` and `group` take them too, for their peers to inherit.")
	section("remote", remoteBlock, nil, "")
	section("capability", capabilityBlock, nil, "")
	section("family", familyBlock, nil, "")
	section("family › AFI SAFI", familyOptionsBlock, nil, "")
	section("static", staticBlock, nil, "")
	section("api", apiBlock, nil, "")
	section("api › receive, api › send", receiveBlock, nil, " Each key is a flag.")
	section("process NAME", processBlock, nil, "")
	section("plugin", pluginBlock, nil, "")
	section("mrt", mrtBlock, nil, "")
	return strings.TrimRight(b.String(), "\n") + "\n"
}

func contains(ks []*Key, k *Key) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func keyCell(k *Key) string {
	s := "`" + k.Name + "`"
	if k.Required {
		s += " (required)"
	}
	if k.Multi && k.Kind != KindBlock {
		s += " (repeatable)"
	}
	return s
}

func valueCell(k *Key) string {
	switch k.Kind {
	case KindBlock:
		if k.Named {
			return "`NAME { … }`"
		}
		return "`{ … }`"
	case KindFlag:
		return "flag: `" + k.Name + ";` or `" + k.Name + " false;`"
	case KindEnum:
		return "`" + strings.Join(k.Enum, "` `") + "`"
	case KindUint, KindSeconds, KindASN:
		return want(k)
	}
	return k.Kind.String()
}

func defaultCell(k *Key) string {
	if k.Default == "" {
		return ""
	}
	return "`" + k.Default + "`"
}

func docCell(k *Key) string {
	s := strings.ReplaceAll(k.Doc, "|", "\\|")
	if k.Replace {
		s += "; replaced whole by a closer level"
	}
	return s
}
