package capture

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket/layers"
)

// Endpoints of the hand-made connections.
const (
	hostA = "10.0.0.1:40000"
	hostB = "10.0.0.2:179"
	hostC = "10.0.0.3:40001"
)

// Initial sequence numbers: A's first data byte is isnA+1.
const (
	isnA = 999
	isnB = 4999
	dA   = isnA + 1
	dB   = isnB + 1
)

// handshake is the three-way handshake A→B (frames 1-3).
func handshake() []seg {
	return []seg{
		{from: hostA, to: hostB, seq: isnA, flags: "S"},
		{from: hostB, to: hostA, seq: isnB, ack: dA, flags: "SA"},
		{from: hostA, to: hostB, seq: dA, ack: dB, flags: "A"},
	}
}

func withHS(segs ...seg) []seg { return append(handshake(), segs...) }

// a2b is a data segment from A at offset off of A's byte stream.
func a2b(off int, data []byte) seg {
	return seg{from: hostA, to: hostB, seq: uint32(dA + off), ack: dB, flags: "PA", data: data}
}

func TestReassembly(t *testing.T) {
	m1, m2, m3 := update(40), update(50), keepalive()
	big := update(100)
	garbage := []byte("GET / HTTP/1.0\r\n\r\n") // 18 octets
	tests := []struct {
		name string
		segs []seg
		opt  PcapOptions
		want []string
	}{{
		name: "three messages in one segment",
		segs: withHS(a2b(0, cat(m3, m1, m2))),
		want: []string{
			"msg 0 f4 s0 10.0.0.1:40000>10.0.0.2:179 19",
			"msg 1 f4 s0 10.0.0.1:40000>10.0.0.2:179 40",
			"msg 2 f4 s0 10.0.0.1:40000>10.0.0.2:179 50",
		},
	}, {
		name: "message split across three segments",
		segs: withHS(a2b(0, big[:10]), a2b(10, big[10:50]), a2b(50, big[50:])),
		want: []string{"msg 0 f6 s0 10.0.0.1:40000>10.0.0.2:179 100"},
	}, {
		name: "out of order segments",
		segs: withHS(a2b(40, m2), a2b(90, m3), a2b(0, m1)),
		want: []string{
			"msg 0 f6 s0 10.0.0.1:40000>10.0.0.2:179 40",
			"msg 1 f6 s0 10.0.0.1:40000>10.0.0.2:179 50",
			"msg 2 f6 s0 10.0.0.1:40000>10.0.0.2:179 19",
		},
	}, {
		name: "out of order pieces of one message",
		segs: withHS(a2b(50, big[50:]), a2b(0, big[:10]), a2b(10, big[10:50])),
		want: []string{"msg 0 f6 s0 10.0.0.1:40000>10.0.0.2:179 100"},
	}, {
		name: "retransmission and overlap",
		// m1; m1 again; m1's last 10 octets with m2; m2 again.
		segs: withHS(a2b(0, m1), a2b(0, m1), a2b(30, cat(m1[30:], m2)), a2b(40, m2)),
		want: []string{
			"msg 0 f4 s0 10.0.0.1:40000>10.0.0.2:179 40",
			"msg 1 f6 s0 10.0.0.1:40000>10.0.0.2:179 50",
		},
	}, {
		name: "retransmission of held out-of-order data",
		segs: withHS(a2b(40, m2), a2b(40, m2), a2b(0, m1)),
		want: []string{
			"msg 0 f6 s0 10.0.0.1:40000>10.0.0.2:179 40",
			"msg 1 f6 s0 10.0.0.1:40000>10.0.0.2:179 50",
		},
	}, {
		name: "stream truncated at end of capture",
		segs: withHS(a2b(0, cat(m1, m2[:10]))),
		want: []string{
			"msg 0 f4 s0 10.0.0.1:40000>10.0.0.2:179 40",
			"err truncated f4 s0 10",
		},
	}, {
		name: "connection closed inside a message",
		segs: withHS(
			seg{from: hostA, to: hostB, seq: dA, ack: dB, flags: "FPA", data: cat(m1, m2[:10])},
			seg{from: hostC, to: hostB, seq: 77, flags: "PA", data: m3}),
		want: []string{
			"msg 0 f4 s0 10.0.0.1:40000>10.0.0.2:179 40",
			"err truncated f4 s0 10",
			// C's start was not captured, but its data starts on a
			// header: nothing skipped, nothing reported.
			"msg 1 f5 s1 10.0.0.3:40001>10.0.0.2:179 19",
		},
	}, {
		name: "reset inside a message",
		segs: withHS(a2b(0, m2[:30]),
			seg{from: hostA, to: hostB, seq: dA + 30, flags: "R"},
			seg{from: hostB, to: hostA, seq: dB, ack: dA + 30, flags: "PA", data: m3}),
		want: []string{
			"err truncated f5 s0 30",
			"msg 0 f6 s0 10.0.0.2:179>10.0.0.1:40000 19",
		},
	}, {
		name: "garbage on port 179 then BGP",
		segs: withHS(a2b(0, garbage), a2b(len(garbage), m3)),
		want: []string{
			"err notbgp f5 s0 18",
			"msg 0 f5 s0 10.0.0.1:40000>10.0.0.2:179 19",
		},
	}, {
		name: "garbage only, other stream unharmed",
		segs: withHS(a2b(0, garbage),
			seg{from: hostC, to: hostB, seq: 77, flags: "S"},
			seg{from: hostC, to: hostB, seq: 78, flags: "PA", data: m3},
			a2b(len(garbage), garbage)),
		want: []string{
			"msg 0 f6 s1 10.0.0.3:40001>10.0.0.2:179 19",
			"err notbgp f7 s0 36",
		},
	}, {
		name: "bad length resynchronises",
		// A marker with length 5, then a KEEPALIVE.
		segs: withHS(a2b(0, cat(m3[:16], []byte{0, 5, 4}, m3))),
		want: []string{
			"err notbgp f4 s0 19",
			"msg 0 f4 s0 10.0.0.1:40000>10.0.0.2:179 19",
		},
	}, {
		name: "unknown type is still framed",
		segs: withHS(a2b(0, cat(msg(9, 1, 2, 3), m3))),
		want: []string{
			"msg 0 f4 s0 10.0.0.1:40000>10.0.0.2:179 22",
			"msg 1 f4 s0 10.0.0.1:40000>10.0.0.2:179 19",
		},
	}, {
		name: "capture starts mid-stream",
		segs: []seg{
			{from: hostA, to: hostB, seq: 5000, flags: "PA", data: cat(m1[25:], m3)},
			{from: hostA, to: hostB, seq: 5034, flags: "PA", data: m2},
		},
		want: []string{
			"err midstream f1 s0 15",
			"msg 0 f1 s0 10.0.0.1:40000>10.0.0.2:179 19",
			"msg 1 f2 s0 10.0.0.1:40000>10.0.0.2:179 50",
		},
	}, {
		name: "capture starts mid-stream on a boundary",
		segs: []seg{{from: hostA, to: hostB, seq: 5000, flags: "PA", data: m3}},
		want: []string{"msg 0 f1 s0 10.0.0.1:40000>10.0.0.2:179 19"},
	}, {
		name: "hole never filled",
		segs: withHS(a2b(0, m1), a2b(90, m3)),
		want: []string{
			"msg 0 f4 s0 10.0.0.1:40000>10.0.0.2:179 40",
			"err gap f5 s0 0",
			"msg 1 f5 s0 10.0.0.1:40000>10.0.0.2:179 19",
		},
	}, {
		name: "hole acknowledged by the peer",
		segs: withHS(a2b(0, m1), a2b(90, m3),
			seg{from: hostB, to: hostA, seq: dB, ack: dA + 90, flags: "A", at: 10 * time.Millisecond},
			seg{from: hostB, to: hostA, seq: dB, ack: dA + 109, flags: "PA", data: m3, at: 2 * time.Second}),
		want: []string{
			"msg 0 f4 s0 10.0.0.1:40000>10.0.0.2:179 40",
			"err gap f7 s0 0",
			"msg 1 f7 s0 10.0.0.1:40000>10.0.0.2:179 19",
			"msg 2 f7 s0 10.0.0.2:179>10.0.0.1:40000 19",
		},
	}, {
		name: "frame cut by the snapshot length",
		segs: withHS(a2b(0, m1), seg{from: hostA, to: hostB, seq: dA + 40, ack: dB, flags: "PA", data: big, snap: 14 + 20 + 20 + 20},
			a2b(140, m3)),
		want: []string{
			"msg 0 f4 s0 10.0.0.1:40000>10.0.0.2:179 40",
			"err gap f6 s0 20",
			"msg 1 f6 s0 10.0.0.1:40000>10.0.0.2:179 19",
		},
	}, {
		name: "other ports ignored",
		segs: []seg{{from: "10.0.0.1:1000", to: "10.0.0.2:80", seq: 1, flags: "PA", data: m3}},
		want: nil,
	}, {
		name: "all ports",
		segs: []seg{{from: "10.0.0.1:1000", to: "10.0.0.2:80", seq: 1, flags: "PA", data: m3}},
		opt:  PcapOptions{AllPorts: true},
		want: []string{"msg 0 f1 s0 10.0.0.1:1000>10.0.0.2:80 19"},
	}, {
		name: "chosen port",
		segs: []seg{
			{from: "10.0.0.1:1000", to: "10.0.0.2:179", seq: 1, flags: "PA", data: m3},
			{from: "10.0.0.1:1000", to: "10.0.0.2:1179", seq: 1, flags: "PA", data: m3},
		},
		opt:  PcapOptions{Port: 1179},
		want: []string{"msg 0 f2 s0 10.0.0.1:1000>10.0.0.2:1179 19"},
	}, {
		name: "streams numbered in first-seen order, reuse of a 4-tuple",
		segs: []seg{
			{from: hostC, to: hostB, seq: 10, flags: "S"},
			{from: hostA, to: hostB, seq: isnA, flags: "S"},
			{from: hostA, to: hostB, seq: dA, flags: "PA", data: m3},
			{from: hostC, to: hostB, seq: 11, flags: "PA", data: m3},
			{from: hostA, to: hostB, seq: isnA, flags: "S"},  // retransmitted SYN: same stream
			{from: hostA, to: hostB, seq: 90000, flags: "S"}, // new connection
			{from: hostA, to: hostB, seq: 90001, flags: "PA", data: m3},
		},
		want: []string{
			"msg 0 f3 s1 10.0.0.1:40000>10.0.0.2:179 19",
			"msg 1 f4 s0 10.0.0.3:40001>10.0.0.2:179 19",
			"msg 2 f7 s2 10.0.0.1:40000>10.0.0.2:179 19",
		},
	}, {
		name: "sequence numbers wrap",
		segs: []seg{
			{from: hostA, to: hostB, seq: 0xFFFFFFF0, flags: "S"},
			{from: hostA, to: hostB, seq: 0x00000004, flags: "PA", data: m1},
			{from: hostA, to: hostB, seq: 0xFFFFFFF1, flags: "PA", data: m3},
		},
		want: []string{
			"msg 0 f3 s0 10.0.0.1:40000>10.0.0.2:179 19",
			"msg 1 f3 s0 10.0.0.1:40000>10.0.0.2:179 40",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect(t, pcapOf(t, layers.LinkTypeEthernet, tt.segs...), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, m := range got {
				lines = append(lines, summary(m))
			}
			if !slices.Equal(lines, tt.want) {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(lines, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
		})
	}
}
