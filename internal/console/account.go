package console

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
)

type signInData struct {
	Title string
	Email string
	Error string
}

// signInPage shows the form with a fresh CSRF token, kept in a cookie
// until the form comes back: before sign-in there is no session to hold it.
func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	if se, err := c.loadSession(r); err == nil && se != nil {
		http.Redirect(w, r, "/console/tokens", http.StatusSeeOther)
		return
	}
	c.showSignIn(w, r, http.StatusOK, signInData{Title: "Sign in"})
}

func (c *Console) showSignIn(w http.ResponseWriter, r *http.Request, status int, d signInData) {
	token := randomString()
	setCookie(w, r, cookieName(r, signInCookie, signInCookieTLS), token, 3600)
	c.renderView(w, status, "signin", view{Title: d.Title, CSRF: token, Data: d})
}

func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	ck, err := r.Cookie(cookieName(r, signInCookie, signInCookieTLS))
	form := r.PostFormValue("csrf")
	if crossSite(r) || err != nil || form == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(form)) != 1 {
		c.render(w, r, http.StatusForbidden, "message", nil, map[string]any{"Title": "Refused",
			"Message": "This sign-in form was not sent from this console (missing or wrong CSRF token). Reload the sign-in page and try again."})
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	m, err := c.srv.SignIn(r, email, r.PostFormValue("password"))
	switch {
	case errors.Is(err, server.ErrSignInLimited):
		c.showSignIn(w, r, http.StatusTooManyRequests, signInData{Title: "Sign in", Email: email, Error: err.Error()})
		return
	case errors.Is(err, server.ErrSignIn):
		c.showSignIn(w, r, http.StatusUnauthorized, signInData{Title: "Sign in", Email: email, Error: "The email or the password is wrong."})
		return
	case err != nil:
		c.fail(w, r, err)
		return
	}
	if err := c.startSession(w, r, m.ID); err != nil {
		c.fail(w, r, err)
		return
	}
	setCookie(w, r, cookieName(r, signInCookie, signInCookieTLS), "", -1)
	http.Redirect(w, r, "/console/tokens", http.StatusSeeOther)
}

func (c *Console) signOut(w http.ResponseWriter, r *http.Request, se *session, _ *api.CallerIdentity) {
	if err := c.endSession(w, r, se); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
}

type passwordData struct {
	Errors map[string]string
	Done   bool
}

func (c *Console) passwordPage(w http.ResponseWriter, r *http.Request, se *session, me *api.CallerIdentity) {
	c.page(w, http.StatusOK, "password", se, me, "Change my password", passwordData{Done: r.URL.Query().Get("done") == "1"})
}

// changePassword sets the member's own password through the API, which
// checks the current one. The API ends every session of the member, this one
// too, so a new one is started.
func (c *Console) changePassword(w http.ResponseWriter, r *http.Request, se *session, me *api.CallerIdentity) {
	in := api.MemberPassword{Password: r.PostFormValue("password"), CurrentPassword: r.PostFormValue("currentPassword")}
	if in.Password != r.PostFormValue("confirm") {
		c.page(w, http.StatusBadRequest, "password", se, me, "Change my password",
			passwordData{Errors: map[string]string{"confirm": "The two new passwords differ."}})
		return
	}
	path := strings.Replace(api.PathMemberPassword, "{id}", me.MemberID, 1)
	if e := c.call(r, se, "POST", path, in, nil); e != nil {
		if e.Field == "" {
			c.fail(w, r, e)
			return
		}
		c.page(w, e.Status, "password", se, me, "Change my password", passwordData{Errors: map[string]string{e.Field: e.Detail}})
		return
	}
	if err := c.startSession(w, r, me.MemberID); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/password?done=1", http.StatusSeeOther)
}

// confirmPassword asks the server whether the password re-entered on a form
// is the member's; a wrong one counts as a failed authentication.
func (c *Console) confirmPassword(r *http.Request, me *api.CallerIdentity) (string, error) {
	pw := r.PostFormValue("confirmPassword")
	if pw == "" {
		return "Enter your password to confirm.", nil
	}
	m, err := c.store.GetMember(r.Context(), c.srv.OrgID(), me.MemberID)
	if err != nil {
		return "", err
	}
	ok, err := c.srv.VerifyPassword(r, m, pw)
	if errors.Is(err, server.ErrSignInLimited) {
		return err.Error(), nil
	} else if err != nil {
		return "", err
	}
	if !ok {
		return "That is not your password.", nil
	}
	return "", nil
}
