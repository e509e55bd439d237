package config_test

import (
	"encoding/json"
	"fmt"

	"github.com/ze-bgp/ze/speaker/config"
)

func ExampleParse() {
	cfg, err := config.Parse("ze.conf", []byte(`
bgp {
  local-as 65001;
  group my-peers {
    family { ipv4 unicast; ipv6 unicast; }
    peer peer-east {
      remote { ip 192.168.1.2; as 65002; }
      holdtime 90;
    }
  }
}`))
	fmt.Println(err)
	cfg, _ = config.Parse("ze.conf", []byte(`bgp { peer a { local-as 65001; remote { ip 192.0.2.1; as 65002; } } }`))
	b, _ := json.Marshal(cfg.Peers[0].Remote)
	fmt.Println(string(b), cfg.Peers[0].HoldTime, cfg.Peers[0].Families)
	// Output:
	// ze.conf:8:7: unknown key "holdtime" (did you mean hold-time?)
	// {"ip":"192.0.2.1","as":65002,"port":179} 90 [ipv4/unicast]
}
