package testpeer

import (
	"context"
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
	index     int         // message number in the connection
	err       *wire.Error // the NOTIFICATION the item implies (malformed, refused by the handshake)
	handshake bool        // consumed by the automatic handshake: skipped when not expected
	text      string      // itemEnd: why
	remote    bool        // itemEnd: the remote closed the connection

	routes   []routeLine // an UPDATE's routes, once expanded for `expect route`
	expanded bool
	next     int // routes matched so far

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

// json decodes the item as ze JSON (without metadata), once.
func (it *item) json() (any, []byte) {
	if it.docText == nil {
		it.docText, it.docErr = zejson.AppendMessage(nil, it.msg, it.ctx, zejson.Meta{})
		it.doc, _ = decodeJSON(it.docText)
	}
	return it.doc, it.docText
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

func (q *queue) pushMalformed(data []byte, ctx wire.Context, index int, err *wire.Error) *item {
	return q.push(&item{kind: itemMalformed, msg: append([]byte(nil), data...), ctx: ctx, index: index, err: err})
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
