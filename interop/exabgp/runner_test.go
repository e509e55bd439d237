//go:build interop

package exabgp

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// confKey is what an ExaBGP --decode configuration decides about the
// decoding context. `exabgp --decode` builds both OPENs of its pretend
// session from the one neighbor of the configuration, so:
//   - asn4: 4-octet AS numbers (capability asn4 enable/disable);
//   - addPath: ADD-PATH path identifiers for every family at once
//     (capability add-path send/receive; --decode ignores the per-family
//     add-path block);
//   - extNH: the extended next hop capability (RFC 8950), which lets an
//     IPv4 prefix have an IPv6 next hop in MP_REACH_NLRI.
type confKey struct {
	asn4, addPath, extNH bool
}

// The neighbor every configuration names; ze renders with the same.
const (
	confAddress = "127.0.0.1"
	confASN     = 65533
)

// confFamilies are all the families an ExaBGP 4.2 configuration can name
// (its `family { all; }` is refused by the parser), so that no message is
// refused as "non-negotiated". ExaBGP 4.2 has no "ipv6 multicast" there.
var confFamilies = []string{
	"ipv4 unicast", "ipv4 multicast", "ipv4 nlri-mpls", "ipv4 mpls-vpn", "ipv4 flow", "ipv4 flow-vpn",
	"ipv6 unicast", "ipv6 nlri-mpls", "ipv6 mpls-vpn", "ipv6 flow", "ipv6 flow-vpn",
	"l2vpn vpls", "l2vpn evpn", "bgp-ls bgp-ls", "bgp-ls bgp-ls-vpn",
}

