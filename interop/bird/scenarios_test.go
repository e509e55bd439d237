//go:build interop

package bird

import (
	"testing"

	"github.com/ze-bgp/ze/interop/harness"
)

// TestScenariosWithBIRD runs the interop scenarios of
// harness.RunScenarios between ze and BIRD 2, each in its own network
// namespace (zeio-bird-z-PID, zeio-bird-d-PID) joined by a veth pair:
// eBGP over IPv4 and IPv6, 4-octet ASNs, communities, iBGP with
// LOCAL_PREF, ADD-PATH, withdrawals, route refresh both ways and the
// shutdown communication.
func TestScenariosWithBIRD(t *testing.T) {
	tp := harness.NewTopology(t, "bird")
	ze, zeTest := harness.Binaries(t)
	harness.RunScenarios(t, tp, func(t *testing.T) harness.Daemon {
		return harness.StartBIRD(t, tp.Daemon, harness.KeepDir(t), harness.BIRDScenarioConf(), harness.BIRDScenarioProtocols())
	}, ze, zeTest)
}
