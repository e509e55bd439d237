package attr

import "testing"

func TestParseCommunity(t *testing.T) {
	tests := []struct {
		in   string
		want Community
	}{
		{"65000:1", 0xFDE80001},
		{"0:0", 0},
		{"65535:65535", 0xFFFFFFFF},
		{"no-export", CommunityNoExport},
		{"NO_EXPORT", CommunityNoExport},
		{"no-advertise", CommunityNoAdvertise},
		{"no-export-subconfed", CommunityNoExportSubconfed},
		{"no-peer", CommunityNoPeer},
		{"blackhole", CommunityBlackhole},
		{"graceful-shutdown", CommunityGracefulShutdown},
		{"llgr-stale", CommunityLLGRStale},
		{"4294967041", CommunityNoExport},
	}
	for _, tt := range tests {
		got, err := ParseCommunity(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseCommunity(%q) = %v, %v", tt.in, got, err)
		}
		if back, err := ParseCommunity(got.String()); err != nil || back != got {
			t.Errorf("round trip of %q: %v %v", got, back, err)
		}
	}
	for _, bad := range []string{"", "65536:1", "1:65536", "a:b", "1:2:3", "no-such", "-1:0"} {
		if _, err := ParseCommunity(bad); err == nil {
			t.Errorf("ParseCommunity(%q) accepted", bad)
		}
	}
}

func TestParseLargeCommunity(t *testing.T) {
	got, err := ParseLargeCommunity("4200000000:1:4294967295")
	if err != nil || got != (LargeCommunity{4200000000, 1, 4294967295}) {
		t.Errorf("got %v %v", got, err)
	}
	if back, _ := ParseLargeCommunity(got.String()); back != got {
		t.Errorf("round trip %v", back)
	}
	for _, bad := range []string{"", "1:2", "1:2:3:4", "1:2:4294967296", "a:b:c"} {
		if _, err := ParseLargeCommunity(bad); err == nil {
			t.Errorf("ParseLargeCommunity(%q) accepted", bad)
		}
	}
}
