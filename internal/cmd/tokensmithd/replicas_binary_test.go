package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/postgres/pgtest"
)

// propagationBound is how soon every replica must refuse a token another
// replica deleted or reset: the documented bound (replicaCacheLifetime),
// plus a second for a machine busy with other work. It is polled, never
// slept.
const propagationBound = replicaCacheLifetime + time.Second

type replica struct {
	d  *daemon
	u  *url.URL
	hc *http.Client
}

func newPepper(t *testing.T) string {
	t.Helper()
	p, err := secret.NewPepper()
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(p)
}

// startReplica starts tokensmithd on the shared database and waits until
// it listens.
func startReplica(t *testing.T, dbURL, pepper string, env []string, args ...string) *replica {
	t.Helper()
	env = append(env, "TOKENSMITH_PEPPER="+pepper)
	d := startDaemon(t, env, append([]string{"--database", dbURL, "--listen", "127.0.0.1:0"}, args...)...)
	return &replica{d: d, u: d.baseURL("http"), hc: checked(t, &http.Client{Timeout: waitLimit})}
}

// try sends a request; err is a transport error (a replica that died).
func (r *replica) try(method, path, token string, body any, headers ...string) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, r.u.String()+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := r.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

func (r *replica) call(t *testing.T, want int, method, path, token string, body any, headers ...string) []byte {
	t.Helper()
	status, b, err := r.try(method, path, token, body, headers...)
	if err != nil || status != want {
		t.Fatalf("%s %s on %s: %d %v %s, want %d", method, path, r.u.Host, status, err, b, want)
	}
	return b
}

func (r *replica) create(t *testing.T, token, name string) api.Token {
	t.Helper()
	var tok api.Token
	b := r.call(t, http.StatusCreated, "POST", api.PathTokens, token, api.TokenCreate{Name: name, Role: api.RoleReader, AllWorkspaces: true})
	if err := json.Unmarshal(b, &tok); err != nil {
		t.Fatal(err)
	}
	return tok
}

func (r *replica) tokenCount(t *testing.T, token string) int {
	t.Helper()
	var l api.List[api.Token]
	if err := json.Unmarshal(r.call(t, http.StatusOK, "GET", api.PathTokens+"?showAll=true&limit=1", token, nil), &l); err != nil {
		t.Fatal(err)
	}
	return l.TotalCount
}

// refusedEverywhere polls each replica until it answers 401 to secret,
// failing once propagationBound has passed.
func refusedEverywhere(t *testing.T, what, secret string, rs ...*replica) {
	t.Helper()
	deadline := time.Now().Add(propagationBound)
	for _, r := range rs {
		for {
			status, _, err := r.try("GET", api.PathCallerIdentity, secret, nil)
			if err == nil && status == http.StatusUnauthorized {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: replica %s still answers %d (%v) after %v", what, r.u.Host, status, err, propagationBound)
			}
		}
	}
}

