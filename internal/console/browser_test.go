package console_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/console"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// screenshotsVar names a folder for screenshots of the main screens; make
// screenshots sets it. Without it the tests take none.
const screenshotsVar = "TOKENSMITH_CONSOLE_SCREENSHOTS"

const (
	idleTimeout  = 30 * time.Minute
	ownerEmail   = server.BootstrapOwnerEmail
	ownerPass    = "owner console password"
	writerEmail  = "dev@example.com"
	writerPass   = "writer console password"
	wrongPass    = "not my password at all"
	writerTokNam = "laptop"
)

// env is a tokensmithd with its console over TLS, and an HTTP client of the
// API that trusts it.
type env struct {
	t      *testing.T
	ts     *testserver.Server
	client *http.Client

	mu sync.Mutex
	// urls are the URLs of every request the console received.
	urls []string
}

func (e *env) consoleURLs() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.urls)
}

func newEnv(t *testing.T, opts ...testserver.Option) *env {
	t.Helper()
	e := &env{t: t}
	opts = append([]testserver.Option{testserver.WithTLS()}, opts...)
	ts := testserver.New(t, append(opts, testserver.WithConfig(func(cfg *server.Config) {
		mount := console.New(console.Config{Store: cfg.Store, IdleTimeout: idleTimeout, Logger: cfg.Logger})
		cfg.Console = func(s *server.Server) http.Handler {
			h := mount(s)
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				e.mu.Lock()
				e.urls = append(e.urls, r.URL.String())
				e.mu.Unlock()
				h.ServeHTTP(w, r)
			})
		}
	}))...)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(ts.CACertPEM)) {
		t.Fatal("test server certificate")
	}
	e.ts = ts
	e.client = &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return e
}

// api makes an API request with token and decodes a JSON answer into out.
func (e *env) api(token, method, path string, in, out any) int {
	e.t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			e.t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", token)
	req.Header.Set("Content-Type", "application/json")
	res, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return res.StatusCode
}

func (e *env) mustAPI(want int, token, method, path string, in, out any) {
	e.t.Helper()
	if got := e.api(token, method, path, in, out); got != want {
		e.t.Fatalf("%s %s answered %d, want %d", method, path, got, want)
	}
}

// setUp gives the owner a console password and makes a writer who belongs
// to the default workspace and has one too.
func (e *env) setUp() (writerID string) {
	own := e.ts.OwnerToken
	pw := func(id string) string { return strings.Replace(api.PathMemberPassword, "{id}", id, 1) }
	e.mustAPI(http.StatusNoContent, own, "POST", pw(e.ts.OwnerID), api.MemberPassword{Password: ownerPass}, nil)
	var m api.Member
	e.mustAPI(http.StatusCreated, own, "POST", api.PathMembers, api.MemberCreate{Email: writerEmail, FirstName: "Dev", Role: api.RoleWriter}, &m)
	e.mustAPI(http.StatusOK, own, "PUT", api.PathWorkspaces+"/"+e.ts.DefaultWorkspaceID+"/members/"+m.ID, nil, nil)
	e.mustAPI(http.StatusNoContent, own, "POST", pw(m.ID), api.MemberPassword{Password: writerPass}, nil)
	return m.ID
}

// newBrowser starts headless Chromium. A missing browser fails the test:
// make tools installs it.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		t.Fatal("Chromium is not installed: the console's browser tests need it (make tools installs it with apt-get install chromium)")
	}
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1280, 860),
		// The test server's certificate is made on the fly.
		chromedp.Flag("ignore-certificate-errors", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first action starts the browser, under no deadline of its own.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium (%s): %v", path, err)
	}
	// Every later step must finish in time, so a page that never shows
	// what a step waits for fails the test instead of hanging it.
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx
}

