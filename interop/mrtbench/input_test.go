//go:build mrtbench

package mrtbench

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ze-bgp/ze/mrt"
	"github.com/ze-bgp/ze/speaker/attr"
)

// input is one benchmark file, gzip and plain, repeated copies times.
type input struct {
	name    string
	gz      string // path of the gzip file (members concatenated)
	plain   string // path of the decompressed file
	data    []byte // the decompressed file
	gzSize  int64
	records int64
	gobgp   bool // GoBGP can read it
}

// sharedDir is the shared data folder (ZE_SHARED_DATA, default
// ../shared/data beside the repository).
func sharedDir() string {
	if d := os.Getenv("ZE_SHARED_DATA"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "data")
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// inputs builds the three inputs in dir: bgpdump's RIB dump as it is
// (TABLE_DUMP) and converted to TABLE_DUMP_V2, and its update file
// (BGP4MP_ET), each repeated copies times.
func inputs(t testing.TB, dir string, copies int) []*input {
	t.Helper()
	src := filepath.Join(sharedDir(), "mrt", "bgpdump", "test_data")
	rib := filepath.Join(src, "bview.20020722.2337.gz")
	upd := filepath.Join(src, "updates.et-header.2015.gz")
	for _, p := range []string{rib, upd} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("input missing: %v", err)
		}
	}
	ribGz, err := os.ReadFile(rib)
	if err != nil {
		t.Fatal(err)
	}
	updGz, err := os.ReadFile(upd)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := toTableDumpV2(gunzip(t, ribGz))
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(v2) //nolint:errcheck // a bytes.Buffer does not fail
	zw.Close()
	x := fmt.Sprintf("×%d", copies)
	return []*input{
		makeInput(t, dir, "bview.20020722.2337 (TABLE_DUMP) "+x, "rib-v1", ribGz, copies, false),
		makeInput(t, dir, "bview.20020722.2337 as TABLE_DUMP_V2 "+x, "rib-v2", z.Bytes(), copies, true),
		makeInput(t, dir, "updates.et-header.2015 (BGP4MP_ET) "+x, "updates", updGz, copies, true),
	}
}

// makeInput writes gz repeated copies times (a multi-member gzip file)
// and its decompressed form.
func makeInput(t testing.TB, dir, name, base string, gz []byte, copies int, gobgp bool) *input {
	t.Helper()
	in := &input{name: name, gz: filepath.Join(dir, base+".gz"), plain: filepath.Join(dir, base+".mrt"), gobgp: gobgp}
	all := bytes.Repeat(gz, copies)
	in.gzSize = int64(len(all))
	in.data = bytes.Repeat(gunzip(t, gz), copies)
	if err := os.WriteFile(in.gz, all, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in.plain, in.data, 0o644); err != nil {
		t.Fatal(err)
	}
	var tl tally
	if err := zeBytes(in.data, &tl); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	in.records = tl.Records
	return in
}

func gunzip(t testing.TB, gz []byte) []byte {
	t.Helper()
	z, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// toTableDumpV2 converts a TABLE_DUMP (version 1) dump to TABLE_DUMP_V2
// (RFC 6396 §4.3) with package mrt's writer: a PEER_INDEX_TABLE of the
// peers in the order they first appear, then one RIB record per run of
// records for the same prefix, with AS_PATH and AGGREGATOR widened to 4
// octets (§4.3.4).
func toTableDumpV2(plain []byte) ([]byte, error) {
	r, err := mrt.NewReader(bytes.NewReader(plain))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	type route struct {
		when time.Time
		td   mrt.TableDump
		raw  []byte
	}
	var routes []route
	index := map[[2]any]int{}
	var peers []mrt.IndexPeer
	for r.Next() {
		raw := append([]byte(nil), r.Record().Raw...)
		rec := *r.Record()
		rec.Raw, rec.Body = raw, raw[len(raw)-len(rec.Body):]
		td, err := mrt.ParseTableDump(&rec)
		if err != nil {
			return nil, err
		}
		k := [2]any{td.PeerIP, td.PeerAS}
		if _, ok := index[k]; !ok {
			index[k] = len(peers)
			peers = append(peers, mrt.IndexPeer{IP: td.PeerIP, AS: td.PeerAS})
		}
		routes = append(routes, route{rec.Time(), td, raw})
	}
	if len(routes) == 0 {
		return nil, fmt.Errorf("no TABLE_DUMP records")
	}
	out, err := mrt.AppendPeerIndexTable(nil, routes[0].when, peers[0].IP, "", peers)
	if err != nil {
		return nil, err
	}
	var seq uint32
	for i := 0; i < len(routes); {
		j := i
		var paths []mrt.RIBPath
		for ; j < len(routes) && routes[j].td.Prefix() == routes[i].td.Prefix(); j++ {
			td := &routes[j].td
			a, err := widen(td.Attrs, td.AS4())
			if err != nil {
				return nil, err
			}
			paths = append(paths, mrt.RIBPath{
				PeerIndex: uint16(index[[2]any{td.PeerIP, td.PeerAS}]), Originated: time.Unix(int64(td.Originated), 0), Attrs: a,
			})
		}
		if out, err = mrt.AppendRIB(out, routes[i].when, seq, routes[i].td.Family, false, routes[i].td.Prefix(), paths); err != nil {
			return nil, err
		}
		seq++
		i = j
	}
	return out, nil
}

// widen rewrites AS_PATH and AGGREGATOR with 4-octet AS numbers.
func widen(attrs []byte, as4 bool) ([]byte, error) {
	if as4 {
		return attrs, nil
	}
	var out []byte
	it := attr.NewIterator(attrs)
	for it.Next() {
		switch it.Code() {
		case attr.CodeASPath:
			segs, err := attr.Segments(it.Value(), false)
			if err != nil {
				return nil, err
			}
			out = attr.AppendASPath(out, segs, true)
		case attr.CodeAggregator:
			a, err := attr.ParseAggregator(attr.CodeAggregator, it.Value(), false)
			if err != nil {
				return nil, err
			}
			out = attr.AppendAggregator(out, a, true)
		default:
			out = append(out, it.Raw()...)
		}
	}
	return out, it.Err()
}
