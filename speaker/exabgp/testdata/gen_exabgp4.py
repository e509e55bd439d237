#!/usr/bin/env python3
"""Regenerate the ExaBGP 4.x golden files under testdata/exabgp4/.

Each capture's messages (/work/shared/data/pcap/X.hex.txt, directions and
TCP streams from X.msgs.tsv) are decoded by the installed ExaBGP 4.2
library with the encoding context both OPENs of the message's session
negotiated for its receiver, and rendered by ExaBGP's own JSON encoder
(what its process API prints for a received message: direction "in",
neighbor 127.0.0.1/127.0.0.1 AS 65533/65533). Decoding happens as in
`exabgp --decode` (Message.unpack + Response.JSON), plus the live
session's treat-as-withdraw rewrite.

Also renders testdata/synthetic.txt (hand-made messages for the edges the
captures miss) into exabgp4/synthetic.golden.

Output, per message, three lines:
    ctx asn4=0|1 addpath=FAMILY,... extnh=0|1
    HEX
    JSON            (or "error TEXT" when ExaBGP raised)

Usage: python3 gen_exabgp4.py [PCAP_DIR [OUT_DIR]]
Run from any directory; needs ExaBGP 4.2 in /usr/lib/python3/dist-packages.
"""

import os
import sys
import tempfile

sys.path.insert(0, '/usr/lib/python3/dist-packages')
os.environ.setdefault('EXABGP_ETC', '/etc/exabgp')

from exabgp.application.bgp import get_env  # noqa: E402

get_env(None)

from exabgp.configuration.configuration import Configuration  # noqa: E402
from exabgp.bgp.message import Message, IN  # noqa: E402
from exabgp.bgp.message.direction import Direction  # noqa: E402
from exabgp.bgp.message.open import Open, Version, ASN, HoldTime, RouterID  # noqa: E402
from exabgp.bgp.message.open.capability import Capabilities, Capability, Negotiated  # noqa: E402
from exabgp.bgp.message.update.attribute import Attribute  # noqa: E402
from exabgp.protocol.family import AFI, SAFI  # noqa: E402
from exabgp.reactor.api.response import Response  # noqa: E402
from exabgp.version import json as json_version  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PCAP = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/data/pcap'
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, 'exabgp4')

# Captures and how many messages of each to keep (None: all).
CAPTURES = {
    'bird-frr-extended-message-large-updates': None,
    'bird-frr-large-200k-ipv4-50k-ipv6': 120,
    'bird-frr-notification-cease-config-change': None,
    'bird-openbgpd-ebgp-v4v6-addpath-role-vpn': None,
    'exabgp-frr-bird-asn2-asn4-as4path-as-trans': None,
    'exabgp-frr-notification-hold-timer-expired': None,
    'exabgp-frr-notification-update-malformed-attribute-list': None,
    'exabgp-gobgp-ibgp-addpath-v4v6': None,
    'exabgp-gobgp-multifamily-ebgp-asn4': None,
    'frr-bird-ebgp-ipv6-transport-extnh-role-addpath-vpn-flowspec': None,
    'frr-frr-ebgp-rfc9072-extended-optparams-9-families': None,
    'gobgp-rr-ibgp-evpn-mup-flowspec-addpath': None,
}

# The families assumed negotiated when no OPEN tells (synthetic messages).
ALL_FAMILIES = [(1, 1), (2, 1), (1, 2), (2, 2), (1, 4), (2, 4), (1, 128), (2, 128), (25, 65), (25, 70),
                (1, 133), (2, 133), (1, 134), (2, 134), (1, 85), (2, 85), (16388, 71)]

CONF = """
neighbor 127.0.0.1 {
    router-id 127.0.0.1;
    local-address 127.0.0.1;
    local-as 65533;
    peer-as 65533;
    family { ipv4 unicast; }
}
"""


