package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"strings"

	"github.com/ze-bgp/ze/internal/cli"
	"github.com/ze-bgp/ze/mrt"
	"github.com/ze-bgp/ze/mrt/bgpdump"
	"github.com/ze-bgp/ze/mrt/dump"
	"github.com/ze-bgp/ze/mrt/filter"
)

const mrtUsage = `usage: ze mrt dump [flags] FILE …

Prints the routes and events of MRT files (RFC 6396: TABLE_DUMP,
TABLE_DUMP_V2, BGP4MP, BGP4MP_ET, the legacy BGP type), plain, gzip or
bzip2 ('-' reads stdin). docs/mrt.md describes the formats and filters.

Output (one of):
  -m          bgpdump -m lines, byte for byte (the default)
  -M          bgpdump -M lines (human-readable times, fewer fields)
  --json      one ze JSON object per RIB route, BGP message or state change
  --hex       one BGP message per line in hex, for 'ze bgp decode'

bgpdump's options for -m and -M (as bgpdump 1.6.2 prints them):
  -t dump     RIB lines show the time of the dump (the default)
  -t change   RIB lines show the route's last change (originated time)
  -p          the packet index (record number from 0) as second column
  -l          -m: a large communities column after the communities
  -u          -m: a column of the attributes bgpdump does not decode
              ("TYPE:FLAGS:VALUE" in hex) after the aggregator

Damaged input is reported on stderr (offset and reason) and read past;
the exit status is then 1.

Flags:
`

// mrtMain runs `ze mrt SUBCOMMAND …` (args start after "mrt").
func mrtMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, "usage: ze mrt dump [flags] FILE …\n       ze mrt stats [flags] FILE …\n")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	switch args[0] {
	case "dump":
		return mrtDump(args[1:], stdin, stdout, stderr)
	case "stats":
		return mrtStats(args[1:], stdin, stdout, stderr)
	}
	fmt.Fprintf(stderr, "ze: unknown command 'mrt %s' (want dump or stats)\n", args[0])
	return 2
}

// mrtFilterFlags registers the filter flags and returns a function that
// builds the filter once the flags are parsed.
func mrtFilterFlags(fs *flag.FlagSet) func() (*filter.Filter, error) {
	var (
		prefix    = fs.String("prefix", "", "only routes for `PREFIX` (exact; see --include-super, --include-sub)")
		super     = fs.Bool("include-super", false, "with --prefix: also less specific prefixes covering it")
		sub       = fs.Bool("include-sub", false, "with --prefix: also more specific prefixes inside it")
		origin    = fs.Uint("origin-asn", 0, "only routes whose AS path ends with `ASN`")
		peerIP    = fs.String("peer-ip", "", "only routes and events of the peer at `ADDRESS`")
		peerASN   = fs.Uint("peer-asn", 0, "only routes and events of peers of `ASN`")
		asPath    = fs.String("as-path", "", "only routes whose AS path text (\"1 2 {3,4}\") matches `REGEX`")
		community = fs.String("community", "", "only routes with `COMMUNITY` (65000:1, no-export, or large 1:2:3)")
		kind      = fs.String("type", "", "only `TYPE` lines: announce, withdraw, rib, state (comma-separated)")
		start     = fs.String("start-ts", "", "only records at or after `TIME` (Unix seconds or RFC 3339)")
		end       = fs.String("end-ts", "", "only records at or before `TIME` (Unix seconds or RFC 3339)")
	)
	return func() (*filter.Filter, error) {
		f := &filter.Filter{}
		var err error
		set := map[string]bool{}
		fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
		if *prefix != "" {
			if f.Prefix, err = filter.ParsePrefix(*prefix); err != nil {
				return nil, err
			}
			f.IncludeSuper, f.IncludeSub = *super, *sub
		} else if *super || *sub {
			return nil, fmt.Errorf("--include-super and --include-sub need --prefix")
		}
		if set["origin-asn"] {
			f.OriginASN, f.HasOriginASN = uint32(*origin), true
		}
		if *peerIP != "" {
			if f.PeerIP, err = netip.ParseAddr(*peerIP); err != nil {
				return nil, fmt.Errorf("--peer-ip: %v", err)
			}
		}
		if set["peer-asn"] {
			f.PeerASN, f.HasPeerASN = uint32(*peerASN), true
		}
		if *asPath != "" {
			if f.ASPath, err = regexp.Compile(*asPath); err != nil {
				return nil, fmt.Errorf("--as-path: %v", err)
			}
		}
		if *community != "" {
			if err = f.SetCommunity(*community); err != nil {
				return nil, fmt.Errorf("--community: %v", err)
			}
		}
		if *kind != "" {
			if f.Kinds, err = filter.ParseKind(*kind); err != nil {
				return nil, err
			}
		}
		if *start != "" {
			if f.Start, err = filter.ParseTime(*start); err != nil {
				return nil, fmt.Errorf("--start-ts: %v", err)
			}
			f.HasStart = true
		}
		if *end != "" {
			if f.End, err = filter.ParseTime(*end); err != nil {
				return nil, fmt.Errorf("--end-ts: %v", err)
			}
			f.HasEnd = true
		}
		return f, nil
	}
}