// conf is the ExaBGP configuration text for k.
func (k confKey) conf() string {
	var b strings.Builder
	fmt.Fprintf(&b, "neighbor %s {\n", confAddress)
	fmt.Fprintf(&b, "    router-id %s;\n    local-address %s;\n", confAddress, confAddress)
	fmt.Fprintf(&b, "    local-as %d;\n    peer-as %d;\n", confASN, confASN)
	b.WriteString("    family {\n")
	for _, f := range confFamilies {
		fmt.Fprintf(&b, "        %s;\n", f)
	}
	b.WriteString("    }\n")
	b.WriteString("    capability {\n")
	if k.asn4 {
		b.WriteString("        asn4 enable;\n")
	} else {
		b.WriteString("        asn4 disable;\n")
	}
	if k.addPath {
		b.WriteString("        add-path send/receive;\n")
	}
	if k.extNH {
		b.WriteString("        nexthop enable;\n")
	}
	b.WriteString("    }\n")
	if k.extNH {
		b.WriteString("    nexthop {\n        ipv4 unicast ipv6;\n        ipv4 multicast ipv6;\n        ipv6 unicast ipv4;\n    }\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// job is one `exabgp --decode` call: messages that share a configuration
// and can go in one call.
type job struct {
	key  confKey
	msgs [][]byte
	out  []result // filled by the runner, one per message
}

// maxBatch bounds the messages of one call; batchLimit is the size from
// which a message must be decoded alone: ExaBGP 4.2's --decode reads the
// length field as (octet16 << 16) + octet17, so a message of 256 octets or
// more swallows whatever follows it.
const (
	maxBatch   = 40
	batchLimit = 256
)

// runner drives the installed exabgp.
type runner struct {
	bin   string
	dir   string // holds one configuration file per confKey
	mu    sync.Mutex
	confs map[confKey]string
	calls int
	spent time.Duration
}

func newRunner(t *testing.T, bin string) *runner {
	return &runner{bin: bin, dir: workDir(t), confs: map[confKey]string{}}
}

// workDir is a fresh directory for the test's files: t.TempDir(), or
// when ZE_INTEROP_KEEP names a directory, a subdirectory of it that is
// kept (to read ExaBGP's configuration, log and API output).
func workDir(t *testing.T) string {
	keep := os.Getenv("ZE_INTEROP_KEEP")
	if keep == "" {
		return t.TempDir()
	}
	dir := filepath.Join(keep, t.Name())
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("files kept in %s", dir)
	return dir
}

func (r *runner) confFile(k confKey) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.confs[k]; ok {
		return p, nil
	}
	p := filepath.Join(r.dir, fmt.Sprintf("asn4-%t-addpath-%t-extnh-%t.conf", k.asn4, k.addPath, k.extNH))
	if err := os.WriteFile(p, []byte(k.conf()), 0o644); err != nil {
		return "", err
	}
	r.confs[k] = p
	return p, nil
}

// run decodes every message of j, calling exabgp again after each message
// it refused (it stops at the first one it cannot decode).
func (r *runner) run(j *job) error {
	conf, err := r.confFile(j.key)
	if err != nil {
		return err
	}
	j.out = make([]result, len(j.msgs))
	for done := 0; done < len(j.msgs); {
		got, failure, err := r.call(conf, j.msgs[done:])
		if err != nil {
			return err
		}
		for _, s := range got {
			j.out[done].json = s
			done++
		}
		if done < len(j.msgs) {
			j.out[done].err = failure
			done++
		}
	}
	return nil
}

// call runs `exabgp --decode HEX … --decode HEX CONF` once. It returns
// the JSON object of each message ExaBGP decoded (in order), and when it
// stopped early, the last line of the reason it logged.
func (r *runner) call(conf string, msgs [][]byte) (jsons []string, failure string, err error) {
	// `[--decode HEX]...`: one flag per message (ExaBGP concatenates them
	// and walks the result message by message).
	var args []string
	for _, m := range msgs {
		args = append(args, "--decode", strings.ToUpper(hex.EncodeToString(m)))
	}
	args = append(args, conf)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.bin, args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "exabgp_log_destination=stdout", "exabgp_api_cli=false")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	runErr := cmd.Run()
	r.mu.Lock()
	r.calls++
	r.spent += time.Since(start)
	r.mu.Unlock()
	if ctx.Err() != nil {
		return nil, "", fmt.Errorf("exabgp --decode timed out: %s", tail(out.String()))
	}
	failed := false
	for _, line := range strings.Split(out.String(), "\n") {
		if i := strings.Index(line, "| update json "); i >= 0 && strings.Contains(line, "| parser") {
			jsons = append(jsons, strings.TrimSpace(line[i+len("| update json "):]))
			continue
		}
		if strings.Contains(line, "could not parse the message") {
			failed = true
		}
		if failed {
			if s := strings.TrimSpace(logText(line)); s != "" && s != "could not parse the message" {
				failure = s // the last line of the traceback: the exception
			}
		}
	}
	if len(jsons) > len(msgs) {
		return nil, "", fmt.Errorf("exabgp --decode printed %d objects for %d messages", len(jsons), len(msgs))
	}
	if !failed && (runErr != nil || len(jsons) < len(msgs)) {
		return nil, "", fmt.Errorf("exabgp --decode (%d messages, %d objects): %v: %s", len(msgs), len(jsons), runErr, tail(out.String()))
	}
	return jsons, failure, nil
}

// logText strips ExaBGP's "HH:MM:SS | PID | category |" log prefix.
func logText(line string) string {
	parts := strings.SplitN(line, "|", 4)
	if len(parts) == 4 {
		return parts[3]
	}
	return line
}

func tail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 600 {
		s = "…" + s[len(s)-600:]
	}
	return s
}

// runAll runs the jobs on `workers` exabgp processes at a time.
func (r *runner) runAll(jobs []*job, workers int) error {
	ch := make(chan *job)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				if err := r.run(j); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// exabgpVersion returns the first line of `exabgp --version`
// ("ExaBGP : 4.2.21").
func exabgpVersion(bin string) (string, error) {
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s --version: %v: %s", bin, err, out)
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line), nil
}
