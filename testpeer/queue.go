package testpeer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/ze-bgp/ze/speaker/wire"
	"github.com/ze-bgp/ze/speaker/zejson"
)

type itemKind uint8

const (
	itemMessage   itemKind = iota
	itemMalformed          // octets that do not frame, or a message cut short by the close
	itemEnd                // the connection ended
)

// item is something a check-mode session received, waiting for the
// script to look at it.
type item struct {
	kind      itemKind
	msg       []byte // a copy
	ctx       wire.Context
	index     int                // message number in the connection
	err       *wire.Error        // the NOTIFICATION the item implies (malformed, refused by the handshake)
	order     bool               // err is only a handshake-order problem under `handshake manual`: not refused
	sent      *wire.Notification // the NOTIFICATION the test peer answered it with, if it did
	handshake bool               // consumed by the automatic handshake: skipped when not expected
	text      string             // itemEnd: why
	remote    bool               // itemEnd: the remote closed the connection

	routes    []routeLine // an UPDATE's routes, once expanded for `expect route`
	routesErr error       // why the UPDATE cannot be read as routes
	expanded  bool
	next      int // routes matched so far

	doc     any    // decoded JSON, once needed
	docText []byte // its text
	docErr  error  // the decode error (malformed)
}

// typ returns the message type from the header (0 when too short).
func (it *item) typ() wire.Type {
	if it.kind == itemEnd || len(it.msg) < wire.HeaderLen {
		return 0
	}
	return wire.Type(it.msg[18])
}

// expand reads an UPDATE's routes, once.
func (it *item) expand() {
	if !it.expanded {
		it.routes, it.routesErr = updateRoutes(it.msg, it.ctx)
		it.expanded = true
	}
}

// json decodes the item as ze JSON (without metadata), once. A message
// the peer refused although it decodes (a bad OPEN, a message out of
// order) gets the members of ze's error object too: "error" and
// "notification" {"code","subcode"}, as a malformed message has them.
func (it *item) json() (any, []byte) {
	if it.docText == nil {
		it.docText, it.docErr = zejson.AppendMessage(nil, it.msg, it.ctx, zejson.Meta{})
		it.doc, _ = decodeJSON(it.docText)
		m, _ := it.doc.(map[string]any)
		if _, has := m["error"]; m != nil && !has && it.refused() && it.err != nil && bytes.HasSuffix(it.docText, []byte("}")) {
			msg, _ := json.Marshal(it.err.Msg)
			it.docText = fmt.Appendf(it.docText[:len(it.docText)-1], `,"error":%s,"notification":{"code":%d,"subcode":%d}}`, msg, it.err.Code, it.err.Subcode)
			it.doc, _ = decodeJSON(it.docText)
		}
	}
	return it.doc, it.docText
}

// refused reports whether the peer refuses the item: input that does
// not frame or was cut short, or a message whose err calls for a
// NOTIFICATION (a bad OPEN, an UPDATE with an RFC 7606 session-reset
// verdict, a message out of order with the automatic handshake). Only
// `expect malformed` and `expect hex` accept a refused item.
func (it *item) refused() bool {
	return it.kind == itemMalformed || (it.kind == itemMessage && it.err != nil && !it.order)
}

// implied returns the NOTIFICATION the item calls for, if any: the
// handshake's or framing verdict, or what decoding the message finds.
func (it *item) implied() (wire.Notification, bool) {
	if it.err != nil {
		return wire.NotificationFor(it.err), true
	}
	if it.kind != itemMessage {
		return wire.Notification{}, false
	}
	it.json()
	if we, ok := it.docErr.(*wire.Error); ok && we.Action == wire.ActionSessionReset {
		return wire.NotificationFor(we), true
	}
	return wire.Notification{}, false
}

// queue holds what a check-mode session received, in order. The reader
// goroutine pushes, the script goroutine peeks and pops. Once an
// itemEnd is pushed it stays at the end for good.
type queue struct {
	mu     sync.Mutex
	items  []*item
	ended  bool
	notify chan struct{}
}

func newQueue() *queue { return &queue{notify: make(chan struct{}, 1)} }

func (q *queue) push(it *item) *item {
	q.mu.Lock()
	if q.ended {
		q.mu.Unlock()
		return it
	}
	q.items = append(q.items, it)
	if it.kind == itemEnd {
		q.ended = true
	}
	q.mu.Unlock()
	select {
	case q.notify <- struct{}{}:
	default:
	}
	return it
}

// newMessageItem copies a received message into an item.
func newMessageItem(msg []byte, ctx wire.Context, index int) *item {
	return &item{kind: itemMessage, msg: append([]byte(nil), msg...), ctx: ctx, index: index}
}

// pushMalformed queues input that does not frame (or was cut short);
// sent is the NOTIFICATION the peer answered it with, if any.
func (q *queue) pushMalformed(data []byte, ctx wire.Context, index int, err *wire.Error, sent *wire.Notification) {
	q.push(&item{kind: itemMalformed, msg: append([]byte(nil), data...), ctx: ctx, index: index, err: err, sent: sent})
}

// pushEnd records the end of the connection; remote tells whether the
// remote closed it (what `expect close` waits for).
func (q *queue) pushEnd(text string, remote bool) {
	q.push(&item{kind: itemEnd, text: text, remote: remote})
}

// peek waits for the first item. It returns nil when ctx ends first or,
// with a non-zero until, when until passes.
func (q *queue) peek(ctx context.Context, until time.Time) *item {
	var timer <-chan time.Time
	if !until.IsZero() {
		t := time.NewTimer(time.Until(until))
		defer t.Stop()
		timer = t.C
	}
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			it := q.items[0]
			q.mu.Unlock()
			return it
		}
		q.mu.Unlock()
		select {
		case <-q.notify:
		case <-ctx.Done():
			return nil
		case <-timer:
			return nil
		}
	}
}

// pop removes the first item unless it is the end (which stays).
func (q *queue) pop() {
	q.mu.Lock()
	if len(q.items) > 0 && q.items[0].kind != itemEnd {
		q.items[0] = nil
		q.items = q.items[1:]
	}
	q.mu.Unlock()
}
