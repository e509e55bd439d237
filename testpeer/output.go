package testpeer

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/ze-bgp/ze/speaker/wire"
	"github.com/ze-bgp/ze/speaker/zejson"
)

// output serialises what the sessions print, one whole line at a time.
//
// stdout gets the readiness line (`listening ADDR:PORT`), the JSON
// reports and, with Decode, one line per received message; the event
// lines (`established …`, `closed …`) go to stdout too, or to stderr when
// Decode owns stdout. Problems (`error …`, check failures) always go to
// stderr.
type output struct {
	mu     sync.Mutex
	stdout io.Writer
	stderr io.Writer
	events io.Writer // stdout, or stderr with Decode
	quiet  bool
}

func newOutput(cfg *Config, stdout, stderr io.Writer) *output {
	o := &output{stdout: stdout, stderr: stderr, events: stdout, quiet: cfg.Quiet}
	if cfg.Decode {
		o.events = stderr
	}
	return o
}

// write writes b (which ends in a newline) to w under the lock.
func (o *output) write(w io.Writer, b []byte) {
	o.mu.Lock()
	w.Write(b) //nolint:errcheck // nowhere to report a failing stdout
	o.mu.Unlock()
}

// stdoutf prints one line on stdout.
func (o *output) stdoutf(format string, args ...any) {
	o.write(o.stdout, []byte(fmt.Sprintf(format, args...)+"\n"))
}

// event prints one event line unless Quiet.
func (o *output) event(format string, args ...any) {
	if o.quiet {
		return
	}
	o.write(o.events, []byte(fmt.Sprintf(format, args...)+"\n"))
}

// result prints a final verdict line where the event lines go, even
// when Quiet.
func (o *output) result(format string, args ...any) {
	o.write(o.events, []byte(fmt.Sprintf(format, args...)+"\n"))
}

// problem prints a block of lines on stderr.
func (o *output) problem(text string) {
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	o.write(o.stderr, []byte(text))
}

// describeReceived renders bytes that arrived as the indented "hex" and
// "json" lines of an error report. msg may be anything: a whole message,
// a truncated one, garbage.
func describeReceived(b []byte, ctx wire.Context) string {
	var sb strings.Builder
	const maxHex = 4096
	h := b
	if len(h) > maxHex {
		h = h[:maxHex]
	}
	sb.WriteString("  hex  ")
	sb.Write(zejson.AppendHex(nil, h))
	if len(b) > maxHex {
		fmt.Fprintf(&sb, "… (%d octets)", len(b))
	}
	sb.WriteString("\n  json ")
	j, _ := zejson.AppendMessage(nil, b, ctx, zejson.Meta{})
	sb.Write(j)
	sb.WriteByte('\n')
	return sb.String()
}

// notificationText renders a NOTIFICATION for event lines:
// `6/2 Cease/Administrative shutdown "text"` (the RFC 9003 communication,
// or printable data) or `… data HEX`.
func notificationText(n wire.Notification) string {
	s := fmt.Sprintf("%d/%d %s/%s", n.Code, n.Subcode, n.Code, wire.SubcodeString(n.Code, n.Subcode))
	if text, _, ok := n.Communication(); ok {
		return s + fmt.Sprintf(" %q", text)
	}
	if len(n.Data) > 0 {
		if zejson.Printable(n.Data) {
			return s + fmt.Sprintf(" %q", n.Data)
		}
		return s + " data " + string(zejson.AppendHex(nil, n.Data))
	}
	return s
}
