package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ze-bgp/ze/internal/cli"
	"github.com/ze-bgp/ze/speaker/control"
)

const cliUsage = `usage: ze cli [--socket PATH] [--json] [COMMAND …]
       ze show …                 (ze cli show …)

Talks to a running ze daemon over its control socket (docs/cli.md).
With a COMMAND, runs it and exits: 0 when the daemon answered it, 1 on
an error (unknown command, unknown neighbour, failed reload, no daemon).
Without one, reads commands from stdin: with a prompt when stdin is a
terminal ("quit" or Ctrl-D ends), one per line otherwise.

Commands:
  show neighbor [summary]                 show neighbor NAME|IP
  show adj-rib-in NAME|IP [FILTER…]       show adj-rib-out NAME|IP [FILTER…]
  show rib [FILTER…]                      show status
  reload                                  help
Filters: FAMILY, PREFIX (exact), ADDRESS (longest match), longest,
exact, limit N.

Flags:
`

// cliMain runs `ze cli …` (args start after "cli"; for `ze show …`
// they start with "show").
func cliMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ze cli", flag.ContinueOnError)
	fs.SetOutput(stderr)
	socket := fs.String("socket", "", "the daemon's control socket (default "+control.DefaultSocket()+")")
	asJSON := fs.Bool("json", false, "answers in JSON")
	fs.Usage = func() {
		fmt.Fprint(stderr, cliUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(cli.Interleave(fs, args)); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	path := *socket
	if path == "" {
		path = control.DefaultSocket()
	}
	c := &cliConn{path: path, json: *asJSON, stdout: stdout, stderr: stderr}
	defer c.close()
	if fs.NArg() > 0 {
		return c.run(strings.Join(fs.Args(), " "))
	}
	if isTerminal(stdin) {
		return c.interactive(stdin)
	}
	code := 0
	sc := bufio.NewScanner(stdin)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if c.run(line) != 0 {
			code = 1
		}
	}
	return code
}

// isTerminal reports whether r is a character device (a terminal).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// cliConn is the connection of one `ze cli`, opened on first use and
// again after the daemon closed it.
type cliConn struct {
	path           string
	json           bool
	c              *control.Client
	stdout, stderr io.Writer
}

func (c *cliConn) close() {
	if c.c != nil {
		c.c.Close()
	}
}

// run sends one request and prints the answer: the body on stdout, or
// on an error the details on stderr with "ze: MESSAGE". It returns the
// exit status (0 or 1).
func (c *cliConn) run(line string) int {
	if c.json {
		line += " json"
	}
	if _, err := control.ParseRequest(line); err != nil {
		fmt.Fprintf(c.stderr, "ze: %s\n", strings.TrimPrefix(err.Error(), "control: "))
		return 1
	}
	body, err := c.do(line)
	var re *control.RemoteError
	switch {
	case err == nil:
		c.stdout.Write(body)
		return 0
	case errors.As(err, &re):
		c.stderr.Write(body)
		fmt.Fprintf(c.stderr, "ze: %s\n", re.Msg)
	default:
		fmt.Fprintf(c.stderr, "ze: %v\n", err)
	}
	return 1
}

// do sends line, connecting first when needed and once more when the
// daemon had closed an idle connection.
func (c *cliConn) do(line string) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		if c.c == nil {
			cl, err := control.Dial(c.path)
			if err != nil {
				return nil, err
			}
			c.c = cl
		}
		body, err := c.c.Do(line)
		var re *control.RemoteError
		if err == nil || errors.As(err, &re) || attempt > 0 || len(body) > 0 {
			return body, err
		}
		c.c.Close()
		c.c = nil
	}
}

// interactive reads commands at a "ze> " prompt until "quit", "exit"
// or the end of input.
func (c *cliConn) interactive(stdin io.Reader) int {
	sc := bufio.NewScanner(stdin)
	for {
		fmt.Fprint(c.stdout, "ze> ")
		if !sc.Scan() {
			fmt.Fprintln(c.stdout)
			return 0
		}
		line := strings.TrimSpace(sc.Text())
		switch line {
		case "":
			continue
		case "quit", "exit":
			return 0
		}
		c.run(line)
	}
}
