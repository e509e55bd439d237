package peer

// Queued returns how many messages wait in the outgoing queue of the
// session's established connection (0 without one) and the queue's
// capacity (Config.QueueLen). It is cheap: the daemon polls it to learn
// when a session whose Send failed with ErrQueueFull has room again.
func (s *Session) Queued() (n, capacity int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.main.c; c != nil {
		n = len(c.out)
	}
	return n, s.cfg.QueueLen
}