func mrtDump(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ze mrt dump", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		lines   = fs.Bool("m", false, "bgpdump -m lines (the default)")
		compact = fs.Bool("M", false, "bgpdump -M lines")
		asJSON  = fs.Bool("json", false, "ze JSON objects")
		asHex   = fs.Bool("hex", false, "hex BGP messages")
		_       = fs.Bool("v", false, "ignored (bgpdump's log to stderr)")
		times   = fs.String("t", "dump", "-m/-M: RIB line times: `dump` or change (the route's originated time)")
		index   = fs.Bool("p", false, "-m/-M: the packet index as second column")
		large   = fs.Bool("l", false, "-m: the large communities column")
		unknown = fs.Bool("u", false, "-m: the column of attributes bgpdump does not decode")
	)
	buildFilter := mrtFilterFlags(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, mrtUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(cli.Interleave(fs, args)); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	o := dump.Options{}
	n := 0
	for _, f := range []struct {
		on  bool
		fmt dump.Format
	}{{*lines, dump.FormatLines}, {*compact, dump.FormatCompact}, {*asJSON, dump.FormatJSON}, {*asHex, dump.FormatHex}} {
		if f.on {
			o.Format = f.fmt
			n++
		}
	}
	if n > 1 {
		fmt.Fprintln(stderr, "ze: give one of -m, -M, --json, --hex")
		return 2
	}
	bo, err := bgpdumpOptions(fs, o.Format, *times, *index, *large, *unknown)
	if err != nil {
		fmt.Fprintln(stderr, "ze:", err)
		return 2
	}
	f, err := buildFilter()
	if err != nil {
		fmt.Fprintln(stderr, "ze:", err)
		return 2
	}
	o.Filter, o.Bgpdump = f, bo
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "ze: give an MRT file ('-' for stdin)")
		return 2
	}
	out := bufio.NewWriterSize(stdout, 64<<10)
	rc := 0
	for _, path := range fs.Args() {
		var r *mrt.Reader
		if path == "-" {
			r, err = mrt.NewReader(stdin)
		} else {
			r, err = mrt.Open(path)
		}
		if err != nil {
			out.Flush()
			fmt.Fprintln(stderr, "ze:", err)
			rc = 1
			continue
		}
		sum, err := dump.Run(r, out, o)
		r.Close()
		if err != nil {
			fmt.Fprintf(stderr, "ze: writing: %v\n", err)
			return 1
		}
		if sum.Damage.Count > 0 {
			out.Flush()
			reportDamage(stderr, path, sum)
			rc = 1
		}
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(stderr, "ze: writing: %v\n", err)
		return 1
	}
	return rc
}

// maxDamageShown bounds the damage cases listed on stderr per file.
const maxDamageShown = 20

// reportDamage writes the damage summary of one file.
func reportDamage(w io.Writer, path string, sum dump.Summary) {
	fmt.Fprintf(w, "ze: %s: %d damaged (of %d records read):\n", path, sum.Damage.Count, sum.Records)
	for i, d := range sum.Damage.Kept {
		if i == maxDamageShown {
			fmt.Fprintf(w, "  … %d more\n", sum.Damage.Count-maxDamageShown)
			break
		}
		fmt.Fprintf(w, "  %s\n", d)
	}
}

// bgpdumpOptions checks bgpdump's -t, -p, -l and -u: valid values, and
// given only with -m or -M.
func bgpdumpOptions(fs *flag.FlagSet, format dump.Format, times string, index, large, unknown bool) (bgpdump.Options, error) {
	var o bgpdump.Options
	switch times {
	case "dump":
	case "change":
		o.ChangeTime = true
	default:
		return o, fmt.Errorf("-t %q: want -t dump or -t change", times)
	}
	o.PacketIndex, o.LargeCommunities, o.Unassigned = index, large, unknown
	if format == dump.FormatJSON || format == dump.FormatHex {
		var given []string
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "t", "p", "l", "u":
				given = append(given, "-"+f.Name)
			}
		})
		if len(given) > 0 {
			return o, fmt.Errorf("%s: bgpdump options, valid only with -m or -M (not --json or --hex)", strings.Join(given, ", "))
		}
	}
	return o, nil
}