// run runs steps and fails the test with what was being done.
func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// get runs one action that reads something from the page.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// screenshot saves the page as console-<name>.png when screenshots are
// asked for. A field may be given a stand-in value (field and value are
// JavaScript expressions) for the picture, and gets its own back after.
func screenshot(t *testing.T, ctx context.Context, name string, standIn ...string) {
	t.Helper()
	dir := os.Getenv(screenshotsVar)
	if dir == "" {
		return
	}
	if len(standIn) == 2 {
		get(t, ctx, "stand-in for "+name, chromedp.Evaluate[bool](`window.kept = `+standIn[0]+`; `+standIn[0]+` = `+standIn[1]+`; true`))
		defer get(t, ctx, "restore after "+name, chromedp.Evaluate[bool](standIn[0]+` = window.kept; true`))
	}
	png := get(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, "console-"+name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func signIn(t *testing.T, ctx context.Context, base, email, pw string) {
	t.Helper()
	run(t, ctx, "sign in as "+email,
		chromedp.Navigate(base+"/console/signin"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SetValue(chromedp.ID("email"), email),
		chromedp.SetValue(chromedp.ID("password"), pw),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.ID("new-token")))
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	run(t, ctx, "wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
	return get(t, ctx, "read "+sel, chromedp.Text(chromedp.CSS(sel)))
}

func html(t *testing.T, ctx context.Context) string {
	t.Helper()
	return get(t, ctx, "read the page", chromedp.OuterHTML(chromedp.CSS("html")))
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	return get(t, ctx, "read the location", chromedp.Location())
}

// A writer signs in, creates a token from exactly the permissions their
// role may grant, copies the secret shown once and uses it, edits the token
// (a widening needs the password), regenerates it, removes all, signs out;
// then the owner looks at everyone's tokens and the audit log.
func TestConsoleInBrowser(t *testing.T) {
	e := newEnv(t)
	writerID := e.setUp()
	ctx := newBrowser(t)
	base := e.ts.URL

	// Signed out, the console sends the browser to sign in. The headers
	// as the browser received them:
	res := get(t, ctx, "open the console", chromedp.NavigateResponse(base+"/console/"))
	run(t, ctx, "wait for the sign-in form", chromedp.WaitVisible(chromedp.ID("email")))
	checkHeaders(t, res.Headers)
	if loc := location(t, ctx); !strings.HasSuffix(loc, "/console/signin") {
		t.Fatalf("signed out, /console/ led to %s", loc)
	}
	screenshot(t, ctx, "signin")

	// A wrong password is refused without saying which part was wrong.
	run(t, ctx, "sign in with a wrong password",
		chromedp.SetValue(chromedp.ID("email"), writerEmail),
		chromedp.SetValue(chromedp.ID("password"), wrongPass),
		chromedp.Click(chromedp.ID("signin")))
	if got := text(t, ctx, "#signin-error"); got != "The email or the password is wrong." {
		t.Fatalf("sign-in error %q", got)
	}

	signIn(t, ctx, base, writerEmail, writerPass)

	// The session cookie as the browser holds it.
	cookies, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{base + "/console/"}})
	if err != nil {
		t.Fatal(err)
	}
	var sessionCookie *network.Cookie
	for _, c := range cookies.Cookies {
		if c.Name == "__Host-tokensmith_session" {
			sessionCookie = c
		}
	}
	if sessionCookie == nil || !sessionCookie.HTTPOnly || !sessionCookie.Secure || sessionCookie.SameSite != network.CookieSameSiteStrict || sessionCookie.Path != "/" {
		t.Fatalf("session cookie %+v: want __Host-tokensmith_session, HttpOnly, Secure, SameSite=Strict, Path=/", sessionCookie)
	}
	t.Logf("session cookie: %s HttpOnly=%v Secure=%v SameSite=%s Path=%s", sessionCookie.Name, sessionCookie.HTTPOnly, sessionCookie.Secure, sessionCookie.SameSite, sessionCookie.Path)

	// Create: the checklist holds exactly the permissions of no object a
	// writer may grant; those of objects are granted object by object.
	run(t, ctx, "open the create form", chromedp.Click(chromedp.ID("new-token")), chromedp.WaitVisible(chromedp.ID("permission-checklist")))
	offered := get(t, ctx, "read the checklist", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('input[name=permissions]')].map(e => e.value)`))
	want := plainPermissions(api.RoleWriter)
	if !sameSet(offered, want) {
		t.Fatalf("the checklist offers %v; a writer may grant %v outside objects", offered, want)
	}
	if slices.Contains(offered, catalogue.MemberWrite) {
		t.Fatalf("the checklist offers %s, which a writer does not hold", catalogue.MemberWrite)
	}

	// No permission: the API's own message, beside the checklist.
	run(t, ctx, "submit without permissions",
		chromedp.SetValue(chromedp.ID("name"), writerTokNam),
		chromedp.Click(chromedp.CSS(`input[name=workspaces][value="`+e.ts.DefaultWorkspaceID+`"]`)),
		chromedp.Click(chromedp.ID("create")))
	if got := text(t, ctx, "#permissions-error"); !strings.Contains(got, "exactly one of role, customRoleIds, inlineRole, permissions and access is required") {
		t.Fatalf("error beside the checklist: %q", got)
	}
	screenshot(t, ctx, "create-error")

	// A name over 64 characters: the API's message beside the name.
	run(t, ctx, "submit a long name",
		chromedp.SetValue(chromedp.ID("name"), strings.Repeat("n", 65)),
		chromedp.Click(chromedp.CSS(`input[name=permissions][value="`+want[0]+`"]`)),
		chromedp.Click(chromedp.ID("create")))
	if got := text(t, ctx, "#name-error"); !strings.Contains(got, "name") || !strings.Contains(got, "64") {
		t.Fatalf("error beside the name: %q", got)
	}
	if n := e.tokenCount(writerID); n != 0 {
		t.Fatalf("refused creates made %d tokens", n)
	}

	run(t, ctx, "create a token",
		chromedp.SetValue(chromedp.ID("name"), writerTokNam),
		chromedp.SetValue(chromedp.ID("description"), "my laptop"),
		chromedp.Click(chromedp.CSS(`input[name=validity][value="7"]`)),
		chromedp.Click(chromedp.ID("create")),
		chromedp.WaitVisible(chromedp.ID("secret")))
	// The picture shows a stand-in, so no token-shaped value is committed.
	screenshot(t, ctx, "secret", `document.getElementById("secret").value`, `"tsm_pat_" + "x".repeat(40)`)

	// The secret has focus and the copy button puts it on the clipboard.
	secret := get(t, ctx, "read the secret", chromedp.Value(chromedp.ID("secret")))
	focused := get(t, ctx, "read the focus", chromedp.Evaluate[string](`document.activeElement.id`))
	if focused != "secret" {
		t.Fatalf("focus is on %q, not the secret", focused)
	}
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted, Origin: base}); err != nil {
			t.Fatalf("grant %s: %v", name, err)
		}
	}
	run(t, ctx, "copy the secret",
		chromedp.Click(chromedp.ID("copy")),
		chromedp.WaitVisible(chromedp.Search(`//span[@id="copy-status" and text()="Copied."]`)))
	copied := get(t, ctx, "read the clipboard", chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if copied == "" || copied != secret {
		t.Fatalf("the clipboard holds %d characters, not the secret shown", len(copied))
	}
	// The copied secret works against the API.
	var who api.CallerIdentity
	e.mustAPI(http.StatusOK, copied, "GET", api.PathCallerIdentity, nil, &who)
	if who.TokenName != writerTokNam || !sameSet(who.EffectivePermissions, []string{want[0]}) {
		t.Fatalf("the new token is %q with %v", who.TokenName, who.EffectivePermissions)
	}

	// Reload, and back: the secret is gone.
	run(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("secret-gone")))
	if strings.Contains(html(t, ctx), secret) {
		t.Fatal("the reloaded page still holds the secret")
	}
	run(t, ctx, "list", chromedp.Navigate(base+"/console/tokens"), chromedp.WaitVisible(chromedp.ID("tokens")))
	if row := text(t, ctx, "#tokens tbody tr"); !strings.Contains(row, writerTokNam) || !strings.Contains(row, "…"+secret[len(secret)-4:]) || !strings.Contains(row, "default") {
		t.Fatalf("the list row is %q", row)
	}
	screenshot(t, ctx, "tokens")

	// A forged form (wrong CSRF token) is refused and changes nothing.
	run(t, ctx, "forge a delete",
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`document.querySelector('#tokens form input[name=csrf]').value = 'forged'; true`)(ctx, t)
			return err
		}),
		chromedp.Click(chromedp.CSS(`#tokens form button`)),
		chromedp.WaitVisible(chromedp.ID("message")))
	if got := text(t, ctx, "#message"); !strings.Contains(got, "CSRF") {
		t.Fatalf("forged form answered %q", got)
	}
	if n := e.tokenCount(writerID); n != 1 {
		t.Fatalf("after a forged delete the writer has %d tokens", n)
	}

	// Edit: a description needs no password; adding a permission does.
	run(t, ctx, "edit the description",
		chromedp.Navigate(base+"/console/tokens"),
		chromedp.Click(chromedp.CSS(`#tokens a[href^="/console/tokens/"]`)),
		chromedp.WaitVisible(chromedp.ID("save")),
		chromedp.SetValue(chromedp.ID("description"), "my old laptop"),
		chromedp.Click(chromedp.ID("save")),
		chromedp.WaitVisible(chromedp.ID("notice")))
	run(t, ctx, "widen without the password",
		chromedp.Click(chromedp.CSS(`#tokens a[href^="/console/tokens/"]`)),
		chromedp.WaitVisible(chromedp.ID("save")),
		chromedp.Click(chromedp.CSS(`input[name=permissions][value="`+want[1]+`"]`)),
		chromedp.Click(chromedp.ID("save")))
	if got := text(t, ctx, "#edit-password-error"); !strings.Contains(got, "widens") {
		t.Fatalf("widening without the password: %q", got)
	}
	screenshot(t, ctx, "edit")
	e.mustAPI(http.StatusOK, copied, "GET", api.PathCallerIdentity, nil, &who)
	if len(who.EffectivePermissions) != 1 || who.TokenName != writerTokNam {
		t.Fatalf("a refused widening changed the token: %v", who.EffectivePermissions)
	}
	// The refused form keeps what was entered: only the password is added.
	run(t, ctx, "widen with the password",
		chromedp.SetValue(chromedp.ID("edit-password"), writerPass),
		chromedp.Click(chromedp.ID("save")),
		chromedp.WaitVisible(chromedp.ID("notice")))
	e.mustAPI(http.StatusOK, copied, "GET", api.PathCallerIdentity, nil, &who)
	if !sameSet(who.EffectivePermissions, want[:2]) {
		t.Fatalf("after the widening the token holds %v", who.EffectivePermissions)
	}

	// Regenerate with the password and an hour's grace for the old secret.
	run(t, ctx, "regenerate without the password",
		chromedp.Click(chromedp.CSS(`#tokens a[href^="/console/tokens/"]`)),
		chromedp.WaitVisible(chromedp.ID("regenerate-submit")),
		chromedp.Click(chromedp.ID("regenerate-submit")))
	if got := text(t, ctx, "#regenerate-password-error"); got == "" {
		t.Fatal("regenerate without the password was not refused")
	}
	run(t, ctx, "regenerate",
		chromedp.SetValue(chromedp.ID("grace"), "1h"),
		chromedp.SetValue(chromedp.ID("regenerate-password"), writerPass),
		chromedp.Click(chromedp.ID("regenerate-submit")),
		chromedp.WaitVisible(chromedp.ID("secret")))
	second := get(t, ctx, "read the new secret", chromedp.Value(chromedp.ID("secret")))
	if second == "" || second == secret {
		t.Fatal("regenerate showed no new secret")
	}
	// Leave the secret and come back: the page with it is not shown again,
	// not even from the browser's back/forward cache.
	run(t, ctx, "leave the secret", chromedp.Click(chromedp.ID("done")), chromedp.WaitVisible(chromedp.ID("tokens")))
	asked := len(e.consoleURLs())
	get(t, ctx, "come back to the secret", chromedp.WaitEvent(page.LoadEventFired, nil, back()))
	shown := get(t, ctx, "read the page", chromedp.Evaluate[string](`location.pathname + " " + document.documentElement.outerHTML`))
	if !slices.Contains(e.consoleURLs()[asked:], "/console/tokens/secret") {
		t.Fatal("going back showed the secret page without asking the server")
	}
	if strings.Contains(shown, second) || !strings.Contains(shown, "secret-gone") {
		t.Fatal("going back to the secret page shows the secret again")
	}
	e.mustAPI(http.StatusOK, second, "GET", api.PathCallerIdentity, nil, nil)
	e.mustAPI(http.StatusOK, secret, "GET", api.PathCallerIdentity, nil, nil)

	// Remove all: a wrong password changes nothing; the right one removes all.
	run(t, ctx, "remove all with a wrong password",
		chromedp.Navigate(base+"/console/tokens"),
		chromedp.WaitVisible(chromedp.ID("delete-all-password")),
		chromedp.SetValue(chromedp.ID("delete-all-password"), wrongPass),
		chromedp.Click(chromedp.ID("delete-all-submit")))
	if got := text(t, ctx, "#delete-all-error"); got != "That is not your password." {
		t.Fatalf("remove all with a wrong password: %q", got)
	}
	if n := e.tokenCount(writerID); n != 1 {
		t.Fatalf("a refused remove-all left %d tokens", n)
	}
	run(t, ctx, "remove all",
		chromedp.SetValue(chromedp.ID("delete-all-password"), writerPass),
		chromedp.Click(chromedp.ID("delete-all-submit")),
		chromedp.WaitVisible(chromedp.ID("no-tokens")))
	e.mustAPI(http.StatusUnauthorized, second, "GET", api.PathCallerIdentity, nil, nil)

	// Sign out ends the session: the console asks to sign in again.
	run(t, ctx, "sign out", chromedp.Click(chromedp.ID("signout")), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.Navigate(base+"/console/tokens"), chromedp.WaitVisible(chromedp.ID("email")))

	// The owner sees every member's tokens and the audit log.
	e.mustAPI(http.StatusCreated, e.ts.OwnerToken, "POST", api.PathTokens, api.TokenCreate{Name: "ci", Role: api.RoleReader, ServiceToken: true, MemberID: writerID, ExpirationDate: e.ts.Clock.Now().Add(3 * 24 * time.Hour).UnixMilli()}, nil)
	signIn(t, ctx, base, ownerEmail, ownerPass)
	run(t, ctx, "all tokens", chromedp.Navigate(base+"/console/tokens?all=1"), chromedp.WaitVisible(chromedp.ID("tokens")))
	if page := text(t, ctx, "#tokens"); !strings.Contains(page, writerEmail) || !strings.Contains(page, "expiring soon") {
		t.Fatalf("the owner's list of all tokens: %q", page)
	}
	screenshot(t, ctx, "all-tokens")
	run(t, ctx, "audit log", chromedp.Navigate(base+"/console/audit"), chromedp.WaitVisible(chromedp.ID("audit")))
	audit := text(t, ctx, "#audit")
	for _, action := range []string{"token.create", "token.update", "token.reset", "token.delete_all", "member.password"} {
		if !strings.Contains(audit, action) {
			t.Errorf("the audit log shows no %s", action)
		}
	}
	screenshot(t, ctx, "audit")

	// Session expiry on the injectable clock: idle past the timeout, the
	// next page asks to sign in.
	e.ts.Clock.Advance(idleTimeout + time.Second)
	run(t, ctx, "after the idle timeout", chromedp.Navigate(base+"/console/tokens"), chromedp.WaitVisible(chromedp.ID("email")))

	// No secret or password in any URL the browser asked for, in the logs
	// or in the audit log.
	for _, s := range []string{secret, second, writerPass, ownerPass, wrongPass} {
		for _, u := range e.consoleURLs() {
			if strings.Contains(u, s) {
				t.Fatal("a secret or password is in a URL the browser asked for")
			}
		}
		if strings.Contains(e.ts.Logs(), s) || strings.Contains(audit, s) {
			t.Fatal("a secret or password is in the logs or the audit log")
		}
	}
}

