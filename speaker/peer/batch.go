package peer

import "net"

// Limits of one batched write: what a wakeup of the writer finds queued
// goes out in one writev, up to these many messages and octets (the
// kernel takes at most 1024 iovecs per call).
const (
	batchMessages = 256
	batchOctets   = 256 << 10
)

// batch is the writer's messages of one write. Both arrays are reused
// from one write to the next.
type batch struct {
	msgs [][]byte
	vec  [][]byte    // a copy of msgs for bufs, which writing consumes
	bufs net.Buffers // the vector being written (a view of vec)
}

// gather starts a batch with msg and adds what q holds now, without
// waiting, within the limits.
func (b *batch) gather(msg []byte, q <-chan []byte) {
	b.msgs = append(b.msgs[:0], msg)
	n := len(msg)
	for len(b.msgs) < batchMessages && n < batchOctets {
		select {
		case m := <-q:
			b.msgs = append(b.msgs, m)
			n += len(m)
			continue
		default:
		}
		break
	}
}

// writeBatch writes b's messages (writev on a TCP connection, one Write
// each otherwise) and counts them; it drops its references to them.
func (c *conn) writeBatch(b *batch) error {
	var err error
	if len(b.msgs) == 1 {
		_, err = c.nc.Write(b.msgs[0])
	} else {
		b.vec = append(b.vec[:0], b.msgs...)
		b.bufs = b.vec
		_, err = b.bufs.WriteTo(c.nc) // consumes b.bufs, changing vec's entries
		clear(b.vec)
	}
	if err == nil {
		for _, m := range b.msgs {
			c.count(m)
		}
	}
	clear(b.msgs)
	b.msgs = b.msgs[:0]
	return err
}
