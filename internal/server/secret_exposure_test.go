package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// core is the random part of a token: a copy of it anywhere is a leak, even
// without the prefix or the checksum.
func core(tok string) string { return tok[len(secret.PrefixPersonal) : len(tok)-secret.ChecksumLength] }

// TestSecretsNeverEchoed sends a well-formed token nobody issued, and a
// real token, everywhere a client could misplace them: the Authorization
// header, JSON fields, the path and the query. No response (body or
// headers), log line, audit record or database file may hold either.
func TestSecretsNeverEchoed(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	real := c.createToken(api.TokenCreate{Name: "real", Role: "reader"})
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "r", Name: "R", Permissions: []string{"API_READ"}})
	bogus, err := secret.Generate(secret.KindService)
	if err != nil {
		t.Fatal(err)
	}

	var responses bytes.Buffer
	record := func(r resp) {
		for k, v := range r.Header {
			fmt.Fprintf(&responses, "%s: %s\n", k, strings.Join(v, ","))
		}
		responses.Write(r.Body)
	}
	for _, leaked := range []string{bogus, real.Token} {
		for _, auth := range []string{leaked, "Bearer " + leaked, leaked + "x", leaked[:len(leaked)-1], "Basic " + leaked} {
			if auth == real.Token || auth == "Bearer "+real.Token {
				continue
			}
			r := c.with(auth).do("GET", api.PathTokens, nil)
			if r.Status != http.StatusUnauthorized {
				t.Fatalf("Authorization %q...: status %d", auth[:12], r.Status)
			}
			record(r)
		}
		bad := []struct{ method, path, body string }{
			{"POST", api.PathTokens, `{"name":"x","role":"` + leaked + `"}`},
			{"POST", api.PathTokens, `{"name":"x","customRoleIds":["` + leaked + `"]}`},
			{"POST", api.PathTokens, `{"name":"x","permissions":["` + leaked + `"]}`},
			{"POST", api.PathTokens, `{"name":"x","role":"reader","workspaceIds":["` + leaked + `"]}`},
			{"POST", api.PathTokens, `{"name":"x","role":"reader","memberId":"` + leaked + `"}`},
			{"POST", api.PathTokens, `{"name":"` + leaked + `","role":"reader"}`},
			{"POST", api.PathTokens, `{"name":"x","description":"my token is ` + leaked + `","role":"reader"}`},
			{"POST", api.PathTokens, `{"name":"x","role":"reader","` + leaked + `":1}`},
			{"POST", api.PathTokens, `{"name":"x","inlineRole":[{"effect":"allow","actions":["` + leaked + `"],"resources":["org"]}]}`},
			{"POST", api.PathTokens, `{"name":"x","inlineRole":[{"effect":"allow","actions":["API_READ"],"resources":["` + leaked + `"]}]}`},
			{"PATCH", api.PathTokens + "/" + real.ID, `[{"op":"replace","path":"/` + leaked + `","value":1}]`},
			{"PATCH", api.PathTokens + "/" + real.ID, `[{"op":"` + leaked + `","path":"/name","value":1}]`},
			{"PATCH", api.PathTokens + "/" + real.ID, `[{"op":"replace","path":"/name","value":"` + leaked + `"}]`},
			{"POST", api.PathTokens + "/" + real.ID + "/reset?expiry=" + leaked, ``},
			{"GET", api.PathTokens + "/" + leaked, ``},
			{"DELETE", api.PathTokens + "?memberId=" + leaked, ``},
			{"GET", api.PathRoles + "/" + leaked, ``},
			{"POST", api.PathRoles, `{"key":"` + leaked + `x-","name":"x","permissions":["API_READ"]}`},
			{"POST", api.PathRoles, `{"key":"k","name":"x","permissions":["` + leaked + `"]}`},
			{"PATCH", api.PathRoles + "/r", `{"patch":[{"op":"replace","path":"/name","value":"y"}],"comment":"` + leaked + `"}`},
			{"GET", api.PathWorkspaces + "/" + leaked, ``},
			{"POST", api.PathWorkspaces, `{"name":"w","ownerId":"` + leaked + `"}`},
			{"POST", api.PathMembers, `{"email":"` + leaked + `@example.com","role":"` + leaked + `"}`},
			{"GET", api.PathTokens + "?showAll=" + leaked, ``},
			{"GET", api.PathTokens + "?limit=" + leaked, ``},
			{"PUT", "/api/v2/" + leaked, ``},
		}
		for _, b := range bad {
			var body any
			if b.body != "" {
				body = b.body
			}
			r := c.do(b.method, b.path, body)
			if r.Status < 400 {
				t.Errorf("%s %s accepted: %d %s", b.method, strings.ReplaceAll(b.path, leaked, "<secret>"), r.Status, strings.ReplaceAll(string(r.Body), leaked, "<secret>"))
			}
			record(r)
		}
	}
	if err := ts.Flush(); err != nil {
		t.Fatal(err)
	}
	audit := c.must(http.StatusOK, "GET", api.PathAuditLog+"?limit=1000", nil)
	haystacks := map[string][]byte{"responses": responses.Bytes(), "logs": []byte(ts.Logs()), "audit": audit.Body}
	dir := filepath.Dir(ts.DataPath)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		haystacks[e.Name()] = b
	}
	if !bytes.Contains(responses.Bytes(), []byte("[redacted]")) {
		t.Error("no detail mentions a redacted value; the test does not exercise echoing")
	}
	for name, hay := range haystacks {
		for what, s := range map[string]string{"unissued token": bogus, "real token": real.Token} {
			if bytes.Contains(hay, []byte(core(s))) {
				t.Errorf("%s holds the %s", name, what)
			}
		}
	}
}

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

// countingStore counts the writes the server asks of its store.
type countingStore struct {
	store.Store
	mu     sync.Mutex
	writes map[string]int
}

func (s *countingStore) count(name string) {
	s.mu.Lock()
	s.writes[name]++
	s.mu.Unlock()
}

func (s *countingStore) snapshot() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.writes {
		out[k] = v
	}
	return out
}

func (s *countingStore) total() int {
	n := 0
	for _, v := range s.snapshot() {
		n += v
	}
	return n
}

func (s *countingStore) CreateMember(ctx context.Context, m store.Member) error {
	s.count("CreateMember")
	return s.Store.CreateMember(ctx, m)
}
func (s *countingStore) UpdateMember(ctx context.Context, m store.Member) error {
	s.count("UpdateMember")
	return s.Store.UpdateMember(ctx, m)
}
func (s *countingStore) DeleteMember(ctx context.Context, orgID, id string) error {
	s.count("DeleteMember")
	return s.Store.DeleteMember(ctx, orgID, id)
}
func (s *countingStore) CreateWorkspace(ctx context.Context, w store.Workspace) error {
	s.count("CreateWorkspace")
	return s.Store.CreateWorkspace(ctx, w)
}
func (s *countingStore) UpdateWorkspace(ctx context.Context, w store.Workspace) error {
	s.count("UpdateWorkspace")
	return s.Store.UpdateWorkspace(ctx, w)
}
func (s *countingStore) DeleteWorkspace(ctx context.Context, orgID, id string) error {
	s.count("DeleteWorkspace")
	return s.Store.DeleteWorkspace(ctx, orgID, id)
}
func (s *countingStore) TransferWorkspace(ctx context.Context, orgID, id, newOwnerID string, spareRoles []string, now time.Time) (store.Workspace, int, int, error) {
	s.count("TransferWorkspace")
	return s.Store.TransferWorkspace(ctx, orgID, id, newOwnerID, spareRoles, now)
}
func (s *countingStore) CreateCustomRole(ctx context.Context, r store.CustomRole) error {
	s.count("CreateCustomRole")
	return s.Store.CreateCustomRole(ctx, r)
}
func (s *countingStore) UpdateCustomRole(ctx context.Context, r store.CustomRole) error {
	s.count("UpdateCustomRole")
	return s.Store.UpdateCustomRole(ctx, r)
}
func (s *countingStore) DeleteCustomRole(ctx context.Context, orgID, id string) error {
	s.count("DeleteCustomRole")
	return s.Store.DeleteCustomRole(ctx, orgID, id)
}
func (s *countingStore) CreateToken(ctx context.Context, t store.Token, q store.Quota) error {
	s.count("CreateToken")
	return s.Store.CreateToken(ctx, t, q)
}
func (s *countingStore) UpdateToken(ctx context.Context, t store.Token) error {
	s.count("UpdateToken")
	return s.Store.UpdateToken(ctx, t)
}
func (s *countingStore) DeleteToken(ctx context.Context, orgID, id string) error {
	s.count("DeleteToken")
	return s.Store.DeleteToken(ctx, orgID, id)
}
func (s *countingStore) DeleteMemberTokens(ctx context.Context, orgID, memberID string) (int, error) {
	s.count("DeleteMemberTokens")
	return s.Store.DeleteMemberTokens(ctx, orgID, memberID)
}
func (s *countingStore) RecordLastUsed(ctx context.Context, used map[string]time.Time) error {
	s.count("RecordLastUsed")
	return s.Store.RecordLastUsed(ctx, used)
}
func (s *countingStore) RunIdempotent(ctx context.Context, rec store.IdempotencyRecord, staleBefore time.Time, fn store.IdempotentFunc) (*store.IdempotencyRecord, error) {
	s.count("RunIdempotent")
	return s.Store.RunIdempotent(ctx, rec, staleBefore, fn)
}
func (s *countingStore) PurgeIdempotent(ctx context.Context, cutoff time.Time) error {
	s.count("PurgeIdempotent")
	return s.Store.PurgeIdempotent(ctx, cutoff)
}
func (s *countingStore) AppendAudit(ctx context.Context, e store.AuditEvent) error {
	s.count("AppendAudit")
	return s.Store.AppendAudit(ctx, e)
}

