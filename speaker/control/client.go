package control

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// RemoteError is a request the server answered with ".error MESSAGE".
type RemoteError struct {
	Msg string
}

func (e *RemoteError) Error() string { return e.Msg }

// Client is one connection to a control socket. It is not safe for
// concurrent use.
type Client struct {
	conn net.Conn
	r    *bufio.Reader
	// Timeout bounds each request, answer included (default 2 minutes:
	// a reload waits for nothing, but a large table takes a while).
	Timeout time.Duration
}

// Dial connects to the control socket at path.
func Dial(path string) (*Client, error) {
	c, err := net.DialTimeout("unix", path, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w (is ze running? --socket names another)", path, err)
	}
	return &Client{conn: c, r: bufio.NewReader(c), Timeout: 2 * time.Minute}, nil
}

// Do sends one request and returns the answer's body (un-stuffed). An
// ".error" answer is a *RemoteError, returned with the body (the
// details of a failed reload); other errors are the connection's.
func (c *Client) Do(request string) ([]byte, error) {
	if strings.ContainsAny(request, "\r\n") {
		return nil, errors.New("control: a request is one line")
	}
	if len(request) > MaxLine {
		return nil, fmt.Errorf("control: request longer than %d octets", MaxLine)
	}
	c.conn.SetDeadline(time.Now().Add(c.Timeout))
	if _, err := c.conn.Write([]byte(request + "\n")); err != nil {
		return nil, err
	}
	return ReadAnswer(c.r)
}

// ReadAnswer reads one framed answer (see AppendFrame) from r: the body,
// un-stuffed, and a *RemoteError for an ".error" status (returned with
// the body), or the error that cut the answer short.
func ReadAnswer(r *bufio.Reader) ([]byte, error) {
	var body []byte
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return body, fmt.Errorf("control: reading the answer: %w", err)
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case strings.HasPrefix(line, ".."):
			line = line[1:]
		case line == ".ok":
			return body, nil
		case strings.HasPrefix(line, ".error"):
			return body, &RemoteError{Msg: strings.TrimSpace(strings.TrimPrefix(line, ".error"))}
		case strings.HasPrefix(line, "."):
			return body, fmt.Errorf("control: unknown status line %q", line)
		}
		body = append(append(body, line...), '\n')
	}
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }
