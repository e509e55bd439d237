package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/ze-bgp/ze/internal/cli"
	"github.com/ze-bgp/ze/speaker/config"
)

const configUsage = `usage: ze config validate [--dump] FILE

Checks a configuration file (docs/config.md). Exit status 0 when it is
valid; otherwise 1, with one 'FILE:LINE:COL: message' line per problem on
stderr. FILE '-' reads stdin.

Flags:
`

// configMain runs `ze config SUBCOMMAND …` (args start after "config").
func configMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, "usage: ze config validate [--dump] FILE\n")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	switch args[0] {
	case "validate":
		return configValidate(args[1:], stdin, stdout, stderr)
	}
	fmt.Fprintf(stderr, "ze: unknown command 'config %s' (want validate)\n", args[0])
	return 2
}

func configValidate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ze config validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dump := fs.Bool("dump", false, "print the resolved configuration (every peer with what it inherits) as JSON")
	fs.Usage = func() {
		fmt.Fprint(stderr, configUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(cli.Interleave(fs, args)); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	path := fs.Arg(0)
	var (
		cfg *config.Config
		err error
	)
	if path == "-" {
		src, rerr := io.ReadAll(stdin)
		if rerr != nil {
			fmt.Fprintf(stderr, "ze: reading stdin: %v\n", rerr)
			return 1
		}
		cfg, err = config.Parse("stdin", src)
	} else {
		cfg, err = config.Load(path)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if *dump {
		b, err := json.MarshalIndent(cfg, "", "  ")
		if err != nil {
			fmt.Fprintf(stderr, "ze: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s\n", b)
	}
	return 0
}