func newCountingServer(t *testing.T) (*testserver.Server, *countingStore) {
	var cs *countingStore
	ts := testserver.New(t,
		testserver.WithStoreWrapper(func(st store.Store) store.Store {
			cs = &countingStore{Store: st, writes: map[string]int{}}
			return cs
		}),
		testserver.WithConfig(func(cfg *server.Config) { cfg.LastUsedFlush = 24 * time.Hour }),
	)
	return ts, cs
}

// TestLastUsedWithoutWrites: authenticated requests never write; lastUsed
// is still current in every read and reaches the store in one batch.
func TestLastUsedWithoutWrites(t *testing.T) {
	ts, cs := newCountingServer(t)
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "used", Role: "reader"})
	tc := c.with(tok.Token)
	before := cs.snapshot()

	var want int64
	for i := range 50 {
		ts.Clock.Advance(time.Second)
		switch i % 3 {
		case 0:
			tc.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
			want = ts.Clock.Now().UnixMilli()
		case 1:
			tc.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil)
			want = ts.Clock.Now().UnixMilli()
		default:
			c.must(http.StatusOK, "GET", api.PathTokens+"?showAll=true", nil)
		}
	}
	// The owner's token is used last, so "now" is not the right answer.
	ts.Clock.Advance(time.Second)
	var got api.Token
	c.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil).into(t, &got)
	if got.LastUsed != want {
		t.Fatalf("lastUsed %d, want %d", got.LastUsed, want)
	}
	if after := cs.snapshot(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("reads wrote to the store: before %v after %v", before, after)
	}
	stored, err := ts.Store.GetToken(context.Background(), ts.OrgID, tok.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.LastUsedAt != nil {
		t.Fatalf("lastUsed was written per request: %v", stored.LastUsedAt)
	}

	if err := ts.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := cs.snapshot()["RecordLastUsed"]; n != 1 {
		t.Fatalf("RecordLastUsed called %d times, want 1", n)
	}
	stored, err = ts.Store.GetToken(context.Background(), ts.OrgID, tok.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.LastUsedAt == nil || stored.LastUsedAt.UnixMilli() != want {
		t.Fatalf("flushed lastUsed %v, want %d", stored.LastUsedAt, want)
	}
	// Nothing new to flush: no write.
	if err := ts.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := cs.snapshot()["RecordLastUsed"]; n != 1 {
		t.Fatalf("an empty flush wrote (%d calls)", n)
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