// TestBinaryReplicas runs three tokensmithd processes on one PostgreSQL
// database, with nothing in front of them.
func TestBinaryReplicas(t *testing.T) {
	dbURL, pepper := pgtest.URL(t), newPepper(t)
	boot, err := secret.Generate(secret.KindPersonal)
	if err != nil {
		t.Fatal(err)
	}
	const orgQuota = 120
	args := []string{"--rate-limit", "0", "--max-tokens-per-member", "0", "--max-tokens-per-org", strconv.Itoa(orgQuota)}
	first := startReplica(t, dbURL, pepper, []string{"TOKENSMITH_BOOTSTRAP_TOKEN=" + boot}, args...)
	rs := []*replica{first, startReplica(t, dbURL, pepper, nil, args...), startReplica(t, dbURL, pepper, nil, args...)}
	for _, r := range rs {
		r.call(t, http.StatusOK, "GET", "/readyz", "", nil)
		r.call(t, http.StatusOK, "GET", api.PathCallerIdentity, boot, nil)
	}

	t.Run("DeleteAndResetSeenByEveryReplica", func(t *testing.T) {
		gone := rs[0].create(t, boot, "deleted")
		reset := rs[0].create(t, boot, "reset")
		for _, r := range rs {
			r.call(t, http.StatusOK, "GET", api.PathCallerIdentity, gone.Token, nil) // cached everywhere
			r.call(t, http.StatusOK, "GET", api.PathCallerIdentity, reset.Token, nil)
		}
		rs[0].call(t, http.StatusNoContent, "DELETE", api.PathTokens+"/"+gone.ID, boot, nil)
		refusedEverywhere(t, "deleted token", gone.Token, rs[1], rs[2])
		rs[1].call(t, http.StatusOK, "POST", api.PathTokens+"/"+reset.ID+"/reset", boot, api.TokenReset{})
		refusedEverywhere(t, "the old secret of a reset token", reset.Token, rs[0], rs[2])
	})

	t.Run("OneIdempotencyKeyOnTwoReplicas", func(t *testing.T) {
		key := "same-key-" + newPepper(t)[:8]
		body := api.TokenCreate{Name: "idempotent", Role: api.RoleReader, AllWorkspaces: true}
		before := rs[0].tokenCount(t, boot)
		ids := make([]string, 2)
		var wg sync.WaitGroup
		for i, r := range rs[1:] {
			wg.Go(func() {
				// A request in progress elsewhere is answered 409
				// request_in_progress; the client retries until it gets
				// the stored answer.
				deadline := time.Now().Add(waitLimit)
				for time.Now().Before(deadline) {
					status, b, err := r.try("POST", api.PathTokens, boot, body, api.HeaderIdempotencyKey, key)
					if err != nil {
						t.Errorf("POST with Idempotency-Key: %v", err)
						return
					}
					if status == http.StatusConflict && strings.Contains(string(b), string(api.CodeInProgress)) {
						continue
					}
					var tok api.Token
					if status != http.StatusCreated || json.Unmarshal(b, &tok) != nil {
						t.Errorf("POST with Idempotency-Key on %s: %d %s", r.u.Host, status, b)
						return
					}
					ids[i] = tok.ID
					return
				}
				t.Errorf("POST with Idempotency-Key on %s stayed in progress", r.u.Host)
			})
		}
		wg.Wait()
		if ids[0] == "" || ids[0] != ids[1] {
			t.Fatalf("the same Idempotency-Key on two replicas answered tokens %q and %q", ids[0], ids[1])
		}
		if n := rs[0].tokenCount(t, boot); n != before+1 {
			t.Fatalf("%d tokens after the same create on two replicas, want %d", n, before+1)
		}
	})

	t.Run("KilledReplicaLosesNoAcknowledgedWrite", func(t *testing.T) {
		victim := rs[2]
		var mu sync.Mutex
		var acked []string
		var killed atomic.Bool
		var sent atomic.Int32
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i := 0; sent.Add(1) <= 60; i++ {
					r := victim
					if killed.Load() || i%2 == 1 {
						r = rs[1]
					}
					status, b, err := r.try("POST", api.PathTokens, boot,
						api.TokenCreate{Name: fmt.Sprintf("load-%d-%d", w, i), Role: api.RoleReader, AllWorkspaces: true})
					if err != nil || status != http.StatusCreated {
						if r == victim {
							continue // not acknowledged: the replica died under it
						}
						t.Errorf("create on a surviving replica: %d %v %s", status, err, b)
						return
					}
					var tok api.Token
					if err := json.Unmarshal(b, &tok); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					acked = append(acked, tok.ID)
					if len(acked) == 20 && !killed.Load() {
						if err := victim.d.cmd.Process.Signal(syscall.SIGKILL); err != nil {
							t.Error(err)
						}
						killed.Store(true)
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if !killed.Load() {
			t.Fatal("the load never reached the kill")
		}
		for _, id := range acked {
			rs[0].call(t, http.StatusOK, "GET", api.PathTokens+"/"+id, boot, nil)
		}
		rs = rs[:2]
	})

	t.Run("QuotaHasOneWinnerAcrossReplicas", func(t *testing.T) {
		for n := rs[0].tokenCount(t, boot); n < orgQuota-1; n++ {
			rs[n%len(rs)].create(t, boot, "fill")
		}
		// The killed replica's place is taken by a new one.
		rs = append(rs, startReplica(t, dbURL, pepper, nil, args...))
		var won, refused atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 50 {
			wg.Go(func() {
				<-start
				status, b, err := rs[i%3].try("POST", api.PathTokens, boot, api.TokenCreate{Name: "race", Role: api.RoleReader, AllWorkspaces: true})
				switch {
				case err == nil && status == http.StatusCreated:
					won.Add(1)
				case err == nil && status == http.StatusConflict && strings.Contains(string(b), string(api.CodeQuotaExceeded)):
					refused.Add(1)
				default:
					t.Errorf("racing create: %d %v %s", status, err, b)
				}
			})
		}
		close(start)
		wg.Wait()
		if won.Load() != 1 || refused.Load() != 49 {
			t.Fatalf("50 creates at quota - 1 on three replicas: %d created, %d refused; want 1 and 49", won.Load(), refused.Load())
		}
		if n := rs[2].tokenCount(t, boot); n != orgQuota {
			t.Fatalf("%d tokens, want the quota %d", n, orgQuota)
		}
	})
}

// TestBinaryReplicaRefusesAnotherPepper: a replica given another pepper
// than the database was set up with stops instead of rejecting every token.
func TestBinaryReplicaRefusesAnotherPepper(t *testing.T) {
	dbURL := pgtest.URL(t)
	first := startReplica(t, dbURL, newPepper(t), nil)
	first.call(t, http.StatusOK, "GET", "/readyz", "", nil)
	other := startDaemon(t, []string{"TOKENSMITH_PEPPER=" + newPepper(t)}, "--database", dbURL, "--listen", "127.0.0.1:0")
	if err := other.wait(); err == nil {
		t.Fatal("a replica with another pepper started")
	}
	if out := other.output(); !strings.Contains(out, "pepper is not the one the database was set up with") {
		t.Fatalf("the refusal does not name the pepper:\n%s", out)
	}
}
