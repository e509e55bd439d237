package tcpsig

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// MaxKeyLen is the longest TCP MD5 key, in octets (Linux
// TCP_MD5SIG_MAXKEYLEN).
const MaxKeyLen = 80

// MaxTTL is the TTL GTSM sends with (RFC 5082 §3).
const MaxTTL = 255

// Errors.
var (
	// ErrNotSupported: MD5 or GTSM asked for on an OS without them.
	ErrNotSupported = errors.New("tcpsig: not supported on this OS")
	// ErrFamily: an IPv6 peer's key asked for on an IPv4 socket, which
	// can never carry that peer's connections.
	ErrFamily = errors.New("tcpsig: peer address family does not match the socket")
	// ErrKeyLen: a key longer than MaxKeyLen.
	ErrKeyLen = fmt.Errorf("tcpsig: TCP MD5 key longer than %d octets", MaxKeyLen)
	// ErrMPTCP: a Multipath TCP socket, which takes neither MD5 keys nor
	// the TTL options. Go listens with MPTCP by default (Go 1.24+): use a
	// net.ListenConfig with SetMultipathTCP(false).
	ErrMPTCP = errors.New("tcpsig: Multipath TCP socket (listen with net.ListenConfig.SetMultipathTCP(false))")
	// ErrGTSM: an accepted connection whose SYN arrived with a TTL below
	// the GTSM minimum (RFC 5082 §3).
	ErrGTSM = errors.New("tcpsig: SYN TTL below the GTSM minimum")
	// ErrNoSocket: a net.Conn or net.Listener with no file descriptor
	// (net.Pipe, a wrapper).
	ErrNoSocket = errors.New("tcpsig: no socket underneath")
)

// Options are the socket options of one peer's connections. The zero
// value sets the system default TTL and nothing else.
type Options struct {
	// Peer is the remote address the MD5 key is for. Control uses the
	// address it is given when Peer is the zero Addr.
	Peer netip.Addr
	// MD5Key is the RFC 2385 key; "" installs none (and removes none:
	// see SetMD5).
	MD5Key string
	// GTSM is the RFC 5082 hop count, 1 to 254 (1: directly connected);
	// 0: off. With GTSM the TTL is MaxTTL and packets arriving with a TTL
	// below MinTTL are dropped; TTL is ignored.
	GTSM uint8
	// TTL is the outgoing TTL (IPv6 hop limit), e.g. the eBGP multihop
	// count; 0: the system default.
	TTL uint8
}

// MinTTL is the smallest TTL accepted with GTSM hops (RFC 5082 §3:
// 255 - hops + 1), or 0 (no check) when hops is 0.
func MinTTL(hops uint8) uint8 {
	if hops == 0 {
		return 0
	}
	return uint8(256 - int(hops))
}

// check validates o.
func (o Options) check() error {
	if len(o.MD5Key) > MaxKeyLen {
		return ErrKeyLen
	}
	if o.GTSM == 255 {
		return errors.New("tcpsig: GTSM hop count 255 leaves no TTL to check (1 to 254)")
	}
	if (o.MD5Key != "" || o.GTSM != 0) && !Supported {
		return ErrNotSupported
	}
	return nil
}

// ttls returns the TTL to send with (-1: system default) and the minimum
// TTL to accept (0: any).
func (o Options) ttls() (ttl, min int) {
	switch {
	case o.GTSM != 0:
		return MaxTTL, int(MinTTL(o.GTSM))
	case o.TTL != 0:
		return int(o.TTL), 0
	}
	return -1, 0
}

// Control sets o on a new socket: use it as net.Dialer.Control (it runs
// before bind and connect, so the SYN is already signed and sent with
// the right TTL) or net.ListenConfig.Control (leave Peer and MD5Key
// empty there: a listener takes one key per peer with SetMD5). address
// is the remote ADDR:PORT; it names the MD5 peer when o.Peer is unset.
func (o Options) Control(network, address string, rc syscall.RawConn) error {
	if err := o.check(); err != nil {
		return err
	}
	peer := o.Peer
	if o.MD5Key != "" && !peer.IsValid() {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("tcpsig: MD5 key for %q: %w", address, err)
		}
		peer = ap.Addr()
	}
	return o.apply(rc, peer)
}

