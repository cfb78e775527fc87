package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func TestNoEscalation(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	_, tok := memberWithToken(t, c, "w@example.com", "writer", "writer")
	wc := c.with(tok.Token)

	// create
	p := wc.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens, api.TokenCreate{Name: "x", Role: "admin"})
	if len(p.Missing) == 0 || p.ErrorNumber != api.PermissionDeniedNumber {
		t.Fatalf("problem %+v", p)
	}
	p = wc.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens, api.TokenCreate{Name: "x", Permissions: []string{"MEMBER_WRITE"}})
	if len(p.Missing) != 1 || p.Missing[0] != "MEMBER_WRITE" {
		t.Fatalf("missing %v", p.Missing)
	}
	wc.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens, api.TokenCreate{Name: "x", InlineRole: []api.Statement{{Effect: "allow", Actions: []string{"*"}, Resources: []string{"*"}}}})
	// dry run reports the same refusal
	wc.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens+"?dryRun=true", api.TokenCreate{Name: "x", Role: "admin"})
	own := wc.createToken(api.TokenCreate{Name: "mine", Role: "reader"})

	// patch
	wc.fail(http.StatusForbidden, api.CodePermissionDenied, "PATCH", api.PathTokens+"/"+own.ID, []api.PatchOperation{{Op: "replace", Path: "/role", Value: "admin"}})

	// custom role: the owner makes one the writer cannot hold; the writer
	// may neither create such a role nor use it.
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "big", Name: "Big", Permissions: []string{"MEMBER_WRITE"}})
	wc.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens, api.TokenCreate{Name: "x", CustomRoleIDs: []string{"big"}})
	wc.fail(http.StatusForbidden, api.CodePermissionDenied, "PATCH", api.PathTokens+"/"+own.ID, []api.PatchOperation{{Op: "add", Path: "/customRoleIds", Value: []string{"big"}}})

	// reset: an admin-granted token of a member later demoted to writer
	// cannot be reset by them.
	m, adminTok := memberWithToken(t, c, "a@example.com", "admin", "admin")
	ac := c.with(adminTok.Token)
	second := ac.createToken(api.TokenCreate{Name: "second", Role: "admin"})
	c.must(http.StatusOK, "PATCH", api.PathMembers+"/"+m.ID, []api.PatchOperation{{Op: "replace", Path: "/role", Value: "writer"}})
	p = ac.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens+"/"+second.ID+"/reset", nil)
	if len(p.Missing) == 0 {
		t.Fatalf("reset refusal lacks missing: %+v", p)
	}
}

func TestCustomRoleEscalation(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	ltd := c.createToken(api.TokenCreate{Name: "limited", Permissions: []string{"CUSTOM_ROLE_WRITE", "CUSTOM_ROLE_READ", "API_READ"}})
	lc := c.with(ltd.Token)
	p := lc.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathRoles, api.CustomRoleCreate{Key: "k", Name: "K", Permissions: []string{"API_WRITE"}})
	if len(p.Missing) != 1 || p.Missing[0] != "API_WRITE" {
		t.Fatalf("missing %v", p.Missing)
	}
	lc.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "k", Name: "K", Permissions: []string{"API_READ"}})
	lc.fail(http.StatusForbidden, api.CodePermissionDenied, "PATCH", api.PathRoles+"/k", []api.PatchOperation{{Op: "add", Path: "/permissions/-", Value: "API_WRITE"}})
}

