//go:build interop

package gobgp

import (
	"testing"

	"github.com/ze-bgp/ze/interop/harness"
)

// TestScenariosWithGoBGP runs the interop scenarios of
// harness.RunScenarios between ze and gobgpd, each in its own network
// namespace joined by a veth pair.
func TestScenariosWithGoBGP(t *testing.T) {
	tp := harness.NewTopology(t, "gobgp")
	ze, zeTest := harness.Binaries(t)
	harness.RunScenarios(t, tp, func(t *testing.T) harness.Daemon {
		d := harness.StartGoBGP(t, tp.Daemon, harness.KeepDir(t), harness.GoBGPScenarioConf())
		for _, r := range harness.GoBGPScenarioRoutes() {
			d.RibAdd(t, r...)
		}
		return d
	}, ze, zeTest)
}

func TestMain(m *testing.M) { harness.Main(m) }
