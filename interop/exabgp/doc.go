// Package exabgp holds the differential tests of ze's ExaBGP JSON
// (speaker/exabgp) against the real ExaBGP 4.x. Its tests are built only
// with the `interop` tag (`make interop`, or
// `go test -tags interop -v ./interop/exabgp/`) and skip when the
// `exabgp` command is not installed. Both read every message of the
// shared captures (internal/corpus.PcapDir: ../shared/data/pcap beside
// the module root, or $ZE_SHARED_DATA/pcap; only the first 200 messages
// of the 200k-prefix one), print the ExaBGP version
// they ran against and per-capture counts, and fail on any difference
// that is not explained.
//
// TestDecodeAgainstExaBGP decodes every UPDATE twice: with
// speaker/exabgp.AppendMessage, in the encoding context the stream's two
// OPENs negotiated for the message's direction (RFC 5492 capabilities:
// 4-octet ASN per RFC 6793, ADD-PATH per RFC 7911, extended next hop per
// RFC 8950), and with `exabgp --decode HEX … CONF`, CONF being a
// neighbor whose capabilities give ExaBGP the same context (--decode
// builds both OPENs of a pretend session from it). The JSON objects must
// match byte for byte once the values ExaBGP takes from its process and
// clock (time, host, pid, ppid, counter) are blanked. UPDATEs of families
// whose NLRI ze does not parse yet are not compared.
//
// `exabgp --decode` decodes UPDATEs only (an OPEN, KEEPALIVE or
// ROUTE-REFRESH prints nothing and a NOTIFICATION prints a text line), so
// TestSessionAgainstExaBGP replays the OPEN, KEEPALIVE, ROUTE-REFRESH and
// NOTIFICATION messages of each direction of each captured session to
// one live ExaBGP: one passive neighbor per direction, configured like
// the captured receiver, whose process API prints every received
// message; ze renders the same bytes with direction "receive" and the
// neighbor's addresses and ASNs.
//
// Differences that are ExaBGP's own defects are listed, with their
// reasons, in exabgpDefects (or rewritten by exabgpFixups when the rest
// of the object can still be compared); differences that are bugs of
// ze's renderer are listed in knownZeBugs until they are fixed. A listed
// message that agrees fails the test, so that lists stay current.
//
// ZE_INTEROP_KEEP=DIR keeps the ExaBGP configurations, log and API
// output under DIR.
package exabgp
