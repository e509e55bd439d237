package testpeer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/ze-bgp/ze/internal/jsonmatch"
	"github.com/ze-bgp/ze/speaker/wire"
)

// checkResult gathers the verdicts of the script runs (one per peer).
type checkResult struct {
	mu     sync.Mutex
	passed int
	failed int
}

func newCheckResult() *checkResult { return &checkResult{} }

func (c *checkResult) add(ok bool) {
	c.mu.Lock()
	if ok {
		c.passed++
	} else {
		c.failed++
	}
	c.mu.Unlock()
}

// verdict prints the final line of check mode and returns its error.
func (c *checkResult) verdict(p *Peer, timedOut bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	sc := p.cfg.Script
	if c.failed == 0 && c.passed == p.cfg.Peers {
		// Totals: every peer runs the whole script.
		n := p.cfg.Peers
		p.out.result("check passed: %d expectations, %d connection(s), %d peer(s)", n*sc.Expectations(), n*sc.Connections(), n)
		return nil
	}
	if c.failed == 0 {
		return fmt.Errorf("testpeer: check did not finish (%d of %d peers done)", c.passed, p.cfg.Peers)
	}
	return fmt.Errorf("testpeer: check failed (%d of %d peers)", c.failed, p.cfg.Peers)
}

// runScript runs the whole script as peer i: one connection per block,
// in order.
func (p *Peer) runScript(ctx context.Context, i int, res *checkResult) {
	ignore := typeSet(0).with(wire.TypeKeepalive)
	for _, t := range p.cfg.Ignore {
		ignore = ignore.with(t)
	}
	for bi, b := range p.cfg.Script.blocks {
		conn, err := p.scriptConn(ctx, i)
		if err != nil {
			p.out.problem(fmt.Sprintf("check failed: %s: connection %d: %s waiting for the connection", p.blockPlace(b), bi+1, waitError(ctx, err)))
			res.add(false)
			return
		}
		s := p.addSession(conn, b.manual)
		s.start()
		r := &scriptRun{p: p, s: s, b: b, conn: bi + 1, ignore: ignore}
		ok := r.run(ctx)
		ignore = r.ignore
		if !ok {
			r.abort()
			res.add(false)
			return
		}
		s.closeConn()
		<-s.done
	}
	res.add(true)
}

// blockPlace names a block's header line for reports.
func (p *Peer) blockPlace(b *block) string {
	return fmt.Sprintf("%s:%d", p.cfg.Script.name, max(b.line, 1))
}

// waitError explains why waiting stopped: the timeout, an interruption
// or err.
func waitError(ctx context.Context, err error) string {
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, context.DeadlineExceeded):
		return "timed out"
	case cause != nil:
		return "interrupted"
	case err != nil:
		return err.Error()
	}
	return "stopped"
}

// scriptConn accepts (listen) or dials (dial) the next connection.
func (p *Peer) scriptConn(ctx context.Context, i int) (net.Conn, error) {
	if p.ln != nil {
		return p.ln.Accept()
	}
	return p.connect(ctx, p.cfg.Dial, p.sourceAddr(i))
}

// scriptRun runs one block on one session.
type scriptRun struct {
	p      *Peer
	s      *session
	b      *block
	conn   int // block number, from 1
	ignore typeSet
	fail   *failure
}

// run executes the block's steps; false after a failure (reported).
func (r *scriptRun) run(ctx context.Context) bool {
	if !r.b.manual {
		select {
		case <-r.s.ready:
		case <-ctx.Done():
			if len(r.b.steps) > 0 {
				r.failf(r.b.steps[0], nil, "%s before the session was established", waitError(ctx, nil))
			}
			return false
		}
	}
	for _, st := range r.b.steps {
		if !r.step(ctx, st) {
			return false
		}
	}
	return true
}

func (r *scriptRun) step(ctx context.Context, st *step) bool {
	switch st.kind {
	case stepExpect:
		return r.expectOne(ctx, st)
	case stepUnordered:
		return r.expectGroup(ctx, st)
	case stepSend:
		return r.send(st)
	case stepClose:
		r.s.closeConn()
	case stepSleep:
		select {
		case <-time.After(st.dur):
		case <-ctx.Done():
			r.failf(st, nil, "%s while sleeping", waitError(ctx, nil))
			return false
		}
	case stepIgnore:
		r.ignore = st.ignore.with(wire.TypeKeepalive)
	}
	return true
}