func TestValidationErrorsNameTheField(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	cases := []struct {
		body  string
		field string
	}{
		{`{"name": 5, "role": "reader"}`, "name"},
		{`{"name": "x", "role": "reader", "serviceToken": "yes"}`, "serviceToken"},
		{`{"name": "x", "customRoleIds": "abc"}`, "customRoleIds"},
		{`{"role": "reader"}`, "name"},
		{`{"name": "` + strings.Repeat("n", 65) + `", "role": "reader"}`, "name"},
		{`{"name": "a\u0007b", "role": "reader"}`, "name"},
		{`{"name": "x", "description": "` + strings.Repeat("d", 1001) + `", "role": "reader"}`, "description"},
		{`{"name": "x"}`, "role"},
		{`{"name": "x", "role": "reader", "permissions": ["API_READ"]}`, "role"},
		{`{"name": "x", "role": "owner"}`, "role"},
		{`{"name": "x", "permissions": ["API_REDA"]}`, "permissions[0]"},
		{`{"name": "x", "customRoleIds": ["nope"]}`, "customRoleIds[0]"},
		{`{"name": "x", "role": "reader", "workspaceIds": ["nope"]}`, "workspaceIds[0]"},
		{`{"name": "x", "role": "reader", "workspaceIds": ["` + ts.DefaultWorkspaceID + `"], "allWorkspaces": true}`, "allWorkspaces"},
		{`{"name": "x", "role": "reader", "expirationDate": 1}`, "expirationDate"},
	}
	for _, tc := range cases {
		p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens, tc.body)
		if p.Field != tc.field || !strings.Contains(p.Detail, strings.Split(tc.field, "[")[0]) {
			t.Errorf("%s: field %q detail %q, want field %q", tc.body, p.Field, p.Detail, tc.field)
		}
	}
	p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens, api.TokenCreate{Name: "x", Permissions: []string{"API_REDA"}})
	if !strings.Contains(p.Detail, "API_READ") {
		t.Errorf("no suggestion in %q", p.Detail)
	}
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens, `{"name": `)
}

func TestExpirationPolicy(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) {
		cfg.MaxLifetime = 30 * 24 * time.Hour
		cfg.AllowNoExpiry = false
	}))
	c := newClient(t, ts, ts.OwnerToken)
	now := ts.Clock.Now()
	p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens, api.TokenCreate{Name: "x", Role: "reader"})
	if p.Field != "expirationDate" {
		t.Fatalf("field %q", p.Field)
	}
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens, api.TokenCreate{Name: "x", Role: "reader", ExpirationDate: now.Add(31 * 24 * time.Hour).UnixMilli()})
	tok := c.createToken(api.TokenCreate{Name: "x", Role: "reader", ExpirationDate: now.Add(24 * time.Hour).UnixMilli()})
	tc := c.with(tok.Token)
	tc.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)

	ts.Clock.Advance(24 * time.Hour)
	p = tc.fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
	if !strings.Contains(p.Detail, "expired") {
		t.Fatalf("detail %q", p.Detail)
	}
	r := c.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil)
	if r.Obj["expired"] != true {
		t.Fatalf("expired not reported: %s", r.Body)
	}
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "PATCH", api.PathTokens+"/"+tok.ID, []api.PatchOperation{{Op: "replace", Path: "/expirationDate", Value: 0}})
}

func TestResetGrace(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "x", Role: "reader"})
	old := c.with(tok.Token)

	grace := ts.Clock.Now().Add(time.Hour).UnixMilli()
	var reset api.Token
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset?expiry="+strconv.FormatInt(grace, 10), nil).into(t, &reset)
	if reset.ID != tok.ID || reset.Token == tok.Token || !strings.HasPrefix(reset.Token, "tsm_pat_") {
		t.Fatalf("reset %+v", reset)
	}
	fresh := c.with(reset.Token)
	old.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	fresh.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	ts.Clock.Advance(time.Hour)
	old.fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
	fresh.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)

	// expiry in a JSON body; then a reset without expiry stops the old secret at once.
	var second api.Token
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset", api.TokenReset{Expiry: ts.Clock.Now().Add(time.Minute).UnixMilli()}).into(t, &second)
	fresh.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	var third api.Token
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset", nil).into(t, &third)
	c.with(second.Token).fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
	c.with(third.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)

	// dry run: nothing changes
	r := c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset?dryRun=true", nil)
	if r.Obj["token"] != third.Token[len(third.Token)-4:] {
		t.Fatalf("dry-run reset shows %v", r.Obj["token"])
	}
	c.with(third.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
}

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

