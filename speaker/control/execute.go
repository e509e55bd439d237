package control

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/ze-bgp/ze/speaker/router"
)

// Execute answers one request line: the body (text, or one JSON
// document and a newline) and, on failure, an error whose text is the
// one-line status message. The details of a failed reload (one
// FILE:LINE:COL problem per line) come as the body. Nothing is written
// anywhere: the caller frames and sends the answer.
func Execute(b Backend, line string) ([]byte, error) {
	req, err := ParseRequest(line)
	if err != nil {
		return nil, err
	}
	return execute(b, req, time.Now())
}

func execute(b Backend, req Request, now time.Time) ([]byte, error) {
	var sb strings.Builder
	var doc any // the JSON answer
	switch req.Command {
	case CmdHelp:
		if req.JSON {
			doc = map[string]string{"help": Help}
		} else {
			sb.WriteString(Help)
		}
	case CmdReload:
		res, err := b.Reload()
		if err != nil {
			return reloadFailed(err)
		}
		if doc = reloadJSON(&res); !req.JSON {
			appendReload(&sb, &res)
		}
	case CmdSummary:
		ns := b.Neighbors()
		if doc = map[string]any{"neighbors": neighborsJSON(ns)}; !req.JSON {
			appendSummary(&sb, ns, now)
		}
	case CmdNeighbor:
		ns := b.Neighbors()
		n, err := resolve(ns, req.Peer)
		if err != nil {
			return nil, err
		}
		if doc = map[string]any{"neighbor": neighborJSON(n)}; !req.JSON {
			appendNeighbor(&sb, n, now)
		}
	case CmdAdjIn, CmdAdjOut, CmdRIB:
		q := router.Query{Table: router.LocRIB, Family: req.Family, Prefix: req.Prefix, Longest: req.Longest, Limit: req.Limit}
		title := "Loc-RIB"
		if req.Command != CmdRIB {
			n, err := resolve(b.Neighbors(), req.Peer)
			if err != nil {
				return nil, err
			}
			q.Peer, q.Table, title = n.Name, router.AdjRIBIn, "Adj-RIB-In of "+n.Name
			if req.Command == CmdAdjOut {
				q.Table, title = router.AdjRIBOut, "Adj-RIB-Out of "+n.Name
			}
		}
		rs, more, err := b.Routes(q)
		if err != nil {
			return nil, err
		}
		if req.JSON {
			doc = routesJSON(q.Table, q.Peer, rs, more)
		} else {
			appendRoutes(&sb, title, rs, more)
		}
	case CmdStatus:
		st := b.Status()
		if doc = statusJSON(&st, now); !req.JSON {
			appendStatus(&sb, &st, now)
		}
	case CmdClear:
		var err error
		if doc, err = clear(b, req, &sb); err != nil {
			if doc == nil {
				return nil, err
			}
			body, _ := answer(req, &sb, doc)
			return body, err
		}
	default:
		return nil, fmt.Errorf("control: cannot run %s", req.Command)
	}
	return answer(req, &sb, doc)
}

// answer is the body of an answer: sb's text, or doc as one JSON
// document and a newline.
func answer(req Request, sb *strings.Builder, doc any) ([]byte, error) {
	if !req.JSON {
		return []byte(sb.String()), nil
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false) // "as-path length 2 > 1", not \u003e
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// clear runs "clear neighbor": on the peer named, or on every peer for
// "all", one line (JSON: one object) per peer saying what was done or
// why not. The error, when some peer was not cleared, is the one-line
// status.
func clear(b Backend, req Request, sb *strings.Builder) (any, error) {
	ns := b.Neighbors()
	var sel []*Neighbor
	if strings.EqualFold(req.Peer, "all") {
		for i := range ns {
			sel = append(sel, &ns[i])
		}
		if len(sel) == 0 {
			return nil, errors.New("control: no peer is configured")
		}
	} else {
		n, err := resolve(ns, req.Peer)
		if err != nil {
			return nil, err
		}
		sel = append(sel, n)
	}
	results := make([]map[string]string, 0, len(sel))
	failed := 0
	for _, n := range sel {
		done, err := b.Clear(n.Name, req.Clear)
		if err != nil {
			failed++
			results = append(results, map[string]string{"neighbor": n.Name, "error": err.Error()})
			fmt.Fprintf(sb, "%s: not cleared: %v\n", n.Name, err)
			continue
		}
		results = append(results, map[string]string{"neighbor": n.Name, "done": done})
		fmt.Fprintf(sb, "%s: %s\n", n.Name, done)
	}
	doc := map[string]any{"clear": req.Clear.String(), "neighbors": results}
	if failed > 0 {
		return doc, fmt.Errorf("clear failed for %d of %d %s", failed, len(sel), plural(len(sel), "peer", "peers"))
	}
	return doc, nil
}

// reloadFailed turns a reload error into a body (its lines) and a
// one-line status.
func reloadFailed(err error) ([]byte, error) {
	text := strings.TrimRight(err.Error(), "\n")
	n := strings.Count(text, "\n") + 1
	return []byte(text + "\n"), fmt.Errorf("reload failed (%d %s); the running configuration is kept", n, plural(n, "problem", "problems"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ErrUnknownNeighbor is returned for a request naming no configured peer.
var ErrUnknownNeighbor = errors.New("control: unknown neighbour")

// resolve finds the peer named by text: a configured name, else a
// remote address.
func resolve(ns []Neighbor, text string) (*Neighbor, error) {
	for i := range ns {
		if ns[i].Name == text {
			return &ns[i], nil
		}
	}
	if a, err := netip.ParseAddr(text); err == nil {
		for i := range ns {
			if ns[i].RemoteAddr.Unmap() == a.Unmap() {
				return &ns[i], nil
			}
		}
	}
	var names []string
	for i := range ns {
		if len(names) == 8 {
			names = append(names, "…")
			break
		}
		names = append(names, ns[i].Name)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%w %s (no peer is configured)", ErrUnknownNeighbor, quote(text))
	}
	return nil, fmt.Errorf("%w %s (want a name or remote address: %s)", ErrUnknownNeighbor, quote(text), strings.Join(names, ", "))
}