// send performs a send step.
func (r *scriptRun) send(st *step) bool {
	var err error
	switch st.send.kind {
	case sendOpen:
		err = r.s.sendOpen()
	case sendRoute:
		_, sendCtx := r.s.contexts()
		var msg []byte
		if msg, err = st.send.route.AppendUpdate(nil, sendCtx); err == nil {
			err = r.s.write(msg)
		}
	default:
		err = r.s.write(st.send.raw)
	}
	if err != nil {
		r.failf(st, nil, "sending: %v", err)
		return false
	}
	return true
}

// verdict is how an item relates to an expectation.
type verdict uint8

const (
	matched  verdict = iota
	skipped          // ignored type (or handshake message): look at the next item
	mismatch         // fails the check
)

// expectOne waits for one expectation.
func (r *scriptRun) expectOne(ctx context.Context, st *step) bool {
	e := &st.expect
	var until time.Time
	if e.kind == expSilence {
		until = time.Now().Add(e.dur)
	}
	for {
		it := r.s.queue.peek(ctx, until)
		if it == nil {
			if e.kind == expSilence && ctx.Err() == nil {
				return true
			}
			r.failf(st, nil, "%s waiting for this", waitError(ctx, nil))
			return false
		}
		v, why := r.try(e, it)
		switch v {
		case matched:
			return true
		case skipped:
			r.s.queue.pop()
		default:
			r.failf(st, it, "%s", why)
			return false
		}
	}
}

// expectGroup waits until every expectation of an unordered group is
// met, in any order.
func (r *scriptRun) expectGroup(ctx context.Context, st *step) bool {
	pending := append([]*step(nil), st.group...)
	for len(pending) > 0 {
		it := r.s.queue.peek(ctx, time.Time{})
		if it == nil {
			r.failf(pending[0], nil, "%s waiting for this (%d unordered expectations left)", waitError(ctx, nil), len(pending))
			return false
		}
		done := -1
		var firstWhy string
		anySkip := false
		for j, ps := range pending {
			v, why := r.try(&ps.expect, it)
			if v == matched {
				done = j
				break
			}
			if j == 0 {
				firstWhy = why
			}
			anySkip = anySkip || v == skipped
		}
		switch {
		case done >= 0:
			pending = append(pending[:done], pending[done+1:]...)
		case anySkip:
			r.s.queue.pop()
		default:
			r.failf(pending[0], it, "none of the %d unordered expectations left matches; first: %s", len(pending), firstWhy)
			return false
		}
	}
	return true
}

// skippable reports whether an item that does not match may be skipped:
// a whole message of an ignored type, or a handshake message.
func (r *scriptRun) skippable(it *item) bool {
	return it.kind == itemMessage && !it.refused() && (r.ignore.has(it.typ()) || (it.handshake && it.next == 0))
}

