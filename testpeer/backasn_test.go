package testpeer

import (
	"slices"
	"testing"
)

// TestInjectExpectBackASN: with ExpectBackASN the expect-back session
// opens with its own AS (a neighbour behind the device under test), and
// the routes still come back through a reflector.
func TestInjectExpectBackASN(t *testing.T) {
	refl := Start(t, testConfig(ModeReflect))
	ic := testConfig(ModeInject)
	ic.Dial, ic.ASN = refl.Addr().String(), 65001
	ic.Inject.Count, ic.Inject.PerUpdate = 100, 10
	ic.Inject.ExpectBack = refl.Addr().String()
	ic.Inject.ExpectBackASN = 65002
	inj := Start(t, ic)
	if err := inj.Wait(); err != nil {
		t.Fatalf("inject: %v\n%s", err, inj.Stderr())
	}
	if rep := inj.InjectReport(); rep.Back == nil || rep.Back.Received != 100 {
		t.Fatalf("report %+v", rep)
	}
	if err := refl.Stop(); err != nil {
		t.Fatalf("reflect: %v\n%s", err, refl.Stderr())
	}
	var asns []uint32
	for _, s := range refl.snapshot() {
		s.mu.Lock()
		asns = append(asns, s.remoteASN)
		s.mu.Unlock()
	}
	slices.Sort(asns)
	if !slices.Equal(asns, []uint32{65001, 65002}) {
		t.Errorf("the reflector saw ASes %v, want [65001 65002]", asns)
	}
}
