package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// resp is a decoded response: the raw JSON object (for field-presence
// checks) and the status and headers.
type resp struct {
	Status int
	Header http.Header
	Body   []byte
	Obj    map[string]any
}

func (r resp) problem(t *testing.T) api.Problem {
	t.Helper()
	var p api.Problem
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("decode problem: %v: %s", err, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != api.ProblemContentType {
		t.Errorf("problem Content-Type = %q", ct)
	}
	return p
}

func (r resp) into(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode: %v: %s", err, r.Body)
	}
}

type client struct {
	t     testing.TB
	base  string
	token string
	http  *http.Client
}

func newClient(t testing.TB, ts *testserver.Server, token string) *client {
	return &client{t: t, base: ts.URL, token: token, http: &http.Client{}}
}

func (c *client) with(token string) *client {
	cp := *c
	cp.token = token
	return &cp
}

// do sends body (a []byte or string is sent as is, anything else as JSON).
func (c *client) do(method, path string, body any, headers ...string) resp {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", c.token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	out := resp{Status: res.StatusCode, Header: res.Header, Body: raw}
	if len(raw) > 0 && raw[0] == '{' {
		_ = json.Unmarshal(raw, &out.Obj)
	}
	return out
}

func (c *client) must(want int, method, path string, body any, headers ...string) resp {
	c.t.Helper()
	r := c.do(method, path, body, headers...)
	if r.Status != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	if want != http.StatusNoContent {
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			c.t.Fatalf("%s %s: Content-Type %q", method, path, ct)
		}
	}
	return r
}

// fail expects a problem with status and code.
func (c *client) fail(status int, code api.Code, method, path string, body any, headers ...string) api.Problem {
	c.t.Helper()
	r := c.do(method, path, body, headers...)
	if r.Status != status {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, status, r.Body)
	}
	var p api.Problem
	if err := json.Unmarshal(r.Body, &p); err != nil {
		c.t.Fatalf("decode problem: %v", err)
	}
	if p.Code != code {
		c.t.Fatalf("%s %s: code %q, want %q: %s", method, path, p.Code, code, r.Body)
	}
	if p.Message != p.Detail || p.Detail == "" || p.Status != status || p.RequestID == "" {
		c.t.Fatalf("problem incomplete: %s", r.Body)
	}
	if r.Header.Get("Content-Type") != api.ProblemContentType {
		c.t.Fatalf("problem Content-Type %q", r.Header.Get("Content-Type"))
	}
	return p
}

func (c *client) createToken(in api.TokenCreate) api.Token {
	c.t.Helper()
	var tok api.Token
	r := c.must(http.StatusCreated, "POST", api.PathTokens, in)
	if err := json.Unmarshal(r.Body, &tok); err != nil {
		c.t.Fatal(err)
	}
	return tok
}

// requireFields fails unless obj holds every name.
func requireFields(t *testing.T, obj map[string]any, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, ok := obj[n]; !ok {
			t.Errorf("field %q missing from %v", n, obj)
		}
	}
}

func forbidFields(t *testing.T, obj map[string]any, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, ok := obj[n]; ok {
			t.Errorf("field %q present in %v", n, obj)
		}
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
