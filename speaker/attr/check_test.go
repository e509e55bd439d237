package attr

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

var asn4Ctx = wire.Context{ASN4: true}

func TestCheck(t *testing.T) {
	extNH, _ := asn4Ctx.WithExtNextHop(wire.IPv4Unicast, true)
	const (
		wk  = 0x40 // well-known: transitive
		ont = 0x80 // optional non-transitive
		otr = 0xC0 // optional transitive
	)
	tests := []struct {
		name    string
		ctx     wire.Context
		flags   Flags
		code    Code
		v       []byte
		action  wire.Action // ActionNone: Check must return nil
		subcode uint8
		data    []byte // expected NOTIFICATION data; nil to skip
	}{
		// Unknown attributes (RFC 4271 §6.3).
		{"unknown-well-known", asn4Ctx, wk, 99, []byte{1, 2}, wire.ActionSessionReset, wire.SubUnrecognizedWellKnown,
			[]byte{0x40, 99, 2, 1, 2}},
		{"unknown-optional", asn4Ctx, otr, 99, []byte{1, 2}, wire.ActionNone, 0, nil},
		{"unknown-optional-non-transitive", asn4Ctx, ont | FlagPartial, 250, nil, wire.ActionNone, 0, nil},

		// Flags conflicting with the definition (RFC 7606 §3.c).
		{"origin-optional", asn4Ctx, otr, CodeOrigin, []byte{0}, wire.ActionTreatAsWithdraw, wire.SubAttributeFlagsError,
			[]byte{0xC0, 1, 1, 0}},
		{"origin-not-transitive", asn4Ctx, 0, CodeOrigin, []byte{0}, wire.ActionTreatAsWithdraw, wire.SubAttributeFlagsError, nil},
		{"origin-extended-length-ok", asn4Ctx, wk | FlagExtendedLength, CodeOrigin, []byte{0}, wire.ActionNone, 0, nil},
		{"med-transitive", asn4Ctx, otr, CodeMED, []byte{0, 0, 0, 1}, wire.ActionTreatAsWithdraw, wire.SubAttributeFlagsError,
			[]byte{0xC0, 4, 4, 0, 0, 0, 1}},
		{"communities-non-transitive", asn4Ctx, ont, CodeCommunities, []byte{0, 0, 0, 1}, wire.ActionTreatAsWithdraw, wire.SubAttributeFlagsError, nil},
		{"communities-partial-ok", asn4Ctx, otr | FlagPartial, CodeCommunities, []byte{0, 0, 0, 1}, wire.ActionNone, 0, nil},
		{"mp-reach-transitive", asn4Ctx, otr, CodeMPReach, []byte{0, 2, 1, 16, 0x20, 1, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0},
			wire.ActionTreatAsWithdraw, wire.SubAttributeFlagsError, nil},
		{"flags-error-extended-length-data", asn4Ctx, wk | FlagExtendedLength, CodeMED, []byte{0, 0, 0, 1},
			wire.ActionTreatAsWithdraw, wire.SubAttributeFlagsError, []byte{0x50, 4, 0, 4, 0, 0, 0, 1}},

		// ORIGIN (RFC 7606 §7.1).
		{"origin-ok", asn4Ctx, wk, CodeOrigin, []byte{2}, wire.ActionNone, 0, nil},
		{"origin-length", asn4Ctx, wk, CodeOrigin, []byte{0, 0}, wire.ActionTreatAsWithdraw, wire.SubAttributeLengthError,
			[]byte{0x40, 1, 2, 0, 0}},
		{"origin-value", asn4Ctx, wk, CodeOrigin, []byte{3}, wire.ActionTreatAsWithdraw, wire.SubInvalidOrigin,
			[]byte{0x40, 1, 1, 3}},

		// AS_PATH (RFC 7606 §7.2).
		{"as-path-empty-ok", asn4Ctx, wk, CodeASPath, nil, wire.ActionNone, 0, nil},
		{"as-path-asn4-ok", asn4Ctx, wk, CodeASPath, []byte{2, 1, 0, 0, 0xFD, 0xE8}, wire.ActionNone, 0, nil},
		{"as-path-asn2-ok", wire.Context{}, wk, CodeASPath, []byte{2, 2, 0xFD, 0xE8, 0, 1}, wire.ActionNone, 0, nil},
		{"as-path-asn4-on-asn2-session", wire.Context{}, wk, CodeASPath, []byte{2, 1, 0, 0, 0xFD, 0xE8},
			wire.ActionTreatAsWithdraw, wire.SubMalformedASPath, nil},
		{"as-path-overrun", asn4Ctx, wk, CodeASPath, []byte{2, 2, 0, 0, 0xFD, 0xE8}, wire.ActionTreatAsWithdraw, wire.SubMalformedASPath, nil},
		{"as-path-single-octet-left", asn4Ctx, wk, CodeASPath, []byte{2, 1, 0, 0, 0xFD, 0xE8, 2}, wire.ActionTreatAsWithdraw, wire.SubMalformedASPath, nil},
		{"as-path-bad-segment-type", asn4Ctx, wk, CodeASPath, []byte{9, 1, 0, 0, 0, 1}, wire.ActionTreatAsWithdraw, wire.SubMalformedASPath, nil},
		{"as-path-zero-count", asn4Ctx, wk, CodeASPath, []byte{2, 0}, wire.ActionTreatAsWithdraw, wire.SubMalformedASPath, nil},

		// NEXT_HOP (RFC 7606 §7.3, RFC 4271 §6.3).
		{"next-hop-ok", asn4Ctx, wk, CodeNextHop, []byte{192, 0, 2, 1}, wire.ActionNone, 0, nil},
		{"next-hop-length", asn4Ctx, wk, CodeNextHop, []byte{192, 0, 2, 1, 0}, wire.ActionTreatAsWithdraw, wire.SubAttributeLengthError, nil},
		{"next-hop-zero", asn4Ctx, wk, CodeNextHop, []byte{0, 0, 0, 0}, wire.ActionTreatAsWithdraw, wire.SubInvalidNextHop,
			[]byte{0x40, 3, 4, 0, 0, 0, 0}},
		{"next-hop-multicast", asn4Ctx, wk, CodeNextHop, []byte{224, 0, 0, 5}, wire.ActionTreatAsWithdraw, wire.SubInvalidNextHop, nil},
		{"next-hop-broadcast", asn4Ctx, wk, CodeNextHop, []byte{255, 255, 255, 255}, wire.ActionTreatAsWithdraw, wire.SubInvalidNextHop, nil},

		// MED, LOCAL_PREF (RFC 7606 §7.4, §7.5).
		{"med-ok", asn4Ctx, ont, CodeMED, []byte{0, 0, 0, 0}, wire.ActionNone, 0, nil},
		{"med-length", asn4Ctx, ont, CodeMED, []byte{0, 0, 0}, wire.ActionTreatAsWithdraw, wire.SubAttributeLengthError, nil},
		{"local-pref-length", asn4Ctx, wk, CodeLocalPref, []byte{0, 0, 0, 0, 0}, wire.ActionTreatAsWithdraw, wire.SubAttributeLengthError,
			[]byte{0x40, 5, 5, 0, 0, 0, 0, 0}},

		// ATOMIC_AGGREGATE, AGGREGATOR (RFC 7606 §7.6, §7.7).
		{"atomic-aggregate-ok", asn4Ctx, wk, CodeAtomicAggregate, nil, wire.ActionNone, 0, nil},
		{"atomic-aggregate-length", asn4Ctx, wk, CodeAtomicAggregate, []byte{0}, wire.ActionAttributeDiscard, wire.SubAttributeLengthError, nil},
		{"aggregator-asn4-ok", asn4Ctx, otr, CodeAggregator, []byte{0, 0, 0xFD, 0xE8, 10, 0, 0, 1}, wire.ActionNone, 0, nil},
		{"aggregator-asn2-ok", wire.Context{}, otr, CodeAggregator, []byte{0xFD, 0xE8, 10, 0, 0, 1}, wire.ActionNone, 0, nil},
		{"aggregator-6-on-asn4", asn4Ctx, otr, CodeAggregator, []byte{0xFD, 0xE8, 10, 0, 0, 1}, wire.ActionAttributeDiscard, wire.SubAttributeLengthError,
			[]byte{0xC0, 7, 6, 0xFD, 0xE8, 10, 0, 0, 1}},
		{"aggregator-8-on-asn2", wire.Context{}, otr, CodeAggregator, []byte{0, 0, 0xFD, 0xE8, 10, 0, 0, 1}, wire.ActionAttributeDiscard, wire.SubAttributeLengthError, nil},

		// COMMUNITIES, ORIGINATOR_ID, CLUSTER_LIST (RFC 7606 §7.8-7.10).
		{"communities-empty", asn4Ctx, otr, CodeCommunities, nil, wire.ActionTreatAsWithdraw, wire.SubAttributeLengthError, nil},
		{"communities-5", asn4Ctx, otr, CodeCommunities, []byte{0, 0, 0, 1, 0}, wire.ActionTreatAsWithdraw, wire.SubAttributeLengthError, nil},
		{"originator-id-3", asn4Ctx, ont, CodeOriginatorID, []byte{1, 1, 1}, wire.ActionTreatAsWithdraw, wire.SubAttributeLengthError, nil},
		{"cluster-list-empty", asn4Ctx, ont, CodeClusterList, nil, wire.ActionTreatAsWithdraw, wire.SubAttributeLengthError, nil},
		{"cluster-list-ok", asn4Ctx, ont, CodeClusterList, []byte{1, 1, 1, 1}, wire.ActionNone, 0, nil},

		// MP_REACH_NLRI, MP_UNREACH_NLRI (RFC 7606 §7.11, §7.12).
		{"mp-reach-ipv6-ok", asn4Ctx, ont, CodeMPReach, []byte{
			0x00, 0x02, 0x01, // AFI 2 (IPv6), SAFI 1 (unicast)
			0x10,                                                       // next hop length 16
			0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // 2001:db8::1
			0x00,                         // reserved
			0x20, 0x20, 0x01, 0x0D, 0xB8, // 2001:db8::/32
		}, wire.ActionNone, 0, nil},
		{"mp-reach-short", asn4Ctx, ont, CodeMPReach, []byte{0, 2, 1, 0}, wire.ActionSessionReset, wire.SubOptionalAttributeError, nil},
		{"mp-reach-nh-overrun", asn4Ctx, ont, CodeMPReach, []byte{0, 2, 1, 16, 0, 0}, wire.ActionSessionReset, wire.SubOptionalAttributeError, nil},
		{"mp-reach-ipv6-nh-4", asn4Ctx, ont, CodeMPReach, []byte{
			0x00, 0x02, 0x01, // IPv6 unicast
			0x04, 10, 0, 0, 1, // next hop length 4: invalid for IPv6
			0x00, // reserved
		}, wire.ActionSessionReset, wire.SubOptionalAttributeError, []byte{0x80, 14, 9, 0, 2, 1, 4, 10, 0, 0, 1, 0}},
		{"mp-reach-ipv4-nh-16-without-extnh", asn4Ctx, ont, CodeMPReach, append([]byte{0, 1, 1, 16}, make([]byte, 17)...),
			wire.ActionSessionReset, wire.SubOptionalAttributeError, nil},
		{"mp-reach-ipv4-nh-16-with-extnh", extNH, ont, CodeMPReach, append([]byte{0, 1, 1, 16}, make([]byte, 17)...), wire.ActionNone, 0, nil},
		{"mp-reach-vpnv4-nh-12", asn4Ctx, ont, CodeMPReach, append([]byte{0, 1, 128, 12}, make([]byte, 13)...), wire.ActionNone, 0, nil},
		{"mp-reach-vpnv4-nh-4", asn4Ctx, ont, CodeMPReach, append([]byte{0, 1, 128, 4}, make([]byte, 5)...), wire.ActionSessionReset, wire.SubOptionalAttributeError, nil},
		{"mp-reach-evpn-any-nh", asn4Ctx, ont, CodeMPReach, append([]byte{0, 25, 70, 4}, make([]byte, 5)...), wire.ActionNone, 0, nil},
		{"mp-reach-flow-nh-0", asn4Ctx, ont, CodeMPReach, []byte{0, 1, 133, 0, 0}, wire.ActionNone, 0, nil},
		{"mp-unreach-ok", asn4Ctx, ont, CodeMPUnreach, []byte{0, 2, 1}, wire.ActionNone, 0, nil},
		{"mp-unreach-short", asn4Ctx, ont, CodeMPUnreach, []byte{0, 2}, wire.ActionSessionReset, wire.SubOptionalAttributeError, nil},

		// EXTENDED_COMMUNITIES, IPv6 extended communities (RFC 7606 §7.14, §7.15).
		{"ext-communities-7", asn4Ctx, otr, CodeExtCommunities, make([]byte, 7), wire.ActionTreatAsWithdraw, wire.SubAttributeLengthError, nil},
		{"ext-communities-empty", asn4Ctx, otr, CodeExtCommunities, nil, wire.ActionTreatAsWithdraw, wire.SubAttributeLengthError, nil},
		{"ext-communities-non-transitive-flag", asn4Ctx, ont, CodeExtCommunities, make([]byte, 8), wire.ActionTreatAsWithdraw, wire.SubAttributeFlagsError, nil},
		{"ipv6-ext-communities-19", asn4Ctx, otr, CodeIPv6ExtCommunities, make([]byte, 19), wire.ActionTreatAsWithdraw, wire.SubAttributeLengthError, nil},

		// AS4_PATH, AS4_AGGREGATOR (RFC 6793 §6, RFC 7606 §7.2, §7.7).
		{"as4-path-ok", wire.Context{}, otr, CodeAS4Path, []byte{2, 1, 0xFA, 0x56, 0xEA, 0}, wire.ActionNone, 0, nil},
		{"as4-path-malformed", wire.Context{}, otr, CodeAS4Path, []byte{2, 2, 0xFA, 0x56, 0xEA, 0}, wire.ActionAttributeDiscard, wire.SubMalformedASPath, nil},
		{"as4-aggregator-6", wire.Context{}, otr, CodeAS4Aggregator, make([]byte, 6), wire.ActionAttributeDiscard, wire.SubAttributeLengthError, nil},

		// PMSI_TUNNEL, AIGP, LARGE_COMMUNITY, OTC, PREFIX_SID, BGP-LS.
		{"pmsi-short", asn4Ctx, otr, CodePMSITunnel, make([]byte, 4), wire.ActionTreatAsWithdraw, wire.SubAttributeLengthError, nil},
		{"aigp-bad", asn4Ctx, ont, CodeAIGP, []byte{1, 0, 10, 0, 0, 0, 0, 0, 0, 0}, wire.ActionAttributeDiscard, wire.SubOptionalAttributeError,
			[]byte{0x80, 26, 10, 1, 0, 10, 0, 0, 0, 0, 0, 0, 0}},
		{"large-11", asn4Ctx, otr, CodeLargeCommunities, make([]byte, 11), wire.ActionTreatAsWithdraw, wire.SubAttributeLengthError, nil},
		{"large-empty", asn4Ctx, otr, CodeLargeCommunities, nil, wire.ActionTreatAsWithdraw, wire.SubAttributeLengthError, nil},
		{"otc-3", asn4Ctx, otr, CodeOTC, make([]byte, 3), wire.ActionTreatAsWithdraw, wire.SubAttributeLengthError, nil},
		{"otc-non-transitive", asn4Ctx, ont, CodeOTC, make([]byte, 4), wire.ActionTreatAsWithdraw, wire.SubAttributeFlagsError, nil},
		{"prefix-sid-ok", asn4Ctx, otr, CodePrefixSID, srv6L3, wire.ActionNone, 0, nil},
		{"prefix-sid-bad", asn4Ctx, otr, CodePrefixSID, []byte{1, 0, 6, 0, 0, 0, 0, 0, 0}, wire.ActionAttributeDiscard, wire.SubOptionalAttributeError, nil},
		{"bgp-ls-any", asn4Ctx, ont, CodeBGPLS, []byte{1, 2, 3}, wire.ActionNone, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.code, tt.flags, tt.v, tt.ctx)
			if tt.action == wire.ActionNone {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			var we *wire.Error
			if !errors.As(err, &we) {
				t.Fatalf("got %v, want *wire.Error", err)
			}
			if we.Code != wire.CodeUpdate || we.Subcode != tt.subcode || we.Action != tt.action {
				t.Errorf("got %d/%d %v (%v), want 3/%d %v", we.Code, we.Subcode, we.Action, we, tt.subcode, tt.action)
			}
			if tt.data != nil && !bytes.Equal(we.Data, tt.data) {
				t.Errorf("data % X, want % X", we.Data, tt.data)
			}
			if we.Subcode == wire.SubMalformedASPath && we.Data != nil {
				t.Errorf("malformed AS_PATH carries no data, got % X", we.Data)
			}
		})
	}
}

// TestCheckDoesNotAliasInput: the Data of an error is a copy, so the
// message buffer can be reused.
func TestCheckDoesNotAliasInput(t *testing.T) {
	v := []byte{7}
	err := Check(CodeOrigin, 0x40, v, asn4Ctx).(*wire.Error)
	v[0] = 0
	if err.Data[3] != 7 {
		t.Error("data aliases the input")
	}
}

func TestKnown(t *testing.T) {
	if !Known(CodeOrigin) || !Known(CodePrefixSID) || Known(99) {
		t.Error("Known")
	}
}
