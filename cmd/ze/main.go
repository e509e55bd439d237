// Command ze is the ze BGP toolkit: the speaker daemon (`ze CONFIG`) and
// its tools. This file only parses the command line and calls
// the libraries.
//
//	ze [--listen ADDR:PORT] CONFIG  run the BGP speaker
//	ze bgp decode [flags] [HEX …]   decode captured hex or a pcap file
//	ze bgp encode [flags] ROUTE …   encode routes into UPDATE hex
//	ze config validate FILE         check a configuration file
//	ze mrt dump [flags] FILE …      print MRT files (bgpdump -m, JSON, hex)
//	ze mrt stats [flags] FILE …     analyse MRT files (tables, JSON, SVG)
//	ze cli [COMMAND …]              talk to the running daemon
//	ze show …                       ze cli show …
//	ze version
package main

import (
	"fmt"
	"io"
	"os"
)

// version is set by the Makefile (-ldflags "-X main.version=…").
var version = "dev"

const usage = `usage: ze COMMAND [ARGS]

Commands:
  ze [--listen ADDR:PORT] CONFIG   run the BGP speaker with this configuration (docs/config.md)
  ze bgp decode [flags] [HEX …]    decode BGP messages (hex args, stdin, or --pcap FILE)
  ze bgp encode [flags] ROUTE …    encode routes into full UPDATE messages (hex)
  ze config validate [--dump] FILE check a configuration file (docs/config.md)
  ze mrt dump [flags] FILE …       print MRT files as bgpdump -m/-M lines, JSON or hex (docs/mrt.md)
  ze mrt stats [flags] FILE …      analyse MRT files: peers, prefixes, paths, origins, rates (--json, --svg)
  ze cli [--socket PATH] [--json] [COMMAND …]
                                   ask the running daemon (docs/cli.md); a prompt without COMMAND
  ze show …                        the same as ze cli show …
  ze version                       print the version
  ze help                          this text

Run 'ze bgp decode -h' or 'ze bgp encode -h' for their flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "version", "--version":
		fmt.Fprintf(stdout, "ze %s\n", version)
		return 0
	case "config":
		return configMain(args[1:], stdin, stdout, stderr)
	case "mrt":
		return mrtMain(args[1:], stdin, stdout, stderr)
	case "cli":
		return cliMain(args[1:], stdin, stdout, stderr)
	case "show":
		return cliMain(args, stdin, stdout, stderr)
	case "bgp":
		if len(args) < 2 {
			fmt.Fprint(stderr, usage)
			return 2
		}
		switch args[1] {
		case "decode":
			return bgpDecode(args[2:], stdin, stdout, stderr)
		case "encode":
			return bgpEncode(args[2:], stdin, stdout, stderr)
		}
		fmt.Fprintf(stderr, "ze: unknown command 'bgp %s' (want decode or encode)\n", args[1])
		return 2
	}
	if isDaemon(args) {
		return daemonMain(args, stdin, stdout, stderr)
	}
	fmt.Fprintf(stderr, "ze: unknown command %q\n\n%s", args[0], usage)
	return 2
}
