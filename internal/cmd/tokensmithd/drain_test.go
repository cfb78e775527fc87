package main

import (
	"bufio"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
)

// TestBinaryDrainTimeoutExitsZero holds a create in flight whose body never
// arrives, sends SIGTERM with a short drain timeout, and checks the daemon
// logs the request it cut off and exits 0.
func TestBinaryDrainTimeoutExitsZero(t *testing.T) {
	data := filepath.Join(t.TempDir(), "ts.db")
	boot, err := secret.Generate(secret.KindPersonal)
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, []string{"TOKENSMITH_BOOTSTRAP_TOKEN=" + boot, "TOKENSMITH_DRAIN_TIMEOUT=50ms"},
		"--data", data, "--listen", "127.0.0.1:0")
	u := d.baseURL("http")

	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Expect: 100-continue makes the server answer once the handler reads
	// the body, so the request is provably in its handler.
	fmt.Fprintf(conn, "POST %s?dryRun=false HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n",
		api.PathTokens, u.Host, boot)
	br := bufio.NewReader(conn)
	if status, err := br.ReadString('\n'); err != nil || !strings.Contains(status, " 100 ") {
		t.Fatalf("no 100 Continue: %q %v", status, err)
	}

	d.signal(syscall.SIGTERM)
	line := d.waitFor("drain timed out")
	if !strings.Contains(line, `"cut_off":1`) || !strings.Contains(line, `"POST `+api.PathTokens+`"`) || !strings.Contains(line, `"drain_timeout":"50ms"`) {
		t.Fatalf("the drain log line does not say what was cut off: %s", line)
	}
	if strings.Contains(line, "dryRun") {
		t.Fatalf("the drain log line holds the query string: %s", line)
	}
	if err := d.wait(); err != nil {
		t.Fatalf("a timed-out drain exited with %v:\n%s", err, d.output())
	}
	if strings.Contains(d.output(), core(boot)) {
		t.Fatalf("stderr holds a secret:\n%s", d.output())
	}
}
