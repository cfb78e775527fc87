package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// setup starts a real backend and returns a client authenticated as its owner.
func setup(t *testing.T, opts ...testserver.Option) (*testserver.Server, *client.Client) {
	t.Helper()
	ts := testserver.New(t, opts...)
	return ts, newClient(t, ts, nil)
}

func newClient(t *testing.T, ts *testserver.Server, mod func(*client.Config)) *client.Client {
	t.Helper()
	cfg := client.Config{
		Endpoint:     ts.URL,
		Token:        ts.OwnerToken,
		CACertPEM:    ts.CACertPEM,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := client.New(cfg)
	if err != nil {
		t.Fatalf("client.New: %v", err)
	}
	return c
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

func wantErr(t *testing.T, err error, pred func(error) bool, name string) {
	t.Helper()
	if !pred(err) {
		t.Fatalf("want %s, got %v", name, err)
	}
}

// memberWithToken creates a member of the given role and a personal token
// owned by them (minted by the owner), and returns a client using it.
func memberWithToken(t *testing.T, c *client.Client, email, role string) (*api.Member, *client.Client) {
	t.Helper()
	ctx := context.Background()
	m := must[*api.Member](t)(c.CreateMember(ctx, api.MemberCreate{Email: email, Role: role}))
	tok := must[*api.Token](t)(c.CreateToken(ctx, api.TokenCreate{Name: email, Role: tokenRoleFor(role), MemberID: m.ID}, client.WriteOptions{}))
	return m, c.WithToken(tok.Token)
}

func tokenRoleFor(memberRole string) string {
	if memberRole == api.RoleOwner {
		return api.RoleAdmin
	}
	return memberRole
}

func TestServerCallerIdentity(t *testing.T) {
	ts, c := setup(t)
	ctx := context.Background()
	id := must[*api.CallerIdentity](t)(c.CallerIdentity(ctx))
	if id.MemberID != ts.OwnerID || id.MemberRole != api.RoleOwner || id.OrganizationID != ts.OrgID {
		t.Fatalf("caller identity %+v does not describe the owner", id)
	}
	if len(id.EffectivePermissions) == 0 {
		t.Fatal("owner has no effective permissions")
	}
	_, err := c.WithToken("tsm_pat_unknown").CallerIdentity(ctx)
	wantErr(t, err, client.IsUnauthorized, "unauthorized")
}

func TestServerListPermissionsAllPages(t *testing.T) {
	_, c := setup(t)
	perms := must[[]api.Permission](t)(c.ListPermissions(context.Background()))
	want := catalogue.Default().All()
	if len(want) <= 20 {
		t.Fatalf("the catalogue has %d entries, one page; the test would not follow next links", len(want))
	}
	if len(perms) != len(want) {
		t.Fatalf("got %d permissions, want the whole catalogue of %d", len(perms), len(want))
	}
	seen := map[string]bool{}
	for _, p := range perms {
		if seen[p.Name] {
			t.Fatalf("%s listed twice", p.Name)
		}
		seen[p.Name] = true
	}
	for _, name := range []string{catalogue.AccessTokenRead, catalogue.AccessTokenWrite, catalogue.CustomRoleWrite} {
		if !seen[name] {
			t.Errorf("%s missing", name)
		}
	}
	_, err := c.WithToken("").ListPermissions(context.Background())
	wantErr(t, err, client.IsUnauthorized, "unauthorized")
}

func TestServerTokenLifecycle(t *testing.T) {
	ts, c := setup(t)
	ctx := context.Background()

	dry := must[*api.Token](t)(c.CreateToken(ctx, api.TokenCreate{Name: "dry", Role: api.RoleReader}, client.WriteOptions{DryRun: true}))
	if dry.Name != "dry" {
		t.Fatalf("dry run answered %+v", dry)
	}
	before := must[*api.List[api.Token]](t)(c.ListTokens(ctx, false, client.ListOptions{}))

	created := must[*api.Token](t)(c.CreateToken(ctx, api.TokenCreate{
		Name: "ci", Description: "for CI", Role: api.RoleReader, WorkspaceIDs: []string{ts.DefaultWorkspaceID},
	}, client.WriteOptions{}))
	if !strings.HasPrefix(created.Token, "tsm_pat_") || created.ID == "" || created.MemberID != ts.OwnerID || created.OwnerID != ts.OrgID {
		t.Fatalf("create answered id %q owner %q member %q", created.ID, created.OwnerID, created.MemberID)
	}
	after := must[*api.List[api.Token]](t)(c.ListTokens(ctx, false, client.ListOptions{}))
	if after.TotalCount != before.TotalCount+1 {
		t.Fatalf("total went from %d to %d; the dry run must not create", before.TotalCount, after.TotalCount)
	}

	got := must[*api.Token](t)(c.GetToken(ctx, created.ID))
	if got.Token != created.Token[len(created.Token)-4:] || got.Role != api.RoleReader {
		t.Fatalf("read back token field %d chars, role %q", len(got.Token), got.Role)
	}
	all := must[*api.List[api.Token]](t)(c.ListTokens(ctx, true, client.ListOptions{Limit: 1}))
	if len(all.Items) != 1 || all.TotalCount < 2 || all.Links["next"].Href == "" {
		t.Fatalf("paged showAll list: %d items of %d", len(all.Items), all.TotalCount)
	}

	patched := must[*api.Token](t)(c.PatchToken(ctx, created.ID, []api.PatchOperation{{Op: "replace", Path: "/name", Value: "ci-2"}}, client.WriteOptions{}))
	if patched.Name != "ci-2" {
		t.Fatalf("patched name %q", patched.Name)
	}
	_, err := c.PatchToken(ctx, created.ID, []api.PatchOperation{{Op: "replace", Path: "/serviceToken", Value: true}}, client.WriteOptions{})
	wantErr(t, err, client.IsInvalidRequest, "invalid request for a fixed field")
	_, err = c.CreateToken(ctx, api.TokenCreate{Name: strings.Repeat("n", 65), Role: api.RoleReader}, client.WriteOptions{})
	wantErr(t, err, client.IsInvalidRequest, "invalid request for a long name")

	// Reset with a grace period: both secrets work until it ends.
	grace := ts.Clock.Now().Add(time.Hour)
	reset := must[*api.Token](t)(c.ResetToken(ctx, created.ID, grace, client.WriteOptions{}))
	if reset.ID != created.ID || reset.Token == created.Token || !strings.HasPrefix(reset.Token, "tsm_pat_") {
		t.Fatal("reset must keep the id and issue a new secret")
	}
	must[*api.CallerIdentity](t)(c.WithToken(created.Token).CallerIdentity(ctx))
	must[*api.CallerIdentity](t)(c.WithToken(reset.Token).CallerIdentity(ctx))
	ts.Clock.Advance(2 * time.Hour)
	_, err = c.WithToken(created.Token).CallerIdentity(ctx)
	wantErr(t, err, client.IsUnauthorized, "unauthorized old secret after the grace period")
	must[*api.CallerIdentity](t)(c.WithToken(reset.Token).CallerIdentity(ctx))

	// Reset without a grace period: the previous secret stops at once.
	again := must[*api.Token](t)(c.ResetToken(ctx, created.ID, time.Time{}, client.WriteOptions{}))
	_, err = c.WithToken(reset.Token).CallerIdentity(ctx)
	wantErr(t, err, client.IsUnauthorized, "unauthorized previous secret")
	must[*api.CallerIdentity](t)(c.WithToken(again.Token).CallerIdentity(ctx))

	noErr(t, c.DeleteToken(ctx, created.ID))
	_, err = c.GetToken(ctx, created.ID)
	wantErr(t, err, client.IsNotFound, "not found after delete")
	wantErr(t, c.DeleteToken(ctx, created.ID), client.IsNotFound, "not found on a second delete")
	_, err = c.ResetToken(ctx, created.ID, time.Time{}, client.WriteOptions{})
	wantErr(t, err, client.IsNotFound, "not found on reset")
}

func TestServerTokenPermissionDeniedAndMemberTokens(t *testing.T) {
	_, c := setup(t)
	ctx := context.Background()
	reader, readerClient := memberWithToken(t, c, "reader@example.com", api.RoleReader)

	_, err := readerClient.CreateToken(ctx, api.TokenCreate{Name: "x", Role: api.RoleAdmin}, client.WriteOptions{})
	wantErr(t, err, client.IsPermissionDenied, "permission denied for an escalation")
	e, _ := client.AsError(err)
	if e.Problem.ErrorNumber != api.PermissionDeniedNumber {
		t.Errorf("errorNumber = %d", e.Problem.ErrorNumber)
	}
	_, err = readerClient.ListTokens(ctx, true, client.ListOptions{})
	wantErr(t, err, client.IsPermissionDenied, "permission denied for showAll")

	must[*api.Token](t)(c.CreateToken(ctx, api.TokenCreate{Name: "second", Role: api.RoleReader, MemberID: reader.ID}, client.WriteOptions{}))
	if _, err := c.DeleteMemberTokens(ctx, reader.ID, client.TokenBulkFilter{}); err != nil {
		t.Fatalf("DeleteMemberTokens: %v", err)
	}
	_, err = readerClient.CallerIdentity(ctx)
	wantErr(t, err, client.IsUnauthorized, "unauthorized after remove-all")
	for _, tok := range must[*api.List[api.Token]](t)(c.ListTokens(ctx, true, client.ListOptions{Limit: 1000})).Items {
		if tok.MemberID == reader.ID {
			t.Fatalf("token %s of the member survived remove-all", tok.ID)
		}
	}
}

func TestServerTokenQuota(t *testing.T) {
	_, c := setup(t, testserver.WithConfig(func(cfg *server.Config) {
		cfg.Quota.PerMember = 2 // the owner token counts as one
	}))
	ctx := context.Background()
	must[*api.Token](t)(c.CreateToken(ctx, api.TokenCreate{Name: "one", Role: api.RoleReader}, client.WriteOptions{}))
	_, err := c.CreateToken(ctx, api.TokenCreate{Name: "two", Role: api.RoleReader}, client.WriteOptions{DryRun: true})
	wantErr(t, err, client.IsQuotaExceeded, "quota exceeded on a dry run")
	_, err = c.CreateToken(ctx, api.TokenCreate{Name: "two", Role: api.RoleReader}, client.WriteOptions{})
	wantErr(t, err, client.IsQuotaExceeded, "quota exceeded")
	if e, _ := client.AsError(err); e.Problem.Limit != 2 || e.StatusCode != http.StatusConflict {
		t.Errorf("quota problem: limit %d, status %d", e.Problem.Limit, e.StatusCode)
	}
}

func TestServerCustomRoleLifecycle(t *testing.T) {
	_, c := setup(t)
	ctx := context.Background()
	in := api.CustomRoleCreate{
		Key: "ci-reader", Name: "CI reader", Description: "reads tokens",
		Policy: []api.Statement{
			{Effect: api.EffectAllow, Actions: []string{catalogue.AccessTokenRead}, Resources: []string{"*"}},
			{Effect: api.EffectDeny, Actions: []string{catalogue.AccessTokenWrite}, Resources: []string{"org"}},
		},
	}
	dry := must[*api.CustomRole](t)(c.CreateCustomRole(ctx, in, client.WriteOptions{DryRun: true}))
	if dry.Key != in.Key {
		t.Fatalf("dry run answered key %q", dry.Key)
	}
	_, err := c.GetCustomRole(ctx, in.Key)
	wantErr(t, err, client.IsNotFound, "not found after a dry run")

	role := must[*api.CustomRole](t)(c.CreateCustomRole(ctx, in, client.WriteOptions{}))
	if role.ID == "" || len(role.Policy) != 2 || role.Policy[1].Effect != api.EffectDeny {
		t.Fatalf("created role %+v", role)
	}
	byID := must[*api.CustomRole](t)(c.GetCustomRole(ctx, role.ID))
	byKey := must[*api.CustomRole](t)(c.GetCustomRole(ctx, role.Key))
	if byID.ID != role.ID || byKey.ID != role.ID {
		t.Fatal("the role must read back by id and by key")
	}
	list := must[*api.List[api.CustomRole]](t)(c.ListCustomRoles(ctx, client.ListOptions{}))
	if list.TotalCount != 1 || list.Items[0].Key != in.Key {
		t.Fatalf("list: %+v", list)
	}
	_, err = c.CreateCustomRole(ctx, in, client.WriteOptions{})
	wantErr(t, err, client.IsConflict, "conflict on a duplicate key")
	bad := in
	bad.Key = "bad"
	bad.Policy = []api.Statement{{Effect: api.EffectAllow, Actions: []string{"NO_SUCH_PERMISSION"}, Resources: []string{"*"}}}
	_, err = c.CreateCustomRole(ctx, bad, client.WriteOptions{})
	wantErr(t, err, client.IsInvalidRequest, "invalid request for an unknown action")

	patched := must[*api.CustomRole](t)(c.PatchCustomRole(ctx, role.Key, []api.PatchOperation{{Op: "replace", Path: "/name", Value: "CI reader 2"}}, client.WriteOptions{}))
	if patched.Name != "CI reader 2" {
		t.Fatalf("patched name %q", patched.Name)
	}
	dryPatch := must[*api.CustomRole](t)(c.PatchCustomRole(ctx, role.ID, []api.PatchOperation{{Op: "replace", Path: "/name", Value: "never"}}, client.WriteOptions{DryRun: true}))
	if dryPatch.Name != "never" || must[*api.CustomRole](t)(c.GetCustomRole(ctx, role.ID)).Name != "CI reader 2" {
		t.Fatal("a dry-run patch must answer the result without writing it")
	}

	tok := must[*api.Token](t)(c.CreateToken(ctx, api.TokenCreate{Name: "uses role", CustomRoleIDs: []string{role.Key}}, client.WriteOptions{}))
	if len(tok.CustomRoleIDs) != 1 || tok.CustomRoleIDs[0] != role.ID {
		t.Fatalf("customRoleIds answered %v, want the id", tok.CustomRoleIDs)
	}
	wantErr(t, c.DeleteCustomRole(ctx, role.Key), client.IsConflict, "conflict while a token uses the role")
	noErr(t, c.DeleteToken(ctx, tok.ID))
	noErr(t, c.DeleteCustomRole(ctx, role.Key))
	_, err = c.GetCustomRole(ctx, role.ID)
	wantErr(t, err, client.IsNotFound, "not found after delete")
	_, err = c.PatchCustomRole(ctx, role.ID, []api.PatchOperation{{Op: "replace", Path: "/name", Value: "x"}}, client.WriteOptions{})
	wantErr(t, err, client.IsNotFound, "not found on patch")
}

func TestServerWorkspaceLifecycle(t *testing.T) {
	ts, c := setup(t)
	ctx := context.Background()
	admin, adminClient := memberWithToken(t, c, "admin@example.com", api.RoleAdmin)
	writer, writerClient := memberWithToken(t, c, "writer@example.com", api.RoleWriter)

	ws := must[*api.Workspace](t)(c.CreateWorkspace(ctx, api.WorkspaceCreate{Name: "dev", Description: "development"}))
	if ws.OwnerID != ts.OwnerID || ws.Name != "dev" {
		t.Fatalf("created %+v", ws)
	}
	_, err := c.CreateWorkspace(ctx, api.WorkspaceCreate{Name: "dev"})
	wantErr(t, err, client.IsConflict, "conflict on a duplicate name")
	_, err = writerClient.CreateWorkspace(ctx, api.WorkspaceCreate{Name: "mine"})
	wantErr(t, err, client.IsPermissionDenied, "permission denied for a writer")

	if got := must[*api.Workspace](t)(c.GetWorkspace(ctx, ws.ID)); got.Description != "development" {
		t.Fatalf("read back %+v", got)
	}
	byName := must[*api.List[api.Workspace]](t)(c.ListWorkspaces(ctx, "dev", client.ListOptions{}))
	if byName.TotalCount != 1 || byName.Items[0].ID != ws.ID {
		t.Fatalf("list by name: %+v", byName)
	}
	if all := must[*api.List[api.Workspace]](t)(c.ListWorkspaces(ctx, "", client.ListOptions{})); all.TotalCount != 2 {
		t.Fatalf("list: %d workspaces, want default and dev", all.TotalCount)
	}
	patched := must[*api.Workspace](t)(c.PatchWorkspace(ctx, ws.ID, []api.PatchOperation{{Op: "replace", Path: "/description", Value: "dev env"}}))
	if patched.Description != "dev env" {
		t.Fatalf("patched %+v", patched)
	}

	withWriter := must[*api.Workspace](t)(c.AddWorkspaceMember(ctx, ws.ID, writer.ID))
	if !contains(withWriter.MemberIDs, writer.ID) {
		t.Fatalf("member not added: %v", withWriter.MemberIDs)
	}
	_, err = c.AddWorkspaceMember(ctx, ws.ID, "000000000000000000000000")
	wantErr(t, err, client.IsNotFound, "not found for an unknown member")
	without := must[*api.Workspace](t)(c.RemoveWorkspaceMember(ctx, ws.ID, writer.ID))
	if contains(without.MemberIDs, writer.ID) {
		t.Fatalf("member not removed: %v", without.MemberIDs)
	}

	// A personal token of the previous owner scoped to the workspace alone
	// loses it on transfer.
	scoped := must[*api.Token](t)(c.CreateToken(ctx, api.TokenCreate{Name: "scoped", Role: api.RoleReader, WorkspaceIDs: []string{ws.ID}}, client.WriteOptions{}))
	res := must[*api.WorkspaceTransferResult](t)(c.TransferWorkspace(ctx, ws.ID, admin.ID))
	if res.Workspace.OwnerID != admin.ID || res.TokensNarrowed+res.TokensRevoked < 1 {
		t.Fatalf("transfer result %+v", res)
	}
	if tok, err := c.GetToken(ctx, scoped.ID); err == nil && contains(tok.WorkspaceIDs, ws.ID) {
		t.Fatal("the scoped token still lists the transferred workspace")
	} else if err != nil && !client.IsNotFound(err) {
		t.Fatal(err)
	}
	_, err = c.TransferWorkspace(ctx, "000000000000000000000000", admin.ID)
	wantErr(t, err, client.IsNotFound, "not found on transfer")

	// The previous owner's tokens no longer reach the workspace; the new
	// owner's do.
	noErr(t, adminClient.DeleteWorkspace(ctx, ws.ID))
	_, err = adminClient.GetWorkspace(ctx, ws.ID)
	wantErr(t, err, client.IsNotFound, "not found after delete")
	_, err = adminClient.PatchWorkspace(ctx, ws.ID, nil)
	wantErr(t, err, client.IsNotFound, "not found on patch")
}

func TestServerMemberLifecycle(t *testing.T) {
	ts, c := setup(t)
	ctx := context.Background()
	m := must[*api.Member](t)(c.CreateMember(ctx, api.MemberCreate{Email: "w@example.com", FirstName: "W", Role: api.RoleWriter}))
	if m.ID == "" || m.Role != api.RoleWriter {
		t.Fatalf("created %+v", m)
	}
	_, err := c.CreateMember(ctx, api.MemberCreate{Email: "w@example.com", Role: api.RoleWriter})
	wantErr(t, err, client.IsConflict, "conflict on a duplicate email")
	_, err = c.CreateMember(ctx, api.MemberCreate{Email: "x@example.com", Role: "superuser"})
	wantErr(t, err, client.IsInvalidRequest, "invalid request for an unknown role")

	if got := must[*api.Member](t)(c.GetMember(ctx, m.ID)); got.Email != "w@example.com" {
		t.Fatalf("read back %+v", got)
	}
	list := must[*api.List[api.Member]](t)(c.ListMembers(ctx, client.ListOptions{}))
	if list.TotalCount != 2 {
		t.Fatalf("list: %d members, want the owner and one more", list.TotalCount)
	}
	patched := must[*api.Member](t)(c.PatchMember(ctx, m.ID, []api.PatchOperation{{Op: "replace", Path: "/role", Value: api.RoleReader}}))
	if patched.Role != api.RoleReader {
		t.Fatalf("patched %+v", patched)
	}
	_, readerClient := memberWithToken(t, c, "r@example.com", api.RoleReader)
	_, err = readerClient.PatchMember(ctx, ts.OwnerID, []api.PatchOperation{{Op: "replace", Path: "/role", Value: api.RoleReader}})
	wantErr(t, err, client.IsPermissionDenied, "permission denied for a reader")

	noErr(t, c.DeleteMember(ctx, m.ID))
	_, err = c.GetMember(ctx, m.ID)
	wantErr(t, err, client.IsNotFound, "not found after delete")
}

func TestServerAuditLog(t *testing.T) {
	_, c := setup(t)
	ctx := context.Background()
	tok := must[*api.Token](t)(c.CreateToken(ctx, api.TokenCreate{Name: "audited", Role: api.RoleReader}, client.WriteOptions{}))
	log := must[*api.List[api.AuditEntry]](t)(c.ListAuditLog(ctx, client.ListOptions{Limit: 100}))
	found := false
	for _, e := range log.Items {
		if e.TokenID == tok.ID || strings.Contains(e.Target, tok.ID) {
			found = true
		}
		if strings.Contains(fmt.Sprintf("%+v", e), tok.Token) {
			t.Fatal("an audit entry holds the secret")
		}
	}
	if !found {
		t.Fatalf("no audit entry names the created token among %d", len(log.Items))
	}
	_, err := c.WithToken("tsm_pat_nope").ListAuditLog(ctx, client.ListOptions{})
	wantErr(t, err, client.IsUnauthorized, "unauthorized")
}

// losingTransport performs the first matching request for real and then
// reports the connection lost, as when a response is dropped in transit.
type losingTransport struct {
	next  http.RoundTripper
	match func(*http.Request) bool
	lost  atomic.Int32
	mu    sync.Mutex
	keys  []string
}

func (l *losingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if !l.match(r) {
		return l.next.RoundTrip(r)
	}
	l.mu.Lock()
	l.keys = append(l.keys, r.Header.Get(api.HeaderIdempotencyKey))
	l.mu.Unlock()
	resp, err := l.next.RoundTrip(r)
	if err == nil && l.lost.Add(1) == 1 {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, io.ErrUnexpectedEOF
	}
	return resp, err
}

func TestServerIdempotentReplayAfterDroppedResponse(t *testing.T) {
	ts := testserver.New(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		match func(*http.Request) bool
		call  func(*client.Client, string) (string, string, error)
	}{
		{"create", func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Path == api.PathTokens },
			func(c *client.Client, _ string) (string, string, error) {
				tok, err := c.CreateToken(ctx, api.TokenCreate{Name: "replayed", Role: api.RoleReader}, client.WriteOptions{})
				if err != nil {
					return "", "", err
				}
				return tok.ID, tok.Token, nil
			}},
		{"reset", func(r *http.Request) bool {
			return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/reset")
		},
			func(c *client.Client, id string) (string, string, error) {
				tok, err := c.ResetToken(ctx, id, time.Time{}, client.WriteOptions{})
				if err != nil {
					return "", "", err
				}
				return tok.ID, tok.Token, nil
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lt := &losingTransport{next: http.DefaultTransport.(*http.Transport).Clone(), match: tc.match}
			c := newClient(t, ts, func(cfg *client.Config) { cfg.HTTPClient = &http.Client{Transport: lt} })
			before := must[*api.List[api.Token]](t)(c.ListTokens(ctx, true, client.ListOptions{}))
			target := ""
			if tc.name == "reset" {
				target = must[*api.Token](t)(c.CreateToken(ctx, api.TokenCreate{Name: "to reset", Role: api.RoleReader}, client.WriteOptions{})).ID
			}
			id, secretValue, err := tc.call(c, target)
			if err != nil {
				t.Fatalf("the call must succeed through the replay: %v", err)
			}
			if len(lt.keys) != 2 || lt.keys[0] == "" || lt.keys[0] != lt.keys[1] {
				t.Fatalf("want two attempts with one idempotency key, got %d", len(lt.keys))
			}
			// The replayed answer carries a working secret, and the server
			// acted once.
			who := must[*api.CallerIdentity](t)(c.WithToken(secretValue).CallerIdentity(ctx))
			if who.TokenID != id {
				t.Fatalf("the replayed secret authenticates as %q, want %q", who.TokenID, id)
			}
			after := must[*api.List[api.Token]](t)(c.ListTokens(ctx, true, client.ListOptions{}))
			if after.TotalCount != before.TotalCount+1 {
				t.Fatalf("tokens went from %d to %d; want exactly one more", before.TotalCount, after.TotalCount)
			}
		})
	}
}

func TestServerRateLimitedThenSuccess(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) {
		cfg.RateLimit, cfg.RateBurst = 1, 1
	}))
	// The server's rate limiter runs on the test clock and asks for at least
	// one second; this transport moves the clock past the wait instead of
	// making the test sleep, and lets the client retry at once.
	var limited atomic.Int32
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err == nil && resp.StatusCode == http.StatusTooManyRequests {
			limited.Add(1)
			secs := resp.Header.Get(api.HeaderRetryAfter)
			if secs == "" || resp.Header.Get(api.HeaderRateLimitReset) == "" {
				t.Errorf("429 without Retry-After or X-Ratelimit-Reset")
			}
			var wait int
			fmt.Sscan(secs, &wait)
			ts.Clock.Advance(time.Duration(wait) * time.Second)
			resp.Header.Set(api.HeaderRetryAfter, "0")
			resp.Header.Del(api.HeaderRateLimitReset)
		}
		return resp, err
	})
	c := newClient(t, ts, func(cfg *client.Config) { cfg.HTTPClient = &http.Client{Transport: rt} })
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		must[*api.CallerIdentity](t)(c.CallerIdentity(ctx))
	}
	if limited.Load() == 0 {
		t.Fatal("the server never answered 429; the test proves nothing")
	}

	// Without retries the problem reaches the caller.
	ts.Clock.Advance(time.Minute)
	noRetry := newClient(t, ts, func(cfg *client.Config) { cfg.MaxRetries = -1 })
	must[*api.CallerIdentity](t)(noRetry.CallerIdentity(ctx))
	_, err := noRetry.CallerIdentity(ctx)
	wantErr(t, err, client.IsRateLimited, "rate limited")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestServerTLSWithPrivateCA(t *testing.T) {
	ts := testserver.New(t, testserver.WithTLS())
	if !strings.HasPrefix(ts.URL, "https://") || ts.CACertPEM == "" {
		t.Fatalf("WithTLS gave %q", ts.URL)
	}
	c := newClient(t, ts, nil)
	must[*api.CallerIdentity](t)(c.CallerIdentity(context.Background()))

	untrusting := newClient(t, ts, func(cfg *client.Config) { cfg.CACertPEM = "" })
	_, err := untrusting.CallerIdentity(context.Background())
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("want a certificate error, got %v", err)
	}
}

