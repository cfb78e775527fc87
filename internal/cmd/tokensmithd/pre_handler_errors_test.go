package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
)

// Errors net/http produces before any handler runs: large headers are a
// problem document up to server.HeaderReadLimit; beyond it, and for a
// malformed request line, net/http answers in plain text, as documented.
func TestBinaryErrorsBeforeTheHandler(t *testing.T) {
	d := startDaemon(t, nil, "--data", t.TempDir()+"/ts.db", "--listen", "127.0.0.1:0")
	u := d.baseURL("http")
	send := func(raw string) (int, string) {
		t.Helper()
		conn, err := net.Dial("tcp", u.Host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		// The server may answer and close before it has read everything:
		// write alongside reading, and let a failed write go.
		go func() { _, _ = fmt.Fprint(conn, raw) }()
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode, res.Header.Get("Content-Type")
	}
	get := func(padding int) string {
		return fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\nX-Padding: %s\r\nConnection: close\r\n\r\n", api.PathCallerIdentity, u.Host, strings.Repeat("x", padding))
	}
	if st, ct := send(get(server.MaxHeaderBytes)); st != http.StatusRequestHeaderFieldsTooLarge || ct != api.ProblemContentType {
		t.Errorf("headers over the API's limit: %d %q, want 431 %s", st, ct, api.ProblemContentType)
	}
	if st, ct := send(get(server.HeaderReadLimit + 8192)); st != http.StatusRequestHeaderFieldsTooLarge || !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("headers over what the HTTP server reads: %d %q, want net/http's plain-text 431", st, ct)
	}
	if st, ct := send("NOT A REQUEST\r\n\r\n"); st != http.StatusBadRequest || !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("malformed request line: %d %q, want net/http's plain-text 400", st, ct)
	}
}
