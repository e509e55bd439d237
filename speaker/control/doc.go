// Package control is the daemon's local control socket, the one `ze
// cli` talks to (BIRD's birdc and FRR's vtysh play that part for their
// daemons): a server answering operator requests over a unix socket, the
// request parser, the text and JSON renderings of the answers, and a
// client.
//
// Protocol. A client sends one request per line (at most MaxLine
// octets, words separated by blanks) and reads the answer: zero or more
// body lines, then one status line. A body line that starts with "."
// is sent with one more "." in front (dot-stuffing, as SMTP does), so
// that a status line is the only line starting with a single ".":
//
//	show neighbor summary\n          request
//	Neighbor   AS  …\n               body
//	127.0.0.2  65001  …\n
//	.ok\n                            status: success
//
//	show rib 300.0.0.0/8\n
//	.error bad prefix "300.0.0.0/8"\n  status: failure, one line
//
// Details of a failure (the FILE:LINE:COL problems of a configuration
// that does not reload) come as body lines before the status. A
// request whose first or last word is "json" is answered in JSON (one
// document) instead of text. The connection stays open for further
// requests; the server closes it after IdleTimeout without a request.
//
// Requests (ParseRequest; docs/cli.md has the full reference):
//
//	help
//	reload
//	show neighbor [summary]
//	show neighbor NAME|IP
//	show adj-rib-in NAME|IP [FAMILY] [PREFIX|ADDRESS] [longest|exact] [limit N]
//	show adj-rib-out NAME|IP [FAMILY] [PREFIX|ADDRESS] [longest|exact] [limit N]
//	show rib [FAMILY] [PREFIX|ADDRESS] [longest|exact] [limit N]
//	show status
//
// Bounded work: the server serves at most MaxClients connections at
// once, each request is answered from copies the Backend takes (the
// router copies under its lock and releases it before anything is
// rendered or written), route answers hold at most the request's limit
// (router.DefaultLimit unless asked, at most MaxLimit), and a client
// that does not read its answer within WriteTimeout is dropped.
//
// The socket file is created with mode 0600 (Listen); its default path
// is DefaultSocket.
package control
