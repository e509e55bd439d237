package control

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// serveFake starts a server for b on a socket in a temporary directory
// and returns its path; the server is closed at the end of the test.
func serveFake(t *testing.T, b Backend) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ze.sock")
	ln, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(b, nil)
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		s.Close()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Serve did not return after Close")
		}
	})
	return path
}

func TestAppendFrame(t *testing.T) {
	for _, tc := range []struct {
		body string
		err  error
		want string
	}{
		{"", nil, ".ok\n"},
		{"a\nb\n", nil, "a\nb\n.ok\n"},
		{"no newline", nil, "no newline\n.ok\n"},
		{".hidden\n..two\n.\n", nil, "..hidden\n...two\n..\n.ok\n"},
		{"", errors.New("control: unknown command \"x\""), ".error unknown command \"x\"\n"},
		{"detail\n", errors.New("two\nlines"), "detail\n.error two; lines\n"},
	} {
		if got := string(AppendFrame(nil, []byte(tc.body), tc.err)); got != tc.want {
			t.Errorf("AppendFrame(%q, %v) = %q, want %q", tc.body, tc.err, got, tc.want)
		}
	}
}

// TestClientUnstuffs: what AppendFrame sends, Client.Do reads back.
func TestClientUnstuffs(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	c := &Client{conn: b, r: bufio.NewReader(b), Timeout: 5 * time.Second}
	defer c.Close()
	go func() {
		r := bufio.NewReader(a)
		r.ReadString('\n')
		a.Write(AppendFrame(nil, []byte(".x\nplain\n..y\n"), nil))
		r.ReadString('\n')
		a.Write(AppendFrame(nil, []byte("why\n"), errors.New("it failed")))
	}()
	body, err := c.Do("first")
	if err != nil || string(body) != ".x\nplain\n..y\n" {
		t.Errorf("Do = %q, %v", body, err)
	}
	body, err = c.Do("second")
	var re *RemoteError
	if !errors.As(err, &re) || re.Msg != "it failed" || string(body) != "why\n" {
		t.Errorf("Do = %q, %v", body, err)
	}
	if _, err := c.Do("two\nlines"); err == nil {
		t.Error("a request with a newline was sent")
	}
}

// TestServer: several clients at once, each with several requests on
// its connection; the socket file is mode 0600.
func TestServer(t *testing.T) {
	b := newFakeBackend(t)
	path := serveFake(t, b)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 || fi.Mode()&os.ModeSocket == 0 {
		t.Errorf("socket mode %v", fi.Mode())
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := Dial(path)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			for j := range 5 {
				req := []string{"show neighbor summary", "show rib json", "show neighbor inject", "bogus", "show rib 10.0.0.0/24"}[(i+j)%5]
				body, err := c.Do(req)
				switch {
				case req == "bogus":
					var re *RemoteError
					if !errors.As(err, &re) || !strings.HasPrefix(re.Msg, `unknown command "bogus"`) {
						errs <- fmt.Errorf("bogus: %v", err)
					}
				case err != nil:
					errs <- fmt.Errorf("%s: %v", req, err)
				case !strings.Contains(string(body), "inject"):
					errs <- fmt.Errorf("%s: %q", req, body)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestServerLimits: a line past MaxLine is refused and the connection
// closed; more than MaxClients at once are refused; Close ends the
// connections in progress.
func TestServerLimits(t *testing.T) {
	b := newFakeBackend(t)
	b.block = make(chan struct{})
	path := serveFake(t, b)

	nc, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	nc.Write([]byte(strings.Repeat("x", MaxLine+10) + "\n"))
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(nc)
	if line, _ := r.ReadString('\n'); !strings.HasPrefix(line, ".error request longer than") {
		t.Errorf("long line: %q", line)
	}
	if _, err := r.ReadString('\n'); err == nil {
		t.Error("the connection stayed open")
	}
	nc.Close()

	// MaxClients requests wait in Routes; one more client is refused.
	var conns []net.Conn
	for range MaxClients {
		c, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("show rib\n"))
		conns = append(conns, c)
	}
	waitQueries := time.Now().Add(5 * time.Second)
	extra, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	extra.SetReadDeadline(waitQueries)
	if line, _ := bufio.NewReader(extra).ReadString('\n'); line != fmt.Sprintf(".error too many clients (%d)\n", MaxClients) {
		t.Errorf("extra client: %q", line)
	}
	extra.Close()
	close(b.block)
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		rr := bufio.NewReader(c)
		for {
			line, err := rr.ReadString('\n')
			if err != nil {
				t.Fatalf("blocked client: %v", err)
			}
			if line == ".ok\n" {
				break
			}
		}
		c.Close()
	}
}

func TestListen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "ze.sock")
	ln, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("directory: %v %v", fi.Mode(), err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	if _, err := Listen(path); !errors.Is(err, ErrInUse) {
		t.Errorf("second Listen: %v, want ErrInUse", err)
	}
	// A socket left behind by a daemon that is gone is replaced.
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("stale socket gone: %v", err)
	}
	ln2, err := Listen(path)
	if err != nil {
		t.Fatalf("over a stale socket: %v", err)
	}
	ln2.Close()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("Close left the socket file: %v", err)
	}
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := Listen(file); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Errorf("over a file: %v", err)
	}
}

func TestDefaultSocket(t *testing.T) {
	p := DefaultSocket()
	if !strings.HasSuffix(p, "ze.sock") || !filepath.IsAbs(p) {
		t.Errorf("DefaultSocket() = %q", p)
	}
	if os.Geteuid() != 0 {
		t.Setenv("XDG_RUNTIME_DIR", "/run/user/1000")
		if p := DefaultSocket(); p != "/run/user/1000/ze.sock" {
			t.Errorf("with XDG_RUNTIME_DIR: %q", p)
		}
	}
}
