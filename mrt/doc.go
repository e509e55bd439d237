// Package mrt reads and writes MRT routing information export files
// (RFC 6396, RFC 8050 ADD-PATH extensions): the format RIPE RIS and
// RouteViews publish BGP history in, and the format the speaker records
// its updates and table snapshots in.
//
// Records are read as views over wire bytes, like the speaker's UPDATEs:
// a Record is the 12-byte common header (16 with the _ET microseconds)
// plus its body slice; typed accessors decode the body lazily. The BGP
// messages inside BGP4MP records and the path attributes inside
// TABLE_DUMP_V2 RIB entries are handed to the speaker's wire codec
// (speaker/message, speaker/attr) unchanged.
package mrt
