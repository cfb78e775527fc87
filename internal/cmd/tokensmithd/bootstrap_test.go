package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
)

// ownerIdentity checks that tok is an owner token of the daemon at u.
func ownerIdentity(t *testing.T, u *url.URL, tok string) {
	t.Helper()
	res, body := get(t, http.DefaultClient, u, api.PathCallerIdentity, tok)
	var id api.CallerIdentity
	if res.StatusCode != http.StatusOK || json.Unmarshal(body, &id) != nil || id.MemberRole != "owner" {
		t.Fatalf("the owner token does not work: %d %s", res.StatusCode, body)
	}
}

// TestBinaryBootstrapTokenShownBeforeCommit kills the first start with
// SIGKILL right after the organisation and its owner token are committed:
// the token must already be on stderr, and work after a restart.
func TestBinaryBootstrapTokenShownBeforeCommit(t *testing.T) {
	data := filepath.Join(t.TempDir(), "ts.db")
	d := startBinary(t, taggedDaemonBinary(t, "crashpoint"), []string{"TOKENSMITH_TEST_CRASH_POINT=bootstrap-commit"},
		"--data", data, "--listen", "127.0.0.1:0")
	d.waitFor("reached crash point bootstrap-commit")
	d.signal(syscall.SIGKILL)
	_ = d.wait()
	out := d.output()
	const shown = "owner access token (shown once): "
	i := strings.Index(out, shown)
	if i < 0 {
		t.Fatalf("the owner token was committed but not shown:\n%s", out)
	}
	tok, _, _ := strings.Cut(out[i+len(shown):], "\n")
	if _, err := secret.Parse(tok); err != nil {
		t.Fatalf("shown token %v", err)
	}

	d = startDaemon(t, nil, "--data", data, "--listen", "127.0.0.1:0")
	ownerIdentity(t, d.baseURL("http"), tok)
	d.signal(syscall.SIGTERM)
	if err := d.wait(); err != nil {
		t.Fatalf("exit: %v", err)
	}
	if strings.Contains(d.output(), "created the organisation") {
		t.Fatalf("bootstrapped twice:\n%s", d.output())
	}
}

// TestBinaryBootstrapTokenCommand: "tokensmithd bootstrap-token" issues a
// working owner token from the data directory alone, while the daemon
// runs, printing it on stdout only; without a database it creates nothing.
func TestBinaryBootstrapTokenCommand(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "ts.db")
	d := startDaemon(t, nil, "--data", data, "--listen", "127.0.0.1:0")
	u := d.baseURL("http") // the first start's token is never read: it is the lost one

	recover := func(env []string, args ...string) (stdout, stderr string, err error) {
		cmd := exec.Command(daemonBinary(t), append([]string{"bootstrap-token"}, args...)...)
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "TOKENSMITH_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, env...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err = cmd.Run()
		return o.String(), e.String(), err
	}
	stdout, stderr, err := recover([]string{"TOKENSMITH_DATA=" + data})
	if err != nil {
		t.Fatalf("bootstrap-token: %v\n%s", err, stderr)
	}
	tok := strings.TrimSuffix(stdout, "\n")
	if _, err := secret.Parse(tok); err != nil || strings.Contains(tok, "\n") {
		t.Fatalf("stdout %q is not one token: %v", stdout, err)
	}
	if strings.Contains(stderr, core(tok)) || !strings.Contains(stderr, "owner@tokensmith.local") {
		t.Fatalf("stderr: %s", stderr)
	}
	ownerIdentity(t, u, tok)
	d.signal(syscall.SIGTERM)
	if err := d.wait(); err != nil {
		t.Fatalf("exit: %v", err)
	}
	if strings.Contains(d.output(), core(tok)) {
		t.Fatal("the daemon logged the recovered token")
	}

	missing := filepath.Join(dir, "none.db")
	if _, stderr, err := recover(nil, "--data", missing); err == nil || !strings.Contains(stderr, "no database at "+missing) {
		t.Fatalf("without a database: %v\n%s", err, stderr)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("bootstrap-token created a database")
	}
	if _, err := os.Stat(missing + ".pepper"); err == nil {
		t.Fatal("bootstrap-token created a pepper file")
	}
}