func TestServerLogsCarryNoSecret(t *testing.T) {
	ts := testserver.New(t)
	var mu sync.Mutex
	var out strings.Builder
	c := newClient(t, ts, func(cfg *client.Config) {
		cfg.Logger = func(_ context.Context, msg string, fields map[string]any) {
			b, _ := json.Marshal(fields)
			mu.Lock()
			fmt.Fprintln(&out, msg, string(b))
			mu.Unlock()
		}
	})
	ctx := context.Background()
	tok := must[*api.Token](t)(c.CreateToken(ctx, api.TokenCreate{Name: "logged", Role: api.RoleReader}, client.WriteOptions{}))
	reset := must[*api.Token](t)(c.ResetToken(ctx, tok.ID, time.Time{}, client.WriteOptions{}))
	must[*api.CallerIdentity](t)(c.WithToken(reset.Token).CallerIdentity(ctx))
	logged := out.String()
	serverLog := ts.Logs()
	for _, s := range []string{ts.OwnerToken, tok.Token, reset.Token} {
		if strings.Contains(logged, s) {
			t.Fatal("a secret reached the client log")
		}
		if strings.Contains(serverLog, s) {
			t.Fatal("a secret reached the server log")
		}
	}
	if !strings.Contains(logged, client.LogMsgResponse) {
		t.Fatal("nothing was logged")
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}
