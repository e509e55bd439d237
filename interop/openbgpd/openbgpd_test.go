//go:build interop

package openbgpd

import (
	"testing"

	"github.com/ze-bgp/ze/interop/harness"
)

// TestScenariosWithOpenBGPD runs the interop scenarios of
// harness.RunScenarios between ze and OpenBGPD's bgpd, each in its own
// network namespace joined by a veth pair.
func TestScenariosWithOpenBGPD(t *testing.T) {
	tp := harness.NewTopology(t, "openbgpd")
	ze, zeTest := harness.Binaries(t)
	harness.RunScenarios(t, tp, func(t *testing.T) harness.Daemon {
		d := harness.StartOpenBGPD(t, tp.Daemon, harness.KeepDir(t), harness.OpenBGPDScenarioConf())
		for _, r := range harness.OpenBGPDScenarioRoutes() {
			d.NetworkAdd(t, r...)
		}
		return d
	}, ze, zeTest)
}

func TestMain(m *testing.M) { harness.Main(m) }
