// Package console is the web console of tokensmithd: server-rendered pages,
// served under /console/, where members sign in with their console password
// and manage their own tokens.
//
// The console is a face of the API and holds none of its rules. Every list
// it shows and every change it makes is an API request dispatched in-process
// through the server's own handler as the signed-in member (server.Call);
// the API's own error messages are shown next to the fields they name. The
// console itself decides only what belongs to a browser: sessions, CSRF
// tokens, security headers, and asking for the password again before
// regenerate, remove-all and any change that widens a token (the widening is
// the provider's own review.Compare).
//
// Sessions live in the store, keyed by a digest of the cookie, so several
// replicas sharing a store honour the same sessions; a new secret travels
// from the form to the page that shows it once sealed in the session under a
// key derived from the cookie, which the store never holds.
package console

import (
	"bytes"
	"embed"
	"encoding/json"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Default timeouts of a session.
const (
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultAbsoluteTimeout = 12 * time.Hour
)

// Config configures the console.
type Config struct {
	Store store.Store
	// IdleTimeout ends a session unused this long; AbsoluteTimeout ends any
	// session this long after sign-in. Zero means the defaults.
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	Logger          *slog.Logger
}

// contentSecurityPolicy allows the console's own script, styles and images
// and nothing else: no inline script or style, no frames, forms posting only
// to the console.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Console serves the pages.
type Console struct {
	cfg   Config
	srv   *server.Server
	store store.Store
	log   *slog.Logger
	pages map[string]*template.Template
	mux   *http.ServeMux
}

// New returns the constructor server.Config.Console expects.
func New(cfg Config) func(*server.Server) http.Handler {
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.AbsoluteTimeout <= 0 {
		cfg.AbsoluteTimeout = DefaultAbsoluteTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return func(srv *server.Server) http.Handler {
		c := &Console{cfg: cfg, srv: srv, store: cfg.Store, log: cfg.Logger, pages: parsePages()}
		c.routes()
		return c
	}
}

func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{
		"date": func(ms int64) string {
			if ms == 0 {
				return ""
			}
			return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04 UTC")
		},
		"has": func(xs []string, x string) bool {
			for _, y := range xs {
				if y == x {
					return true
				}
			}
			return false
		},
		"join": strings.Join,
		// The API's limit, so the form never offers what the API refuses.
		"maxTokenNameLength": func() int { return api.MaxTokenNameLength },
	}
	// The layout and the partials (_*.html) go into every page.
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/_*.html"))
	pages := map[string]*template.Template{}
	names, _ := fs.Glob(templateFiles, "templates/*.html")
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || strings.HasPrefix(base, "_") {
			continue
		}
		pages[base] = template.Must(template.Must(layout.Clone()).ParseFS(templateFiles, n))
	}
	return pages
}

func (c *Console) routes() {
	m := http.NewServeMux()
	c.mux = m
	static, _ := fs.Sub(staticFiles, "static")
	m.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /console/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/tokens", http.StatusSeeOther)
	})
	m.HandleFunc("GET /console/signin", c.signInPage)
	m.HandleFunc("POST /console/signin", c.signIn)
	m.HandleFunc("POST /console/signout", c.member(c.signOut))
	m.HandleFunc("GET /console/tokens", c.member(c.tokenList))
	m.HandleFunc("GET /console/tokens/new", c.member(c.newTokenPage))
	m.HandleFunc("POST /console/tokens/new", c.member(c.createToken))
	m.HandleFunc("GET /console/tokens/secret", c.member(c.secretPage))
	m.HandleFunc("POST /console/tokens/delete-all", c.member(c.deleteAll))
	m.HandleFunc("GET /console/tokens/{id}", c.member(c.editTokenPage))
	m.HandleFunc("POST /console/tokens/{id}", c.member(c.editToken))
	m.HandleFunc("POST /console/tokens/{id}/regenerate", c.member(c.regenerate))
	m.HandleFunc("POST /console/tokens/{id}/delete", c.member(c.deleteToken))
	m.HandleFunc("GET /console/password", c.member(c.passwordPage))
	m.HandleFunc("POST /console/password", c.member(c.changePassword))
	m.HandleFunc("GET /console/roles", c.member(c.rolesPage))
	m.HandleFunc("GET /console/workspaces", c.member(c.workspacesPage))
	m.HandleFunc("GET /console/audit", c.member(c.auditPage))
	m.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		c.render(w, r, http.StatusNotFound, "message", nil, map[string]any{"Title": "Not found", "Message": "There is no such page in the console."})
	})
}

