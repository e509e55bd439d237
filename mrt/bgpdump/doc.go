// Package bgpdump prints MRT records (RFC 6396) as the one-line text of
// bgpdump -m and -M, the format RIPE NCC's bgpdump made the common
// currency of route collector data, byte for byte:
//
//	TABLE_DUMP|1027381055|B|193.203.0.1|1853|3.0.0.0/8|1853 1239 80|IGP|193.203.0.1|0|0||NAG||
//	TABLE_DUMP2|TIME|B|PEER|PEER_AS|PREFIX|AS_PATH|ORIGIN|NEXT_HOP|LOCAL_PREF|MED|COMMUNITIES|AG/NAG|AGGREGATOR|
//	TABLE_DUMP2_AP|TIME|B|PEER|PEER_AS|PREFIX|PATH_ID|AS_PATH|…
//	BGP4MP|TIME|A|PEER|PEER_AS|PREFIX|AS_PATH|ORIGIN|NEXT_HOP|LOCAL_PREF|MED|COMMUNITIES|AG/NAG|AGGREGATOR|
//	BGP4MP|TIME|W|PEER|PEER_AS|PREFIX
//	BGP4MP|TIME|STATE|PEER|PEER_AS|OLD_STATE|NEW_STATE
//	BGP4MP_ET|TIME.MICROSECONDS|…
//	BGP|TIME|…  (the deprecated BGP type of the oldest RIS files)
//
// It reproduces bgpdump's reading as well as its printing, quirks
// included, because scripts depend on them: AS_SET as {a,b}, confederation
// segments as (a b) and [a,b]; AS4_PATH merged into the AS_PATH of
// 2-octet sessions the way bgpdump does it; 255.255.255.255 for a missing
// NEXT_HOP; IPv6 addresses written by bgpdump's own formatter (::a.b.c.d
// and single-group "::"); LOCAL_PREF and MED of IPv4 MP_REACH_NLRI routes
// as signed numbers; short fields read as zeros. The one deliberate
// difference from bgpdump 1.6.2 is upstream's: host bits beyond a
// prefix's length in UPDATEs are cleared (test_data/
// updates.nlri_mask_trailing_bits). docs/mrt.md lists the fields.
//
// Options add bgpdump's -t change (RIB lines at the route's originated
// time), -p (the packet index as second column), -l (a large
// communities column) and -u (a column of the attributes bgpdump does
// not decode), as bgpdump 1.6.2 prints them; docs/mrt.md lists what
// each counts and shows, and the two cases where bgpdump prints
// uninitialised memory instead.
//
// The records are read here with bgpdump's own rules (a field cut short
// reads as zeros; duplicates replace; a first AS_PATH segment copied to
// fill an AS4_PATH merge), not with package mrt's strict views or
// speaker/attr, because that reading is part of the format: the one-line
// output of a malformed record is what bgpdump prints for it. What a
// strict reader would refuse is returned as an error (damage) all the
// same.
package bgpdump
