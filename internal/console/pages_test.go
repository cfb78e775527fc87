package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func signedIn(t *testing.T, e *env, email, pw string) *browserless {
	t.Helper()
	b := newBrowserless(t, e)
	status, _ := b.post("/console/signin", url.Values{"csrf": {b.csrf("/console/signin")}, "email": {email}, "password": {pw}})
	if status != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", email, status)
	}
	return b
}

// A date past the expiration policy is refused with the API's message
// beside the validity, and makes nothing.
func TestCreateBeyondThePolicyShowsTheAPIMessage(t *testing.T) {
	e := newEnv(t, testserver.WithConfig(func(cfg *server.Config) { cfg.MaxLifetime, cfg.AllowNoExpiry = 30*24*time.Hour, false }))
	writerID := e.setUp()
	b := signedIn(t, e, writerEmail, writerPass)
	_, form := b.get("/console/tokens/new")
	if strings.Contains(form, `name="validity" value="none"`) {
		t.Fatal("the form offers no expiry where the policy forbids it")
	}
	if limit := fmt.Sprintf(`maxlength="%d"`, api.MaxTokenNameLength); !strings.Contains(form, limit) {
		t.Errorf("the name field lacks the API's limit %s", limit)
	}
	late := e.ts.Clock.Now().AddDate(0, 0, 40).Format(time.DateOnly)
	status, page := b.post("/console/tokens/new", url.Values{"csrf": {b.csrf("/console/tokens/new")}, "name": {"far"},
		"validity": {"custom"}, "customDate": {late}, "scope": {"all"}, "permissions": {"ACCESS_TOKEN_READ"}})
	if status != http.StatusBadRequest || !strings.Contains(page, `id="validity-error"`) || !strings.Contains(page, "expirationDate") {
		t.Fatalf("a date past the policy: %d %s", status, page)
	}
	for name, v := range map[string]url.Values{
		"no expiry":  {"validity": {"none"}},
		"a bad date": {"validity": {"custom"}, "customDate": {"next week"}},
	} {
		v.Set("csrf", b.csrf("/console/tokens/new"))
		v.Set("name", "x")
		v.Set("scope", "all")
		v.Set("permissions", "ACCESS_TOKEN_READ")
		if status, page := b.post("/console/tokens/new", v); status != http.StatusBadRequest || !strings.Contains(page, `id="validity-error"`) {
			t.Fatalf("%s: %d", name, status)
		}
	}
	if n := e.tokenCount(writerID); n != 0 {
		t.Fatalf("refused creates made %d tokens", n)
	}
}

// Members change their own password in the console, giving the current
// one; the API's message shows beside the field at fault.
func TestChangeOwnPassword(t *testing.T) {
	e := newEnv(t)
	e.setUp()
	b := signedIn(t, e, writerEmail, writerPass)
	const next = "a brand new console password"
	status, page := b.post("/console/password", url.Values{"csrf": {b.csrf("/console/password")}, "currentPassword": {wrongPass}, "password": {next}, "confirm": {next}})
	if status != http.StatusBadRequest || !strings.Contains(page, `id="currentPassword-error"`) || !strings.Contains(page, "not your current password") {
		t.Fatalf("a wrong current password: %d", status)
	}
	status, page = b.post("/console/password", url.Values{"csrf": {b.csrf("/console/password")}, "currentPassword": {writerPass}, "password": {"short"}, "confirm": {"short"}})
	if status != http.StatusBadRequest || !strings.Contains(page, `id="password-error"`) || !strings.Contains(page, "at least 12") {
		t.Fatalf("a short new password: %d", status)
	}
	status, _ = b.post("/console/password", url.Values{"csrf": {b.csrf("/console/password")}, "currentPassword": {writerPass}, "password": {next}, "confirm": {next}})
	if status != http.StatusSeeOther {
		t.Fatalf("changing the password: %d", status)
	}
	// This browser stays signed in; the old password no longer works.
	if status, _ := b.get("/console/tokens"); status != http.StatusOK {
		t.Fatalf("after the change this session answers %d", status)
	}
	other := newBrowserless(t, e)
	if status, _ := other.post("/console/signin", url.Values{"csrf": {other.csrf("/console/signin")}, "email": {writerEmail}, "password": {writerPass}}); status != http.StatusUnauthorized {
		t.Fatalf("the old password still signs in: %d", status)
	}
	signedIn(t, e, writerEmail, next)
}

// Workspaces and custom roles are shown, not changed; the audit log is for
// admins, and a writer gets the API's refusal.
func TestReadOnlyPages(t *testing.T) {
	e := newEnv(t)
	e.setUp()
	b := signedIn(t, e, writerEmail, writerPass)
	for _, path := range []string{"/console/workspaces", "/console/roles"} {
		status, page := b.get(path)
		if status != http.StatusOK || strings.Count(page, "<form") != 1 {
			t.Fatalf("%s: %d, %d forms (only sign-out is expected)", path, status, strings.Count(page, "<form"))
		}
	}
	if _, page := b.get("/console/workspaces"); !strings.Contains(page, "default") {
		t.Fatal("the workspaces page does not list the default workspace")
	}
	if status, page := b.get("/console/audit"); status != http.StatusForbidden || !strings.Contains(page, "AUDIT_LOG_READ") {
		t.Fatalf("a writer opening the audit log: %d", status)
	}
}
