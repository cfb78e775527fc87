package console

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// Cookie names. Over TLS the session cookie takes the __Host- prefix, which
// browsers accept only when it is Secure, has Path=/ and no Domain.
const (
	sessionCookie    = "tokensmith_session"
	sessionCookieTLS = "__Host-tokensmith_session"
	signInCookie     = "tokensmith_signin"
	signInCookieTLS  = "__Host-tokensmith_signin"
)

// session is a signed-in member's session as the console uses it; raw is
// the cookie's value, which the store never sees.
type session struct {
	store.Session
	raw string
}

func randomString() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func digestOf(raw string) []byte {
	d := sha256.Sum256([]byte("tokensmith console session\x00" + raw))
	return d[:]
}

func cookieName(r *http.Request, plain, secure string) string {
	if r.TLS != nil {
		return secure
	}
	return plain
}

func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
}

// startSession signs m in: a new session, its cookie, and no other change.
func (c *Console) startSession(w http.ResponseWriter, r *http.Request, memberID string) error {
	raw := randomString()
	now := c.srv.Now()
	se := store.Session{Digest: digestOf(raw), OrgID: c.srv.OrgID(), MemberID: memberID, CSRF: randomString(), CreatedAt: now, LastSeen: now}
	if err := c.store.CreateSession(r.Context(), se); err != nil {
		return err
	}
	setCookie(w, r, cookieName(r, sessionCookie, sessionCookieTLS), raw, int(c.cfg.AbsoluteTimeout.Seconds()))
	return nil
}

// loadSession finds the request's live session; a session past its idle or
// absolute timeout is ended and counts as none.
func (c *Console) loadSession(r *http.Request) (*session, error) {
	ck, err := r.Cookie(cookieName(r, sessionCookie, sessionCookieTLS))
	if err != nil || ck.Value == "" {
		return nil, nil
	}
	se, err := c.store.GetSession(r.Context(), digestOf(ck.Value))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	now := c.srv.Now()
	if now.Sub(se.LastSeen) >= c.cfg.IdleTimeout || now.Sub(se.CreatedAt) >= c.cfg.AbsoluteTimeout {
		return nil, c.store.DeleteSession(r.Context(), se.Digest)
	}
	// Idle time is kept to the minute, so most requests write nothing.
	if now.Sub(se.LastSeen) >= time.Minute {
		se.LastSeen = now
		if err := c.store.UpdateSession(r.Context(), se); err != nil {
			return nil, err
		}
	}
	return &session{Session: se, raw: ck.Value}, nil
}

func (c *Console) endSession(w http.ResponseWriter, r *http.Request, se *session) error {
	setCookie(w, r, cookieName(r, sessionCookie, sessionCookieTLS), "", -1)
	if se == nil {
		return nil
	}
	return c.store.DeleteSession(r.Context(), se.Digest)
}

// validCSRF compares a form's token with the session's in constant time.
func validCSRF(se *session, r *http.Request) bool {
	got := r.PostFormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(se.CSRF)) == 1
}

// flash is a new secret on its way from the form that made it to the page
// that shows it once.
type flash struct {
	TokenID string `json:"tokenId"`
	Name    string `json:"name"`
	Secret  string `json:"secret"`
	Action  string `json:"action"`
}

// flashCipher is keyed by the cookie's value, which only the browser holds:
// the sealed flash in the store is unreadable without it.
func flashCipher(raw string) cipher.AEAD {
	key := sha256.Sum256([]byte("tokensmith console flash\x00" + raw))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

func (c *Console) putFlash(r *http.Request, se *session, f flash) error {
	plain, err := json.Marshal(f)
	if err != nil {
		return err
	}
	aead := flashCipher(se.raw)
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	se.Flash = aead.Seal(nonce, nonce, plain, se.Digest)
	return c.store.UpdateSession(r.Context(), se.Session)
}

// takeFlash returns the flash once and removes it.
func (c *Console) takeFlash(r *http.Request, se *session) (*flash, error) {
	if len(se.Flash) == 0 {
		return nil, nil
	}
	sealed := se.Flash
	se.Flash = nil
	if err := c.store.UpdateSession(r.Context(), se.Session); err != nil {
		return nil, err
	}
	aead := flashCipher(se.raw)
	if len(sealed) < aead.NonceSize() {
		return nil, nil
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], se.Digest)
	if err != nil {
		return nil, nil
	}
	var f flash
	if err := json.Unmarshal(plain, &f); err != nil {
		return nil, nil
	}
	return &f, nil
}

// Browsers may keep a page, even one sent with Cache-Control: no-store, in
// their back/forward cache and show it again on Back without asking the
// server; Chromium does not when a cookie changed since. A page that shows a
// secret therefore sets this cookie and the next console page clears it, so
// the page with the secret is never restored. (The console's script also
// wipes the secret when the page is left.)
const (
	secretShownCookie    = "tokensmith_secret_shown"
	secretShownCookieTLS = "__Host-tokensmith_secret_shown"
)

func markSecretShown(w http.ResponseWriter, r *http.Request) {
	setCookie(w, r, cookieName(r, secretShownCookie, secretShownCookieTLS), randomString(), 600)
}

// forgetSecretShown clears the cookie a secret page set, if any.
func forgetSecretShown(w http.ResponseWriter, r *http.Request) {
	name := cookieName(r, secretShownCookie, secretShownCookieTLS)
	if _, err := r.Cookie(name); err == nil {
		setCookie(w, r, name, "", -1)
	}
}