func TestQuota(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) {
		cfg.Quota = store.Quota{PerMember: 3, PerOrg: 100}
	}))
	c := newClient(t, ts, ts.OwnerToken) // the bootstrap token counts
	c.createToken(api.TokenCreate{Name: "a", Role: "reader"})
	c.createToken(api.TokenCreate{Name: "b", Role: "reader"})
	p := c.fail(http.StatusConflict, api.CodeQuotaExceeded, "POST", api.PathTokens+"?dryRun=true", api.TokenCreate{Name: "c", Role: "reader"})
	if p.Limit != 3 {
		t.Fatalf("limit %d", p.Limit)
	}
	c.fail(http.StatusConflict, api.CodeQuotaExceeded, "POST", api.PathTokens, api.TokenCreate{Name: "c", Role: "reader"})
}

func TestDeleteMemberTokens(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	m, tok := memberWithToken(t, c, "w@example.com", "writer", "writer")
	c.createToken(api.TokenCreate{Name: "2", Role: "reader", MemberID: m.ID})
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "DELETE", api.PathTokens, nil)
	c.with(tok.Token).fail(http.StatusForbidden, api.CodePermissionDenied, "DELETE", api.PathTokens+"?memberId="+ts.OwnerID, nil)
	c.must(http.StatusOK, "DELETE", api.PathTokens+"?memberId="+m.ID, nil)
	c.with(tok.Token).fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathTokens, nil)
	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens+"?showAll=true", nil).into(t, &list)
	if list.TotalCount != 1 {
		t.Fatalf("tokens left %d", list.TotalCount)
	}
}

func TestOtherMembersTokensNeedManage(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	_, tok := memberWithToken(t, c, "w@example.com", "writer", "writer")
	wc := c.with(tok.Token)
	var list api.List[api.Token]
	wc.must(http.StatusOK, "GET", api.PathTokens, nil).into(t, &list)
	if list.TotalCount != 1 || list.Items[0].ID != tok.ID {
		t.Fatalf("own list %+v", list)
	}
	wc.fail(http.StatusForbidden, api.CodePermissionDenied, "GET", api.PathTokens+"?showAll=true", nil)
	var all api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens+"?showAll=true", nil).into(t, &all)
	for _, other := range all.Items {
		if other.ID != tok.ID {
			wc.fail(http.StatusForbidden, api.CodePermissionDenied, "GET", api.PathTokens+"/"+other.ID, nil)
			wc.fail(http.StatusForbidden, api.CodePermissionDenied, "DELETE", api.PathTokens+"/"+other.ID, nil)
		}
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

func TestRateLimit(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) {
		cfg.RateLimit, cfg.RateBurst = 1, 2
	}))
	c := newClient(t, ts, ts.OwnerToken)
	c.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	c.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	r := c.do("GET", api.PathCallerIdentity, nil)
	if r.Status != http.StatusTooManyRequests || r.problem(t).Code != api.CodeRateLimited {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	if r.Header.Get(api.HeaderRetryAfter) != "1" {
		t.Fatalf("Retry-After %q", r.Header.Get(api.HeaderRetryAfter))
	}
	reset, err := strconv.ParseInt(r.Header.Get(api.HeaderRateLimitReset), 10, 64)
	if err != nil || reset != ts.Clock.Now().Add(time.Second).UnixMilli() {
		t.Fatalf("X-Ratelimit-Reset %q", r.Header.Get(api.HeaderRateLimitReset))
	}
	ts.Clock.Advance(time.Second)
	c.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
}

