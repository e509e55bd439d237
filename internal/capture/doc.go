// Package capture turns the inputs of `ze bgp decode` into a stream of
// whole BGP messages with their metadata: hexadecimal text (one or more
// messages per line) and packet captures (pcap or pcapng, optionally
// gzip-compressed).
//
// # Output
//
// Both readers call a function with one Message per whole BGP message, in
// input order: for captures, the order in which the last byte of each
// message was captured. Message.Data is a view that stays valid only until
// the function returns; copy it to keep it.
//
// Problems that do not stop the other streams (bytes that are not BGP, a
// capture that starts inside a connection, bytes missing from the capture,
// a connection that ends inside a message) are reported in order as a
// Message whose Err is set and whose Data holds (the start of) the bytes
// that were skipped. Err wraps one of ErrNotBGP, ErrMidStream, ErrGap or
// ErrTruncated; test with errors.Is. Such a Message has Index -1. A
// report comes when its bytes are known to be unusable: when the next
// valid header is found, when the connection ends (FIN or RST), or at the
// end of the input, where the remaining reports come connection by
// connection in Stream order.
//
// # Framing
//
// A message is framed by its marker and length field only (RFC 4271 §4.1):
// 16 octets of 0xFF, then a length from 19 to 65535 (RFC 8654 §4 allows
// lengths above 4096 once Extended Message is negotiated, and the reader
// cannot know what was negotiated). A message whose type is unknown, or
// whose length is wrong for its type, is still delivered whole; decoding
// it with wire.Header reports the error. A marker that is not all ones, or
// a length below 19, loses the stream's framing: the bytes are reported
// with ErrNotBGP and the reader looks for the next position where
// wire.Header accepts a header (known type, legal length), and resumes
// there.
//
// # Captures
//
// ReadPcap reads pcap (micro- or nanosecond) and pcapng (any number of
// sections and interfaces, mixed link types) through gopacket's pcapgo
// package, without cgo. Supported link types: Ethernet (with 802.1Q/802.1ad
// tags), Linux cooked capture v1 and v2, BSD loopback (NULL/LOOP) and raw
// IPv4/IPv6. IPv4 fragments and IPv6 fragments are skipped (BGP speakers
// use path MTU discovery; TCP never needs them).
//
// TCP is reassembled per direction (RFC 9293 §3.4 sequence numbers):
// bytes already delivered (retransmissions, duplicates, overlaps) are
// dropped, segments ahead of the expected sequence number are buffered
// (up to MaxBuffered bytes and 1024 segments per direction), and a SYN
// sets the initial sequence number; a SYN with another initial sequence
// number on a known 4-tuple starts a new connection (new Stream). Bytes that were never captured form a hole; the hole is
// declared lost (ErrGap) when the out-of-order buffer would exceed
// MaxBuffered, when the peer acknowledged the missing bytes more than
// AckGapDelay of capture time earlier, or at the end of the connection or
// capture. Frames truncated by the snapshot length are holes too.
// Messages held behind a hole come out when it is filled or declared lost. After a
// hole, or when the capture starts inside a connection (no SYN seen),
// the stream is resynchronised on the next valid header.
//
// Memory per direction is bounded by MaxBuffered plus one message; the
// reader never waits for input that cannot come, and never panics.
//
// # Hex text
//
// ParseHexLine accepts the hex forms people paste: upper or lower case,
// bytes or groups separated by white space, ':', '-' or ',', each group
// with an optional 0x prefix. A line that holds a single message without
// its 16-octet marker gets it back (see ParseHexLine for the exact rule).
// ReadHex reads one line at a time, skipping blank lines and lines
// starting with '#'.
package capture