def neighbor():
    with tempfile.NamedTemporaryFile('w', suffix='.conf', delete=False) as f:
        f.write(CONF)
        name = f.name
    try:
        conf = Configuration([name])
        if not conf.reload():
            raise SystemExit('exabgp configuration: %s' % conf.error)
        return conf.neighbors[list(conf.neighbors)[0]]
    finally:
        os.unlink(name)


NEIGHBOR = neighbor()
ENCODER = Response.JSON(json_version)


def open_caps(raw):
    """Capabilities of a wire OPEN as {code: [values]} (RFC 5492, RFC 9072)."""
    body = raw[19:]
    caps = {}
    if len(body) < 10:
        return caps
    params = body[10 : 10 + body[9]]
    ext = body[9] == 255 and len(params) > 0 and params[0] == 255
    if ext:  # RFC 9072: type 255, 2-octet length, 2-octet parameter lengths
        total = int.from_bytes(body[11:13], 'big')
        params, step = body[13 : 13 + total], 3
    else:
        step = 2
    while len(params) >= step:
        ptype = params[0]
        plen = int.from_bytes(params[1:step], 'big')
        value, params = params[step : step + plen], params[step + plen :]
        if ptype != 2:
            continue
        while len(value) >= 2:
            code, clen = value[0], value[1]
            caps.setdefault(code, []).append(value[2 : 2 + clen])
            value = value[2 + clen :]
    return caps


def families(caps):
    out = set()
    for v in caps.get(1, []):
        if len(v) == 4:
            out.add((int.from_bytes(v[0:2], 'big'), v[3]))
    return out


def addpath(caps):
    out = {}
    for v in caps.get(69, []):
        while len(v) >= 4:
            out[(int.from_bytes(v[0:2], 'big'), v[2])] = v[3]
            v = v[4:]
    return out


def extnh(caps):
    out = set()
    for v in caps.get(5, []):
        while len(v) >= 6:
            out.add((int.from_bytes(v[0:2], 'big'), int.from_bytes(v[2:4], 'big')))
            v = v[6:]
    return out


def context(sender, receiver):
    """The receiver's decoding context, as ExaBGP's Negotiated computes it."""
    if sender is None or receiver is None:
        return {'asn4': True, 'addpath': set(), 'families': None, 'extnh': False}
    asn4 = 65 in sender and 65 in receiver
    s, r = addpath(sender), addpath(receiver)
    ap = set(k for k in s if s[k] & 2 and r.get(k, 0) & 1)
    fams = families(sender) & families(receiver)
    nh = bool(extnh(sender) & extnh(receiver))
    return {'asn4': asn4, 'addpath': ap, 'families': fams, 'extnh': nh}


def negotiated(ctx):
    capa = Capabilities().new(NEIGHBOR, False)
    o1 = Open(Version(4), ASN(65533), HoldTime(180), RouterID('127.0.0.1'), capa)
    o2 = Open(Version(4), ASN(65533), HoldTime(180), RouterID('127.0.0.2'), capa)
    neg = Negotiated(NEIGHBOR)
    neg.sent(o1)
    neg.received(o2)
    neg.asn4 = ctx['asn4']
    neg.addpath._receive = dict(((AFI.create(a), SAFI.create(s)), True) for a, s in ctx['addpath'])
    neg.addpath._send = dict(neg.addpath._receive)
    if ctx['families'] is None:
        fams = [(AFI.create(a), SAFI.create(s)) for a, s in ALL_FAMILIES]
    else:
        fams = [(AFI.create(a), SAFI.create(s)) for a, s in sorted(ctx['families'])]
    neg.families = fams
    neg.nexthop = [(AFI.ipv4, SAFI.unicast, AFI.ipv6)] if ctx['extnh'] else []
    return neg


