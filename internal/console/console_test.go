package console_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// form posts a console form as a browser would, with the CSRF token read
// from the page at formPage.
type browserless struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowserless(t *testing.T, e *env) *browserless {
	jar, _ := cookiejar.New(nil)
	c := *e.client
	c.Jar = jar
	return &browserless{t: t, base: e.ts.URL, c: &c}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browserless) get(path string) (int, string) {
	b.t.Helper()
	res, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func (b *browserless) csrf(path string) string {
	b.t.Helper()
	_, page := b.get(path)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("%s has no CSRF token", path)
	}
	return m[1]
}

func (b *browserless) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	res, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// Failed sign-ins count toward the failed-authentication limit of the
// client's address, unknown emails as much as wrong passwords; past it even
// the right password is refused.
func TestSignInFailuresAreLimited(t *testing.T) {
	e := newEnv(t, testserver.WithConfig(func(cfg *server.Config) { cfg.AuthFailureLimit, cfg.AuthFailureBurst = 0.001, 3 }))
	e.setUp()
	b := newBrowserless(t, e)
	for _, email := range []string{writerEmail, "nobody@example.com", writerEmail} {
		status, page := b.post("/console/signin", url.Values{"csrf": {b.csrf("/console/signin")}, "email": {email}, "password": {wrongPass}})
		if status != http.StatusUnauthorized || !strings.Contains(page, "The email or the password is wrong.") {
			t.Fatalf("wrong sign-in for %s: %d", email, status)
		}
	}
	status, page := b.post("/console/signin", url.Values{"csrf": {b.csrf("/console/signin")}, "email": {writerEmail}, "password": {writerPass}})
	if status != http.StatusTooManyRequests || !strings.Contains(page, "too many failed sign-ins") {
		t.Fatalf("sign-in past the limit: %d", status)
	}
	if strings.Contains(e.ts.Logs(), wrongPass) || strings.Contains(e.ts.Logs(), writerPass) {
		t.Fatal("a password is in the log")
	}
}

// The sign-in form needs its CSRF token too: a form posted from elsewhere
// signs nobody in.
func TestSignInNeedsItsCSRFToken(t *testing.T) {
	e := newEnv(t)
	e.setUp()
	b := newBrowserless(t, e)
	b.csrf("/console/signin")
	for name, token := range map[string]string{"no token": "", "a forged token": "forged"} {
		status, page := b.post("/console/signin", url.Values{"csrf": {token}, "email": {writerEmail}, "password": {writerPass}})
		if status != http.StatusForbidden || !strings.Contains(page, "CSRF") {
			t.Fatalf("sign-in with %s: %d", name, status)
		}
	}
	if status, _ := b.get("/console/tokens"); status != http.StatusSeeOther {
		t.Fatalf("after refused sign-ins /console/tokens answered %d, not a redirect to sign in", status)
	}
}

// Over TLS the session cookie is HttpOnly, Secure and SameSite=Strict; the
// absolute timeout ends a session however busy it is.
func TestSessionCookieAndAbsoluteTimeout(t *testing.T) {
	e := newEnv(t)
	e.setUp()
	b := newBrowserless(t, e)
	res, err := b.c.PostForm(b.base+"/console/signin", url.Values{"csrf": {b.csrf("/console/signin")}, "email": {writerEmail}, "password": {writerPass}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if strings.HasSuffix(c.Name, "tokensmith_session") {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie %+v", cookie)
	}
	used := 0
	for range 60 {
		e.ts.Clock.Advance(idleTimeout / 2)
		if status, _ := b.get("/console/tokens"); status != http.StatusOK {
			break
		}
		used++
	}
	// 47 quarter hours are under 12 hours, 48 are 12.
	if used != 47 {
		t.Fatalf("a session used every quarter hour lasted %d quarter hours, want 47 (12 hours)", used)
	}
	if status, _ := b.get("/console/tokens"); status != http.StatusSeeOther {
		t.Fatalf("after the absolute timeout /console/tokens answers %d", status)
	}
}
