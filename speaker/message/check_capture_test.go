package message_test

import (
	"errors"
	"testing"

	"github.com/ze-bgp/ze/internal/corpus"
	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// checkCaptures holds the real captures TestCheckCaptures (and FuzzCheck)
// read (testdata/check/README.md).
const checkCaptures = "testdata/check"

// malformedCapture is the capture whose malformed UPDATEs
// TestCheckCaptures expects Check to reject.
const malformedCapture = "exabgp-frr-notification-update-malformed-attribute-list"

// TestCheckCaptures runs Check on every UPDATE of the real captures in
// testdata/check, each decoded with the context its session's two OPENs
// negotiated (ASN4, ADD-PATH per family and direction, extended next
// hop, extended message). All must be clean except, in
// exabgp-frr-notification-update-malformed-attribute-list, the 5
// truncated MP_REACH_NLRI ExaBGP was told to send and the 5 UPDATEs with
// a malformed AS_PATH that follow them. (An external test: internal/corpus
// imports this package.)
func TestCheckCaptures(t *testing.T) {
	names, err := corpus.Names(checkCaptures)
	if err != nil || len(names) == 0 {
		t.Fatalf("no captures: %v", err)
	}
	total := 0
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			bad := 0
			for _, m := range corpus.MustLoad(t, checkCaptures, name) {
				line := m.Index + 1
				switch m.Type {
				case wire.TypeOpen:
					o, err := message.ParseOpen(m.Data)
					if err != nil {
						t.Fatalf("line %d: OPEN: %v", line, err)
					}
					if _, err := o.CapabilitySet(); err != nil {
						t.Fatalf("line %d: OPEN capabilities: %v", line, err)
					}
					continue
				case wire.TypeUpdate:
				default:
					continue
				}
				if !m.Negotiated {
					t.Fatalf("line %d: update before both OPENs", line)
				}
				if _, _, err := wire.Header(m.Data, m.Ctx.MaxLen()); err != nil {
					t.Fatalf("line %d: header: %v", line, err)
				}
				u, err := message.ParseUpdate(m.Data)
				if err != nil {
					t.Fatalf("line %d: %v", line, err)
				}
				total++
				err = message.Check(u, m.Ctx)
				if name == malformedCapture {
					var we *wire.Error
					if v, ok := attr.Find(u.Attrs, attr.CodeMPReach); ok && len(v) == 4 {
						if !errors.As(err, &we) || we.Action != wire.ActionSessionReset {
							t.Errorf("line %d: truncated MP_REACH_NLRI: got %v", line, err)
						}
						bad++
						continue
					}
					// The UPDATE ExaBGP sends next (10.96.0.0/24) has the
					// AS_PATH value 02 05: an AS_SEQUENCE of 5 ASNs with no
					// ASN octets. FRR had already closed the session; it is
					// a Malformed AS_PATH (RFC 7606 §7.2: treat-as-withdraw).
					if v, ok := attr.Find(u.Attrs, attr.CodeASPath); ok && string(v) == "\x02\x05" {
						if !errors.As(err, &we) || we.Action != wire.ActionTreatAsWithdraw || we.Subcode != wire.SubMalformedASPath {
							t.Errorf("line %d: 2-octet AS_PATH 02 05: got %v", line, err)
						}
						bad++
						continue
					}
				}
				if err != nil {
					t.Errorf("line %d (%s > %s): %v", line, m.Src, m.Dst, err)
				}
			}
			if name == malformedCapture && bad != 10 {
				t.Errorf("found %d malformed UPDATEs, want 10", bad)
			}
		})
	}
	t.Logf("checked %d updates", total)
}