// ServeHTTP sets the security headers of every answer and serves the page.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	if strings.HasPrefix(r.URL.Path, "/console/static/") {
		h.Set("Cache-Control", "no-cache")
	} else {
		// Pages show a member's tokens, and once a secret: none is kept.
		h.Set("Cache-Control", "no-store")
	}
	c.mux.ServeHTTP(w, r)
}

// view is what every page template gets.
type view struct {
	Title  string
	Me     *api.CallerIdentity
	CSRF   string
	Admin  bool
	Notice string
	Data   any
}

// member wraps a page for signed-in members: no session sends the browser
// to sign in; a POST without the session's CSRF token, or sent from
// another site, is refused and changes nothing.
func (c *Console) member(h func(http.ResponseWriter, *http.Request, *session, *api.CallerIdentity)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		se, err := c.loadSession(r)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		if se == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
				return
			}
			c.render(w, r, http.StatusUnauthorized, "message", nil, map[string]any{"Title": "Signed out",
				"Message": "Your session has ended. Sign in again; nothing was changed."})
			return
		}
		if r.Method == http.MethodPost && (crossSite(r) || !validCSRF(se, r)) {
			c.render(w, r, http.StatusForbidden, "message", nil, map[string]any{"Title": "Refused",
				"Message": "This form was not sent from this console session (missing or wrong CSRF token). Nothing was changed; reload the page and try again."})
			return
		}
		var me api.CallerIdentity
		if res := c.call(r, se, "GET", api.PathCallerIdentity, nil, &me); res != nil {
			c.fail(w, r, res)
			return
		}
		if r.URL.Path != "/console/tokens/secret" {
			forgetSecretShown(w, r)
		}
		h(w, r, se, &me)
	}
}

// crossSite reports a request the browser says came from another site.
func crossSite(r *http.Request) bool {
	return r.Header.Get("Sec-Fetch-Site") == "cross-site"
}

// apiError is an API answer that is not a success.
type apiError struct{ api.Problem }

func (e *apiError) Error() string { return e.Detail }

// call makes an API request as the session's member and decodes the answer
// into out; it returns the API's problem, if any.
func (c *Console) call(r *http.Request, se *session, method, path string, in, out any) *apiError {
	var body []byte
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return &apiError{api.Problem{Status: 500, Detail: "the console could not encode its request"}}
		}
		body = b
	}
	res := c.srv.Call(r.Context(), r, se.MemberID, method, path, body)
	if p, failed := res.Problem(); failed {
		return &apiError{p}
	}
	if out != nil && len(res.Body) > 0 {
		if err := json.Unmarshal(res.Body, out); err != nil {
			return &apiError{api.Problem{Status: 500, Detail: "the console could not read the API's answer"}}
		}
	}
	return nil
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, page string, se *session, data any) {
	v := view{Data: data}
	if m, ok := data.(map[string]any); ok {
		if t, ok := m["Title"].(string); ok {
			v.Title = t
		}
	}
	if se != nil {
		v.CSRF = se.CSRF
	}
	c.renderView(w, status, page, v)
}

func (c *Console) renderView(w http.ResponseWriter, status int, page string, v view) {
	var buf bytes.Buffer
	if err := c.pages[page].ExecuteTemplate(&buf, "layout.html", v); err != nil {
		c.log.Error("console template", "page", page, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

func (c *Console) page(w http.ResponseWriter, status int, name string, se *session, me *api.CallerIdentity, title string, data any) {
	c.renderView(w, status, name, view{Title: title, Me: me, CSRF: se.CSRF, Admin: isAdmin(me), Data: data})
}

func isAdmin(me *api.CallerIdentity) bool {
	return me != nil && (me.MemberRole == api.RoleAdmin || me.MemberRole == api.RoleOwner)
}

// fail answers an error the member cannot fix on the form.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, "Something went wrong; the server's log has the details."
	if e, ok := err.(*apiError); ok {
		status, msg = e.Status, e.Detail
	} else {
		c.log.Error("console", "path", r.URL.Path, "error", err.Error())
	}
	if status < 400 {
		status = http.StatusInternalServerError
	}
	c.render(w, r, status, "message", nil, map[string]any{"Title": http.StatusText(status), "Message": msg})
}

func seeOther(w http.ResponseWriter, r *http.Request, path string, q url.Values) {
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}
