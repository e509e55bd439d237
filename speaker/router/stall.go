package router

// IsStalled reports whether s is up and stalled: a Send to it failed
// and its changes wait for Resync.
func (r *Router) IsStalled(s Session) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.bySess[s]
	return p != nil && p.stalled
}