// try compares one item with one expectation, consuming it when it
// matches (the first route of an UPDATE for `expect route`).
func (r *scriptRun) try(e *expectation, it *item) (verdict, string) {
	no := func(format string, args ...any) (verdict, string) {
		if r.skippable(it) {
			return skipped, ""
		}
		return mismatch, fmt.Sprintf(format, args...)
	}
	if it.kind == itemEnd {
		if e.kind == expClose && it.remote {
			r.s.queue.pop()
			return matched, ""
		}
		return mismatch, "the connection ended: " + it.text
	}
	if it.next > 0 && e.kind != expRoute {
		return no("the UPDATE still carries %d route(s) no expectation took: %s", len(it.routes)-it.next, it.routes[it.next].text)
	}
	typ := it.typ()
	if e.kind == expMalformed {
		return r.tryMalformed(e, it)
	}
	if it.refused() && e.kind != expHex {
		// Strict by default: only `expect malformed` (or the exact
		// octets) accepts what the peer refuses.
		return mismatch, fmt.Sprintf("expected %s, received %s", expectText(e), describeItem(it))
	}
	switch e.kind {
	case expClose:
		return no("expected the remote to close the connection, received %s", describeItem(it))
	case expSilence:
		return no("expected nothing for %s, received %s", e.dur, describeItem(it))
	case expHex:
		// Garbage has no boundaries: it matches when it starts with the
		// expected octets.
		if string(it.msg) == string(e.hex) || (it.kind == itemMalformed && len(e.hex) > 0 && strings.HasPrefix(string(it.msg), string(e.hex))) {
			r.s.queue.pop()
			return matched, ""
		}
		return no("the octets differ")
	case expEOR:
		if typ == wire.TypeUpdate && it.kind == itemMessage {
			if f, ok := eorFamily(it); ok && f == e.family {
				r.s.queue.pop()
				return matched, ""
			}
		}
		return no("expected End-of-RIB for %s, received %s", e.family, describeItem(it))
	case expRoute:
		if typ != wire.TypeUpdate || it.kind != itemMessage {
			return no("expected an UPDATE with %s, received %s", e.route.String(), describeItem(it))
		}
		it.expand()
		if it.routesErr != nil {
			return no("expected %s, received an UPDATE that cannot be read as routes: %v", e.route.String(), it.routesErr)
		}
		if it.next >= len(it.routes) {
			return no("expected %s, received an UPDATE without routes: %s", e.route.String(), describeItem(it))
		}
		rl := it.routes[it.next]
		if !rl.ok || !e.route.match(rl.r) {
			return no("route differs:\n  expected %s\n  received %s", e.route.String(), rl.text)
		}
		it.next++
		if it.next == len(it.routes) {
			r.s.queue.pop()
		}
		return matched, ""
	}
	// expMessage
	if e.typ != 0 && typ != e.typ {
		return no("expected %s, received %s", expectText(e), describeItem(it))
	}
	if e.code >= 0 {
		n, err := wire.ParseNotification(it.msg)
		if err != nil || int(n.Code) != e.code || (e.sub >= 0 && int(n.Subcode) != e.sub) {
			return no("expected notification %s, received %s", codeSubText(e.code, e.sub), describeItem(it))
		}
	}
	if e.json != nil {
		doc, _ := it.json()
		if m := jsonmatch.Match(e.json, doc); m != nil {
			return no("%s", m.Error())
		}
	}
	r.s.queue.pop()
	return matched, ""
}

// tryMalformed compares an item with `expect malformed [TYPE] [JSON]`:
// met by a refused item (item.refused) of that header type whose JSON
// (the error object: "parsed":false, "error", "notification") matches.
func (r *scriptRun) tryMalformed(e *expectation, it *item) (verdict, string) {
	if !it.refused() {
		if r.skippable(it) {
			return skipped, ""
		}
		return mismatch, fmt.Sprintf("expected %s, received %s, which is not malformed", expectText(e), describeItem(it))
	}
	if e.typ != 0 && it.typ() != e.typ {
		return mismatch, fmt.Sprintf("expected %s, received %s", expectText(e), describeItem(it))
	}
	if e.json != nil {
		doc, _ := it.json()
		if m := jsonmatch.Match(e.json, doc); m != nil {
			return mismatch, m.Error()
		}
	}
	r.s.queue.pop()
	return matched, ""
}

func codeSubText(code, sub int) string {
	if sub < 0 {
		return fmt.Sprintf("%d/*", code)
	}
	return fmt.Sprintf("%d/%d", code, sub)
}

// abort ends a failed block's session: the NOTIFICATION the offending
// item implies, else Cease / Administrative Shutdown naming the line.
func (r *scriptRun) abort() {
	defer func() {
		r.s.closeConn()
		<-r.s.done
	}()
	if r.s.isClosing() {
		return
	}
	if r.fail != nil && r.fail.item != nil {
		if n, ok := r.fail.item.implied(); ok {
			r.s.notify(n)
			return
		}
	}
	place := r.p.cfg.Script.name
	if r.fail != nil && r.fail.step != nil {
		place = fmt.Sprintf("%s:%d", place, r.fail.step.line)
	}
	r.s.notify(wire.Notification{Code: wire.CodeCease, Subcode: wire.SubAdministrativeShutdown,
		Data: wire.AppendCommunication(nil, "ze-test peer: check failed at "+place)})
}
