package runner

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

const (
	httpTimeout  = 5 * time.Second // one request
	httpInterval = 200 * time.Millisecond
	maxBody      = 16 << 20
)

// httpStep runs an http= step: the request is repeated until its check
// passes or its retry window (retry=, default one try) ends.
func (t *run) httpStep(ctx context.Context, s *Step) {
	h := s.HTTP
	url := t.expand(h.URL)
	t.logf("[seq %d] %s %s", s.Seq, h.Method, url)
	tr := &http.Transport{Proxy: nil, DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: httpTimeout}
	deadline := time.Now().Add(s.Timeout)
	tries := 0
	var f *Failure
	for {
		tries++
		if f = t.httpOnce(ctx, client, h, url); f == nil {
			return
		}
		if !time.Now().Add(httpInterval).Before(deadline) || ctx.Err() != nil {
			break
		}
		select {
		case <-time.After(httpInterval):
		case <-ctx.Done():
		}
	}
	f.Line, f.Source = s.Line, s.Source
	if tries > 1 {
		f.Summary += fmt.Sprintf(" (%d tries in %s)", tries, s.Timeout)
	}
	t.fail(f)
}

func (t *run) httpOnce(ctx context.Context, client *http.Client, h *HTTPCheck, url string) *Failure {
	what := h.Method + " " + url
	var body io.Reader
	if h.Body != "" {
		body = strings.NewReader(t.expand(h.Body))
	}
	req, err := http.NewRequestWithContext(ctx, h.Method, url, body)
	if err != nil {
		return &Failure{Summary: fmt.Sprintf("%s: %v", what, err)}
	}
	for _, hd := range h.Headers {
		k, v, _ := strings.Cut(t.expand(hd), ":")
		req.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	wantStatus := "status < 400"
	if h.Status != 0 {
		wantStatus = fmt.Sprintf("status %d", h.Status)
	}
	resp, err := client.Do(req)
	if err != nil {
		return &Failure{Summary: fmt.Sprintf("%s: %v", what, err), Expected: wantStatus, Got: "no response"}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	if err != nil {
		return &Failure{Summary: fmt.Sprintf("%s: reading the body: %v", what, err)}
	}
	if (h.Status == 0 && resp.StatusCode >= 400) || (h.Status != 0 && resp.StatusCode != h.Status) {
		return &Failure{Summary: fmt.Sprintf("%s: status %d, want %s", what, resp.StatusCode, strings.TrimPrefix(wantStatus, "status ")),
			Expected: wantStatus, Got: fmt.Sprintf("status %d\n%s", resp.StatusCode, tail(string(data), 10))}
	}
	if h.Check == nil {
		return nil
	}
	want := t.expand(h.Check.Value)
	if f := evalCheck(h.Check, want, string(data), "the response body"); f != nil {
		f.Summary = what + ": " + f.Summary
		return f
	}
	return nil
}
