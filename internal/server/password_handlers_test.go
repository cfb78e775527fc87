package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/password"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func TestMemberPassword(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	path := func(id string) string { return strings.Replace(api.PathMemberPassword, "{id}", id, 1) }
	const first, second = "first password 123", "second password 456"
	hashOf := func(id string) string {
		h, err := ts.Store.MemberPassword(t.Context(), ts.OrgID, id)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	matches := func(id, pw string) bool {
		ok, err := password.Verify(hashOf(id), pw)
		return err == nil && ok
	}

	admin, adminTok := memberWithToken(t, c, "admin@example.com", "admin", "admin")
	writer, writerTok := memberWithToken(t, c, "writer@example.com", "writer", "writer")

	// An owner sets anyone's; the answer echoes nothing.
	r := c.must(http.StatusNoContent, "POST", path(admin.ID), api.MemberPassword{Password: first})
	if len(r.Body) != 0 || !matches(admin.ID, first) {
		t.Fatalf("owner setting an admin's password: body %q, stored hash matches: %v", r.Body, matches(admin.ID, first))
	}

	// The rank rule: an admin sets a writer's, not an owner's.
	ac := c.with(adminTok.Token)
	ac.must(http.StatusNoContent, "POST", path(writer.ID), api.MemberPassword{Password: first})
	ac.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", path(ts.OwnerID), api.MemberPassword{Password: first})
	if hashOf(ts.OwnerID) != "" {
		t.Fatalf("a refused request set the owner's password")
	}
	// A writer sets nobody else's.
	wc := c.with(writerTok.Token)
	wc.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", path(admin.ID), api.MemberPassword{Password: second})
	if !matches(admin.ID, first) {
		t.Fatalf("a refused request changed the admin's password")
	}

	// Members change their own with the current one.
	p := wc.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", path(writer.ID), api.MemberPassword{Password: second})
	if p.Field != "currentPassword" {
		t.Fatalf("without the current password: field %q, %s", p.Field, p.Detail)
	}
	p = wc.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", path(writer.ID), api.MemberPassword{Password: second, CurrentPassword: "not the password"})
	if p.Field != "currentPassword" || !strings.Contains(p.Detail, "not your current password") {
		t.Fatalf("with a wrong current password: field %q, %s", p.Field, p.Detail)
	}
	wc.must(http.StatusNoContent, "POST", path(writer.ID), api.MemberPassword{Password: second, CurrentPassword: first})
	if !matches(writer.ID, second) {
		t.Fatalf("own password not changed")
	}

	// Bad input names the field and the rule and changes nothing.
	for _, bad := range []string{"", "short", strings.Repeat("x", 129)} {
		p = c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", path(writer.ID), api.MemberPassword{Password: bad})
		if p.Field != "password" || !strings.Contains(p.Detail, "characters") {
			t.Fatalf("password of %d characters: field %q, %s", len(bad), p.Field, p.Detail)
		}
	}
	if !matches(writer.ID, second) {
		t.Fatalf("a refused request changed the password")
	}
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", path(writer.ID), api.MemberPassword{Password: first, CurrentPassword: second})
	c.fail(http.StatusNotFound, api.CodeNotFound, "POST", path("0123456789abcdef01234567"), api.MemberPassword{Password: first})

	// Passwords appear in no log line and no audit record.
	var audit api.List[api.AuditEntry]
	c.must(http.StatusOK, "GET", api.PathAuditLog+"?limit=100", nil).into(t, &audit)
	found := 0
	for _, e := range audit.Items {
		if e.Action == "member.password" {
			found++
		}
	}
	if found != 3 {
		t.Fatalf("%d member.password audit records, want 3", found)
	}
	auditText := string(c.must(http.StatusOK, "GET", api.PathAuditLog+"?limit=100", nil).Body)
	for _, pw := range []string{first, second, "not the password"} {
		if strings.Contains(ts.Logs(), pw) || strings.Contains(auditText, pw) {
			t.Fatalf("a password is in the logs or the audit log")
		}
	}
}

// A wrong current password counts toward the failed-authentication limit.
func TestMemberPasswordFailuresAreLimited(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) { cfg.AuthFailureLimit, cfg.AuthFailureBurst = 0.001, 2 }))
	c := newClient(t, ts, ts.OwnerToken)
	path := strings.Replace(api.PathMemberPassword, "{id}", ts.OwnerID, 1)
	c.must(http.StatusNoContent, "POST", path, api.MemberPassword{Password: "the owner password"})
	for range 2 {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", path, api.MemberPassword{Password: "another password", CurrentPassword: "wrong wrong wrong"})
	}
	c.fail(http.StatusTooManyRequests, api.CodeRateLimited, "POST", path, api.MemberPassword{Password: "another password", CurrentPassword: "the owner password"})
}
