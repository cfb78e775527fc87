package server_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func TestReadyWhenTheStoreAnswers(t *testing.T) {
	ts := testserver.New(t)
	var got map[string]string
	newClient(t, ts, "").must(http.StatusOK, "GET", "/readyz", nil).into(t, &got)
	if got["status"] != "ready" {
		t.Fatalf("GET /readyz: %v", got)
	}
}

func TestNotReadyWhenTheCheckFails(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(c *server.Config) {
		c.Ready = func(context.Context) error { return errors.New("the database schema is not up to date") }
	}))
	var got map[string]string
	newClient(t, ts, "").must(http.StatusServiceUnavailable, "GET", "/readyz", nil).into(t, &got)
	if got["status"] != "not_ready" || !strings.Contains(got["detail"], "schema") {
		t.Fatalf("GET /readyz: %v", got)
	}
	// Liveness does not depend on the database.
	newClient(t, ts, "").must(http.StatusOK, "GET", "/healthz", nil)
}

// deleteBehindTheServer deletes tok as another replica would: in the
// store, without the server hearing of it.
func deleteBehindTheServer(t *testing.T, ts *testserver.Server, id string) {
	t.Helper()
	if err := ts.Store.DeleteToken(context.Background(), ts.OrgID, id); err != nil {
		t.Fatal(err)
	}
}

func TestForgetCallersDropsCachedAuthentication(t *testing.T) {
	ts := testserver.New(t)
	owner := newClient(t, ts, ts.OwnerToken)
	tok := owner.createToken(api.TokenCreate{Name: "other", Role: api.RoleReader, AllWorkspaces: true})
	c := owner.with(tok.Token)
	c.must(http.StatusOK, "GET", api.PathCallerIdentity, nil) // now cached
	deleteBehindTheServer(t, ts, tok.ID)
	// The cache still answers: the server never heard of the delete.
	c.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	ts.Backend.ForgetCallers()
	c.fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
}

func TestAuthCacheLifetimeBoundsAStaleCaller(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(c *server.Config) { c.AuthCacheLifetime = 200 * time.Millisecond }))
	owner := newClient(t, ts, ts.OwnerToken)
	tok := owner.createToken(api.TokenCreate{Name: "other", Role: api.RoleReader, AllWorkspaces: true})
	c := owner.with(tok.Token)
	c.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	deleteBehindTheServer(t, ts, tok.ID)
	deadline := time.Now().Add(10 * time.Second)
	for c.do("GET", api.PathCallerIdentity, nil).Status != http.StatusUnauthorized {
		if time.Now().After(deadline) {
			t.Fatal("a token deleted behind the server still authenticates after the cache lifetime")
		}
	}
}
