package server_test

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func TestTokenDryRunWritesNothing(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	r := c.must(http.StatusOK, "POST", api.PathTokens+"?dryRun=true", api.TokenCreate{Name: "x", Role: "reader"})
	requireFields(t, r.Obj, tokenAlways...)
	if r.Obj["_id"] != "" || r.Obj["token"] != nil {
		t.Fatalf("dry run: %s", r.Body)
	}
	tok := c.createToken(api.TokenCreate{Name: "x", Role: "reader"})
	c.must(http.StatusOK, "PATCH", api.PathTokens+"/"+tok.ID+"?dryRun=true", []api.PatchOperation{{Op: "replace", Path: "/name", Value: "y"}})
	var got api.Token
	c.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil).into(t, &got)
	if got.Name != "x" {
		t.Fatalf("dry-run patch wrote: %+v", got)
	}
	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens+"?showAll=true", nil).into(t, &list)
	if list.TotalCount != 2 {
		t.Fatalf("tokens %d", list.TotalCount)
	}
	var audit api.List[api.AuditEntry]
	c.must(http.StatusOK, "GET", api.PathAuditLog, nil).into(t, &audit)
	if audit.TotalCount != 1 || audit.Items[0].Action != "token.create" {
		t.Fatalf("audit %+v", audit)
	}
}

func TestIdempotentReplay(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	body := api.TokenCreate{Name: "once", Role: "reader"}
	first := c.must(http.StatusCreated, "POST", api.PathTokens, body, api.HeaderIdempotencyKey, "key-1")
	// The client never saw the first answer and sends the same request again.
	second := c.must(http.StatusCreated, "POST", api.PathTokens, body, api.HeaderIdempotencyKey, "key-1")
	if !bytes.Equal(first.Body, second.Body) || second.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay differs:\n%s\n%s", first.Body, second.Body)
	}
	var tok api.Token
	second.into(t, &tok)
	c.with(tok.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens, nil).into(t, &list)
	if list.TotalCount != 2 {
		t.Fatalf("replay created another token: %d", list.TotalCount)
	}
	c.fail(http.StatusUnprocessableEntity, api.CodeIdempotencyReuse, "POST", api.PathTokens, api.TokenCreate{Name: "other", Role: "reader"}, api.HeaderIdempotencyKey, "key-1")

	// Replayed resets return the same new secret.
	r1 := c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset", nil, api.HeaderIdempotencyKey, "key-2")
	r2 := c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset", nil, api.HeaderIdempotencyKey, "key-2")
	if !bytes.Equal(r1.Body, r2.Body) {
		t.Fatal("reset replay differs")
	}
}

func TestIdempotencyConcurrent(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	body := api.TokenCreate{Name: "race", Role: "reader"}
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	bodies := make([][]byte, 8)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := c.do("POST", api.PathTokens, body, api.HeaderIdempotencyKey, "same")
			statuses[i], bodies[i] = r.Status, r.Body
		}()
	}
	wg.Wait()
	var created []byte
	for i, st := range statuses {
		switch st {
		case http.StatusCreated:
			if created != nil && !bytes.Equal(created, bodies[i]) {
				t.Fatal("two different creates for one key")
			}
			created = bodies[i]
		case http.StatusConflict:
			if !strings.Contains(string(bodies[i]), string(api.CodeInProgress)) {
				t.Fatalf("409 without %s: %s", api.CodeInProgress, bodies[i])
			}
		default:
			t.Fatalf("status %d: %s", st, bodies[i])
		}
	}
	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens, nil).into(t, &list)
	if list.TotalCount != 2 {
		t.Fatalf("tokens %d, want 2", list.TotalCount)
	}
}

func TestAuditRecordsWrites(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "x", Role: "reader"})
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset", nil)
	c.must(http.StatusNoContent, "DELETE", api.PathTokens+"/"+tok.ID, nil)
	var audit api.List[api.AuditEntry]
	c.must(http.StatusOK, "GET", api.PathAuditLog+"?limit=10", nil).into(t, &audit)
	actions := map[string]bool{}
	for _, e := range audit.Items {
		actions[e.Action] = true
		if e.MemberID != ts.OwnerID || e.Target != "token/"+tok.ID {
			t.Errorf("entry %+v", e)
		}
	}
	for _, a := range []string{"token.create", "token.reset", "token.delete"} {
		if !actions[a] {
			t.Errorf("no %s in %+v", a, audit.Items)
		}
	}
}
