package main

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
)

// TestBinaryIdempotentCreateSurvivesKill kills tokensmithd with SIGKILL
// after a create sent with an Idempotency-Key has made its token and
// before its response was stored, then restarts it and sends the same
// request again: the retry must get a usable token, and exactly one token
// must exist for it (none lost, none made twice, no key stuck in flight).
func TestBinaryIdempotentCreateSurvivesKill(t *testing.T) {
	data := filepath.Join(t.TempDir(), "ts.db")
	boot, err := secret.Generate(secret.KindPersonal)
	if err != nil {
		t.Fatal(err)
	}
	d := startBinary(t, taggedDaemonBinary(t, "crashpoint"),
		[]string{"TOKENSMITH_BOOTSTRAP_TOKEN=" + boot, "TOKENSMITH_TEST_CRASH_POINT=idempotent-effect"},
		"--data", data, "--listen", "127.0.0.1:0")
	u := d.baseURL("http")

	create := func(u string) *http.Response {
		req, err := http.NewRequest("POST", u+api.PathTokens, strings.NewReader(`{"name":"once","role":"reader"}`))
		if err != nil {
			return nil
		}
		req.Header.Set("Authorization", boot)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(api.HeaderIdempotencyKey, "create-once")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil
		}
		return res
	}
	go create(u.String()) // never answered: the process dies under it
	d.waitFor("reached crash point idempotent-effect")
	d.signal(syscall.SIGKILL)
	_ = d.wait()

	d = startDaemon(t, nil, "--data", data, "--listen", "127.0.0.1:0")
	u = d.baseURL("http")
	res := create(u.String())
	if res == nil {
		t.Fatal("the retry got no answer")
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("the retry after the crash: %d %s", res.StatusCode, body)
	}
	var tok api.Token
	if err := json.Unmarshal(body, &tok); err != nil {
		t.Fatal(err)
	}
	if r, b := get(t, http.DefaultClient, u, api.PathCallerIdentity, tok.Token); r.StatusCode != http.StatusOK {
		t.Fatalf("the token delivered by the retry does not work: %d %s", r.StatusCode, b)
	}
	r, b := get(t, http.DefaultClient, u, api.PathTokens, boot)
	var list api.List[api.Token]
	if r.StatusCode != http.StatusOK || json.Unmarshal(b, &list) != nil {
		t.Fatalf("list: %d %s", r.StatusCode, b)
	}
	if list.TotalCount != 2 { // the bootstrap token and "once"
		t.Fatalf("%d tokens after the crash and the retry, want 2: %s", list.TotalCount, b)
	}
	d.signal(syscall.SIGTERM)
	if err := d.wait(); err != nil {
		t.Fatalf("exit: %v", err)
	}
	if strings.Contains(d.output(), core(tok.Token)) {
		t.Fatal("stderr holds the new token")
	}
}