func TestBodyLimit(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	big := `{"name":"x","role":"reader","description":"` + strings.Repeat("a", server.MaxBodyBytes) + `"}`
	c.fail(http.StatusRequestEntityTooLarge, api.CodeTooLarge, "POST", api.PathTokens, big)
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

// TestSecretsNeverStored creates and resets tokens (with and without
// Idempotency-Key), then scans the data directory and the logs for every
// secret value it has seen.
func TestSecretsNeverStored(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	secrets := []string{ts.OwnerToken}
	for i := range 5 {
		var tok api.Token
		c.must(http.StatusCreated, "POST", api.PathTokens, api.TokenCreate{Name: fmt.Sprint("t", i), Role: "reader", ServiceToken: i%2 == 0},
			api.HeaderIdempotencyKey, fmt.Sprint("create-", i)).into(t, &tok)
		secrets = append(secrets, tok.Token)
		var reset api.Token
		c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset", api.TokenReset{Expiry: ts.Clock.Now().Add(time.Hour).UnixMilli()},
			api.HeaderIdempotencyKey, fmt.Sprint("reset-", i)).into(t, &reset)
		secrets = append(secrets, reset.Token)
		c.with(reset.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
		c.with(tok.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
		c.with("Bearer "+tok.Token).must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil)
	}
	c.with(secrets[1]+"x").fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathTokens, nil)
	if err := ts.Flush(); err != nil {
		t.Fatal(err)
	}
	var audit api.List[api.AuditEntry]
	auditRaw := c.must(http.StatusOK, "GET", api.PathAuditLog+"?limit=1000", nil)
	auditRaw.into(t, &audit)
	if audit.TotalCount < 10 {
		t.Fatalf("audit has %d entries", audit.TotalCount)
	}

	haystacks := map[string][]byte{"logs": []byte(ts.Logs()), "audit": auditRaw.Body}
	entries, err := os.ReadDir(filepath.Dir(ts.DataPath))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(ts.DataPath), e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		haystacks[e.Name()] = b
	}
	if _, ok := haystacks[filepath.Base(ts.DataPath)+"-wal"]; !ok {
		t.Logf("no WAL file present; scanned %d files", len(entries))
	}
	if len(haystacks["logs"]) == 0 {
		t.Fatal("no logs captured")
	}
	for name, hay := range haystacks {
		for _, s := range secrets {
			if len(s) < 20 {
				t.Fatalf("implausible secret %q", s)
			}
			// the random body without the prefix, to catch partial copies
			if bytes.Contains(hay, []byte(s[8:len(s)-6])) {
				t.Errorf("%s holds a secret", name)
			}
		}
	}
}

// A dry run that names the token it replaces counts the two against the
// quotas once; the name is checked like a delete of that token, and a real
// create refuses it.
func TestQuotaDryRunReplaces(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) {
		cfg.Quota = store.Quota{PerMember: 2, PerOrg: 100}
	}))
	c := newClient(t, ts, ts.OwnerToken) // the bootstrap token counts
	old := c.createToken(api.TokenCreate{Name: "a", Role: "reader"})
	body := api.TokenCreate{Name: "a", Role: "reader"}
	c.fail(http.StatusConflict, api.CodeQuotaExceeded, "POST", api.PathTokens+"?dryRun=true", body)
	c.must(http.StatusOK, "POST", api.PathTokens+"?dryRun=true&replaces="+old.ID, body)

	p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens+"?replaces="+old.ID, body)
	if p.Field != "replaces" || !strings.Contains(p.Detail, "dryRun=true") {
		t.Fatalf("real create with replaces: %+v", p)
	}
	p = c.fail(http.StatusNotFound, api.CodeNotFound, "POST", api.PathTokens+"?dryRun=true&replaces=nope", body)
	if p.Field != "replaces" || !strings.Contains(p.Detail, "nope") {
		t.Fatalf("unknown token: %+v", p)
	}

	// A member may not name a token it could not delete (the owner's).
	_, tok := memberWithToken(t, c, "w@example.com", "writer", "writer")
	p = c.with(tok.Token).fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens+"?dryRun=true&replaces="+old.ID, body)
	if p.Field != "replaces" {
		t.Fatalf("other member's token: %+v", p)
	}

	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens+"?showAll=true", nil).into(t, &list)
	if list.TotalCount != 3 {
		t.Fatalf("tokens %d, want 3 (nothing written or deleted)", list.TotalCount)
	}
}