// checkHeaders checks the security headers of a console page.
func checkHeaders(t *testing.T, h network.Headers) {
	t.Helper()
	want := map[string]string{
		"content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		"x-frame-options":         "DENY",
		"referrer-policy":         "no-referrer",
		"x-content-type-options":  "nosniff",
		"cache-control":           "no-store",
	}
	got := map[string]string{}
	for k, v := range h {
		got[strings.ToLower(k)], _ = v.(string)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("header %s = %q, want %q", k, got[k], v)
		}
		t.Logf("%s: %s", k, got[k])
	}
}

// back goes one step back in the history. A page may come back from the
// back/forward cache without a load, so it waits for none: the caller waits
// for what the page must show.
func back() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		h, err := cdp.Call(ctx, t, page.GetNavigationHistory, cdp.Empty{})
		if err != nil {
			return err
		}
		if h.CurrentIndex < 1 {
			return errors.New("no page to go back to")
		}
		_, err = cdp.Call(ctx, t, page.NavigateToHistoryEntry, page.NavigateToHistoryEntryParams{EntryID: h.Entries[h.CurrentIndex-1].ID})
		return err
	})
}

func (e *env) tokenCount(memberID string) int {
	e.t.Helper()
	var list api.List[api.Token]
	e.mustAPI(http.StatusOK, e.ts.OwnerToken, "GET", api.PathTokens+"?showAll=true", nil, &list)
	n := 0
	for _, tok := range list.Items {
		if tok.MemberID == memberID {
			n++
		}
	}
	return n
}

// plainPermissions are the permissions of no object that role holds.
func plainPermissions(role string) []string {
	cat := catalogue.Default()
	var out []string
	for _, name := range cat.ForRole(role) {
		if p, ok := cat.Lookup(name); ok && p.Object == "" {
			out = append(out, name)
		}
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