def render(raw, neg):
    kind = raw[18]
    body = raw[19:]
    msg = Message.unpack(kind, body, Direction.IN, neg)
    if kind == 2:
        if Attribute.CODE.INTERNAL_TREAT_AS_WITHDRAW in msg.attributes:
            for nlri in msg.nlris:
                nlri.action = IN.WITHDRAWN
        return ENCODER.update(NEIGHBOR, 'in', msg, None, b'', b'')
    if kind == 1:
        return ENCODER.open(NEIGHBOR, 'in', msg, None, b'', b'')
    if kind == 3:
        return ENCODER.notification(NEIGHBOR, 'in', msg, None, b'', b'')
    if kind == 4:
        return ENCODER.keepalive(NEIGHBOR, 'in', None, b'', b'')
    if kind == 5:
        return ENCODER.refresh(NEIGHBOR, 'in', msg, None, b'', b'')
    raise ValueError('message type %d' % kind)


def ctx_line(ctx):
    fams = ','.join('%d/%d' % f for f in sorted(ctx['addpath']))
    return 'ctx asn4=%d addpath=%s extnh=%d' % (ctx['asn4'], fams, ctx['extnh'])


def capture(name, limit):
    with open(os.path.join(PCAP, name + '.hex.txt')) as f:
        lines = [line.strip() for line in f if line.strip()]
    meta = []
    tsv = os.path.join(PCAP, name + '.msgs.tsv')
    if os.path.exists(tsv):
        with open(tsv) as f:
            rows = [line.rstrip('\n').split('\t') for line in f][1:]
        meta = [(r[5], r[3], r[4]) for r in rows]  # stream, src, dst
    if limit:
        lines = lines[:limit]
    opens = {}
    out = ['# %s: ExaBGP %s JSON (gen_exabgp4.py)' % (name, json_version)]
    for i, hexline in enumerate(lines):
        raw = bytes.fromhex(hexline)
        stream, src, dst = meta[i] if i < len(meta) else ('0', 'a' if i % 2 == 0 else 'b', 'b' if i % 2 == 0 else 'a')
        if not meta:  # one session, direction unknown: OPENs alternate
            src, dst = ('a', 'b') if len(opens.get(stream, {})) == 0 else ('b', 'a')
        if raw[18] == 1:
            opens.setdefault(stream, {})[src] = open_caps(raw)
        peers = opens.get(stream, {})
        if not meta and len(peers) == 2:
            ctx = context(peers['a'], peers['b'])
            other = context(peers['b'], peers['a'])
            ctx['addpath'] &= other['addpath']
        else:
            ctx = context(peers.get(src), peers.get(dst))
        try:
            text = render(raw, negotiated(ctx))
        except BaseException as exc:  # ExaBGP raised: the live session would reset
            text = 'error %s: %s' % (type(exc).__name__, str(exc).replace('\n', ' '))
        out += [ctx_line(ctx), hexline, text]
    with open(os.path.join(OUT, name + '.golden'), 'w') as f:
        f.write('\n'.join(out) + '\n')


def synthetic():
    """Hand-made messages (synthetic.txt: "# comment" lines, then "CTX HEX")."""
    out = ['# synthetic.txt: ExaBGP %s JSON (gen_exabgp4.py)' % json_version]
    with open(os.path.join(HERE, 'synthetic.txt')) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            if line.startswith('#'):
                out.append(line)
                continue
            *fields, hexline = line.split()
            kv = dict(field.split('=', 1) for field in fields)
            ap = set()
            for fam in filter(None, kv.get('addpath', '').split(',')):
                a, s = fam.split('/')
                ap.add((int(a), int(s)))
            ctx = {'asn4': kv.get('asn4') == '1', 'addpath': ap, 'families': None, 'extnh': kv.get('extnh') == '1'}
            try:
                text = render(bytes.fromhex(hexline), negotiated(ctx))
            except BaseException as exc:
                text = 'error %s: %s' % (type(exc).__name__, str(exc).replace('\n', ' '))
            out += [ctx_line(ctx), hexline, text]
    with open(os.path.join(OUT, 'synthetic.golden'), 'w') as f:
        f.write('\n'.join(out) + '\n')


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, limit in CAPTURES.items():
        capture(name, limit)
    synthetic()


if __name__ == '__main__':
    main()