// ListenControl sets the options of a listening socket that many peers
// share; use it as net.ListenConfig.Control, with SetMultipathTCP(false):
//
//   - TTL 255, so that SYN-ACKs reach GTSM peers, which drop anything
//     less (RFC 5082 §3); Apply then sets each accepted connection's TTL
//     for its peer;
//   - TCP_SAVE_SYN, so that Apply can check the TTL the peer's SYN
//     arrived with: a connection's minimum TTL can only be set once it
//     is accepted, after the segments that came before.
//
// It does nothing outside Linux.
func ListenControl(network, address string, rc syscall.RawConn) error {
	if !Supported {
		return nil
	}
	return listenOpts(rc)
}

// Apply sets o on an existing connection (an accepted one): TTL and
// GTSM minimum TTL (resetting what a listener's options left), and the
// MD5 key for o.Peer (or the connection's remote address) when o.MD5Key
// is set. A key installed after the handshake still guards every
// later segment: a peer that does not sign is cut off. With GTSM, a
// connection whose SYN the listener saved (ListenControl) with a TTL
// below MinTTL(o.GTSM) fails with ErrGTSM: the segments it queued before
// Apply were never checked.
func (o Options) Apply(c syscall.Conn) error {
	if err := o.check(); err != nil {
		return err
	}
	rc, err := rawConn(c)
	if err != nil {
		return err
	}
	peer := o.Peer
	if o.MD5Key != "" && !peer.IsValid() {
		nc, ok := c.(net.Conn)
		if !ok {
			return errors.New("tcpsig: no peer address for the MD5 key")
		}
		a, ok := nc.RemoteAddr().(*net.TCPAddr)
		if !ok {
			return errors.New("tcpsig: no peer address for the MD5 key")
		}
		peer = a.AddrPort().Addr()
	}
	if err := o.apply(rc, peer); err != nil {
		return err
	}
	ttl, ok, err := savedSYNTTL(rc) // read anyway: it frees the saved SYN
	if err != nil || !ok || o.GTSM == 0 {
		return err
	}
	if min := MinTTL(o.GTSM); ttl < min {
		return fmt.Errorf("%w: TTL %d < %d (GTSM hops %d)", ErrGTSM, ttl, min, o.GTSM)
	}
	return nil
}

// synTTL returns the TTL of an IPv4 header (octet 8) or the hop limit of
// an IPv6 header (octet 7) at the start of b.
func synTTL(b []byte) (uint8, bool) {
	if len(b) == 0 {
		return 0, false
	}
	switch b[0] >> 4 {
	case 4:
		if len(b) >= 20 {
			return b[8], true
		}
	case 6:
		if len(b) >= 40 {
			return b[7], true
		}
	}
	return 0, false
}

func (o Options) apply(rc syscall.RawConn, peer netip.Addr) error {
	ttl, min := o.ttls()
	if err := setTTL(rc, ttl, min); err != nil {
		return err
	}
	if o.MD5Key != "" {
		return setMD5(rc, peer, o.MD5Key)
	}
	return nil
}

// SetMD5 installs key as the TCP MD5 key for connections with peer on c
// (a *net.TCPListener or *net.TCPConn; any syscall.Conn); an existing
// key of peer is replaced. key "" removes peer's key, and is not an
// error when there is none. On a listener the key must be there before
// the peer's SYN arrives: the kernel drops signed SYNs it has no key
// for. Errors: ErrKeyLen, ErrFamily (an IPv6 peer on an IPv4 socket),
// ErrNotSupported, ErrNoSocket, or the kernel's.
func SetMD5(c syscall.Conn, peer netip.Addr, key string) error {
	rc, err := rawConn(c)
	if err != nil {
		return err
	}
	return SetMD5Raw(rc, peer, key)
}

// SetMD5Raw is SetMD5 on a syscall.RawConn (inside a Control function).
func SetMD5Raw(rc syscall.RawConn, peer netip.Addr, key string) error {
	if len(key) > MaxKeyLen {
		return ErrKeyLen
	}
	if !peer.IsValid() {
		return errors.New("tcpsig: MD5 key for no address")
	}
	if !Supported {
		return ErrNotSupported
	}
	return setMD5(rc, peer, key)
}

func rawConn(c syscall.Conn) (syscall.RawConn, error) {
	if c == nil {
		return nil, ErrNoSocket
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("tcpsig: %w", err)
	}
	if rc == nil {
		return nil, ErrNoSocket
	}
	return rc, nil
}

// control runs f on rc's descriptor and returns the first error.
func control(rc syscall.RawConn, f func(fd int) error) error {
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = f(int(fd)) }); err != nil {
		return fmt.Errorf("tcpsig: %w", err)
	}
	return ferr
}
