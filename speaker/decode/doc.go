// Package decode is the library behind `ze bgp decode`: it reads BGP
// messages from hex text or pcap/pcapng captures (internal/capture),
// keeps the encoding context of every TCP stream by watching its two
// OPENs (RFC 5492 capability negotiation as a passive observer: 4-octet
// ASN per RFC 6793, ADD-PATH per RFC 7911 §4, Extended Message per
// RFC 8654), and writes each message in one of three formats: ze's JSON
// (speaker/zejson), ExaBGP's JSON (speaker/exabgp) or one text line per
// route (speaker/textfmt).
package decode
