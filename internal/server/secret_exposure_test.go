package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// TestIdempotencyRecordsEncryptedAtRest reads the idempotency table straight
// from the SQLite file: keys are stored hashed, responses holding a secret
// only encrypted, and replays still return the secret.
func TestIdempotencyRecordsEncryptedAtRest(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	var created, reset api.Token
	c.must(http.StatusCreated, "POST", api.PathTokens, api.TokenCreate{Name: "x", Role: "reader"}, api.HeaderIdempotencyKey, "create-key-1").into(t, &created)
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+created.ID+"/reset", nil, api.HeaderIdempotencyKey, "reset-key-1").into(t, &reset)
	var ws api.Workspace
	c.must(http.StatusCreated, "POST", api.PathWorkspaces, api.WorkspaceCreate{Name: "plain"}, api.HeaderIdempotencyKey, "ws-key-1").into(t, &ws)

	db, err := sql.Open("sqlite", "file:"+ts.DataPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), `SELECT key, body FROM idempotency_records`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	bodies := map[string][]byte{}
	for rows.Next() {
		var key string
		var body []byte
		if err := rows.Scan(&key, &body); err != nil {
			t.Fatal(err)
		}
		bodies[key] = body
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	callerID := ""
	var id api.CallerIdentity
	c.must(http.StatusOK, "GET", api.PathCallerIdentity, nil).into(t, &id)
	callerID = id.TokenID
	keyOf := func(raw string) string {
		h := sha256.Sum256([]byte(raw))
		return callerID + ":" + hex.EncodeToString(h[:])
	}
	if len(bodies) != 3 {
		t.Fatalf("%d idempotency records, want 3: %v", len(bodies), bodies)
	}
	for raw, wantSecret := range map[string]string{"create-key-1": created.Token, "reset-key-1": reset.Token, "ws-key-1": ""} {
		body, ok := bodies[keyOf(raw)]
		if !ok {
			t.Fatalf("no record under the hashed key for %q", raw)
		}
		for k := range bodies {
			if strings.Contains(k, raw) {
				t.Errorf("record key %q holds the raw Idempotency-Key", k)
			}
		}
		if wantSecret == "" {
			if !bytes.Contains(body, []byte(ws.ID)) {
				t.Errorf("a response without a secret should be stored as is: %q", body)
			}
			continue
		}
		for _, s := range []string{wantSecret, core(wantSecret), created.ID, `"name"`} {
			if bytes.Contains(body, []byte(s)) {
				t.Errorf("record for %q holds %q in plaintext", raw, s)
			}
		}
	}
	var replay api.Token
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+created.ID+"/reset", nil, api.HeaderIdempotencyKey, "reset-key-1").into(t, &replay)
	if replay.Token != reset.Token {
		t.Fatal("the replayed reset does not return the secret of the first answer")
	}
}

// TestDryRunsWriteNothing runs every dry-runnable operation, each with an
// Idempotency-Key as the client sends on every POST, and counts writes.
func TestDryRunsWriteNothing(t *testing.T) {
	ts, cs := newCountingServer(t)
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "x", Role: "reader"})
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "r", Name: "R", Permissions: []string{"API_READ"}})
	before := cs.total()

	key := func(i int) []string { return []string{api.HeaderIdempotencyKey, fmt.Sprint("dry-", i)} }
	c.must(http.StatusOK, "POST", api.PathTokens+"?dryRun=true", api.TokenCreate{Name: "y", Role: "reader"}, key(1)...)
	c.must(http.StatusOK, "PATCH", api.PathTokens+"/"+tok.ID+"?dryRun=true", []api.PatchOperation{{Op: "replace", Path: "/name", Value: "z"}})
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset?dryRun=true", nil, key(2)...)
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset?dryRun=true&expiry="+fmt.Sprint(ts.Clock.Now().Add(time.Hour).UnixMilli()), nil, key(3)...)
	c.must(http.StatusOK, "POST", api.PathRoles+"?dryRun=true", api.CustomRoleCreate{Key: "s", Name: "S", Permissions: []string{"API_READ"}}, key(4)...)
	c.must(http.StatusOK, "PATCH", api.PathRoles+"/r?dryRun=true", api.PatchWithComment{Patch: []api.PatchOperation{{Op: "replace", Path: "/name", Value: "Q"}}, Comment: "try"})
	// Refusals found by a dry run write nothing either.
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens+"?dryRun=true", api.TokenCreate{Name: "y"}, key(5)...)
	c.fail(http.StatusConflict, api.CodeConflict, "POST", api.PathRoles+"?dryRun=true", api.CustomRoleCreate{Key: "r", Name: "R", Permissions: []string{"API_READ"}}, key(6)...)

	if after := cs.total(); after != before {
		t.Fatalf("dry runs wrote %d times: %v", after-before, cs.snapshot())
	}
	// The old secret still works: the dry-run reset did not rotate it.
	c.with(tok.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
}
