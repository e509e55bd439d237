package peer

import (
	"bytes"
	"io"
	"net"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

// sized returns an UPDATE-typed message of n octets whose body is tag
// repeated (only the framing matters here: the test reads octets back).
func sized(n int, tag byte) []byte {
	m := make([]byte, n)
	for i := range 16 {
		m[i] = 0xFF // marker
	}
	m[16], m[17] = byte(n>>8), byte(n)
	m[18] = byte(wire.TypeUpdate)
	for i := wire.HeaderLen; i < n; i++ {
		m[i] = tag
	}
	return m
}

func TestBatchGather(t *testing.T) {
	for _, tc := range []struct {
		name   string
		queued []int // message sizes queued after the first (4096 octets)
		want   int   // messages in the batch
	}{
		{"alone", nil, 1},
		{"what is queued", []int{100, 100, 100}, 4},
		{"message limit", repeat(19, 400), batchMessages},
		{"octet limit", repeat(4096, 100), batchOctets / 4096},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := make(chan []byte, 1024)
			for i, n := range tc.queued {
				q <- sized(n, byte(i))
			}
			var b batch
			b.gather(sized(4096, 0xAA), q)
			if len(b.msgs) != tc.want {
				t.Errorf("batch of %d messages, want %d", len(b.msgs), tc.want)
			}
			if left := len(tc.queued) + 1 - len(b.msgs); len(q) != left {
				t.Errorf("%d left queued, want %d", len(q), left)
			}
		})
	}
}

func repeat(n, times int) []int {
	s := make([]int, times)
	for i := range s {
		s[i] = n
	}
	return s
}

// TestWriteBatch writes batches over TCP (writev) and over net.Pipe
// (one Write per message): the peer reads every octet in order, and the
// counters count every message.
func TestWriteBatch(t *testing.T) {
	pipe := func(t *testing.T) (net.Conn, net.Conn) { return net.Pipe() }
	tcp := func(t *testing.T) (net.Conn, net.Conn) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Skip(err)
		}
		defer ln.Close()
		done := make(chan net.Conn, 1)
		go func() {
			c, _ := ln.Accept()
			done <- c
		}()
		a, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		b := <-done
		if b == nil {
			t.Fatal("accept failed")
		}
		return a, b
	}
	for name, mk := range map[string]func(*testing.T) (net.Conn, net.Conn){"tcp": tcp, "pipe": pipe} {
		t.Run(name, func(t *testing.T) {
			a, b := mk(t)
			defer a.Close()
			defer b.Close()
			c := &conn{s: &Session{}, nc: a}
			var want []byte
			var msgs [][]byte
			for i := range 600 {
				m := sized(wire.HeaderLen+i%300, byte(i))
				msgs = append(msgs, m)
				want = append(want, m...)
			}
			got := make(chan []byte, 1)
			go func() {
				buf := make([]byte, len(want))
				n, _ := io.ReadFull(b, buf)
				got <- buf[:n]
			}()
			q := make(chan []byte, len(msgs))
			for _, m := range msgs[1:] {
				q <- m
			}
			var bt batch
			next := msgs[0]
			for writes := 0; ; writes++ {
				bt.gather(next, q)
				if err := c.writeBatch(&bt); err != nil {
					t.Fatal(err)
				}
				if len(bt.msgs) != 0 || bt.vec[0] != nil {
					t.Fatal("batch keeps references to written messages")
				}
				if len(q) == 0 {
					if writes != 2 { // 256 + 256 + 88
						t.Errorf("%d writes, want 3", writes+1)
					}
					break
				}
				next = <-q
			}
			if r := <-got; !bytes.Equal(r, want) {
				t.Fatalf("read %d octets, not the %d written in order", len(r), len(want))
			}
			if n := c.s.ctr.out[wire.TypeUpdate].Load(); n != uint64(len(msgs)) {
				t.Errorf("counted %d UPDATEs, want %d", n, len(msgs))
			}
			if n := c.s.ctr.octetsOut.Load(); n != uint64(len(want)) {
				t.Errorf("counted %d octets, want %d", n, len(want))
			}
		})
	}
}
