package stats

// The rate over time is counted in buckets whose width comes from a
// ladder of round durations, each a multiple of the one before, so that
// buckets aligned on the Unix epoch nest: counts kept at a fine width
// add up exactly into any coarser one. The Collector keeps per-peer
// counts at the finest width that holds the file's span in at most
// maxFineBuckets buckets, and widens (merging neighbours) as the span
// grows; a report then picks the width its table or chart needs.
var ladder = []int64{
	1, 5, 10, 30, // seconds
	60, 5 * 60, 15 * 60, 30 * 60, // minutes
	3600, 2 * 3600, 6 * 3600, 12 * 3600, // hours
	86400, 7 * 86400, 28 * 86400, // days
}

// maxFineBuckets bounds the buckets kept per peer: the span of the
// updates seen, at the current width.
const maxFineBuckets = 1024

// rateState is the Collector's bucket width and the span of the
// announcements and withdrawals seen.
type rateState struct {
	step     int    // index into ladder: the width of every series
	lo, hi   uint32 // first and last timestamps counted
	any      bool
	minB     int64 // lo and hi's buckets at the current width
	maxB     int64
	totalAnn uint64
	totalWd  uint64
}

// series counts one peer's announcements and withdrawals per bucket,
// from bucket base on (at the Collector's width).
type series struct {
	base    int64
	ann, wd []uint32
	ann64   uint64 // totals, for ranking peers
	wd64    uint64
}

func (s *series) add(b int64, ann, wd uint64) {
	switch {
	case len(s.ann) == 0:
		s.base = b
		s.ann, s.wd = []uint32{0}, []uint32{0}
	case b < s.base:
		k := int(s.base - b)
		s.ann = append(make([]uint32, k, k+len(s.ann)), s.ann...)
		s.wd = append(make([]uint32, k, k+len(s.wd)), s.wd...)
		s.base = b
	}
	for b-s.base >= int64(len(s.ann)) {
		s.ann, s.wd = append(s.ann, 0), append(s.wd, 0)
	}
	i := b - s.base
	s.ann[i] = satAdd(s.ann[i], ann)
	s.wd[i] = satAdd(s.wd[i], wd)
	s.ann64 += ann
	s.wd64 += wd
}

// satAdd adds without wrapping past the largest uint32.
func satAdd(a uint32, b uint64) uint32 {
	if s := uint64(a) + b; s < 1<<32 {
		return uint32(s)
	}
	return 1<<32 - 1
}

// widen regroups the series by factor (the new width over the old).
func (s *series) widen(factor int64) {
	if len(s.ann) == 0 {
		return
	}
	nb := s.base / factor
	n := int((s.base+int64(len(s.ann))-1)/factor-nb) + 1
	ann, wd := make([]uint32, n), make([]uint32, n)
	for i := range s.ann {
		j := (s.base+int64(i))/factor - nb
		ann[j] = satAdd(ann[j], uint64(s.ann[i]))
		wd[j] = satAdd(wd[j], uint64(s.wd[i]))
	}
	s.base, s.ann, s.wd = nb, ann, wd
}

// add counts ann announcements and wd withdrawals of peer p at time ts,
// widening every series when the span outgrows maxFineBuckets.
func (r *rateState) add(c *Collector, p *peerStats, ts uint32, ann, wd uint64) {
	w := ladder[r.step]
	if !r.any {
		r.lo, r.hi, r.any = ts, ts, true
	}
	r.lo, r.hi = min(r.lo, ts), max(r.hi, ts)
	r.totalAnn += ann
	r.totalWd += wd
	for r.step < len(ladder)-1 && int64(r.hi)/w-int64(r.lo)/w >= maxFineBuckets {
		r.step++
		factor := ladder[r.step] / w
		w = ladder[r.step]
		for _, q := range c.peers {
			q.series.widen(factor)
		}
	}
	r.minB, r.maxB = int64(r.lo)/w, int64(r.hi)/w
	p.series.add(int64(ts)/w, ann, wd)
}

// width returns the smallest ladder width (seconds), no finer than the
// series', that covers the span in at most max buckets.
func (r *rateState) width(max int) int64 {
	for i := r.step; i < len(ladder); i++ {
		w := ladder[i]
		if int64(r.hi)/w-int64(r.lo)/w < int64(max) {
			return w
		}
	}
	return ladder[len(ladder)-1]
}

// regroup returns the counts of s at width w (a multiple of the series'
// width fine), bucket 0 starting at first×w, n buckets.
func (s *series) regroup(fine, w, first int64, n int) (ann, wd []uint64) {
	ann, wd = make([]uint64, n), make([]uint64, n)
	factor := w / fine
	for i := range s.ann {
		j := (s.base+int64(i))/factor - first
		if j < 0 || j >= int64(n) {
			continue
		}
		ann[j] += uint64(s.ann[i])
		wd[j] += uint64(s.wd[i])
	}
	return ann, wd
}
