package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/password"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/policy"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// The console (package console) is a face of the API, not a second copy of
// its rules: every change it makes, and every list it shows, is an API
// request dispatched in-process through this server's own handler, made by
// the signed-in member. What follows is the little the console needs beyond
// that: who the member is and whether their password is right.

// ConsolePath is where the console is served.
const ConsolePath = api.PathConsole

// sessionKey marks a request dispatched by Call; only this package can set
// it, so no request from the network can claim a session's member.
type sessionKey struct{}

// ConsoleTokenID stands, in the audit log and the rate limiter, for the
// token of a request made in the console by the member memberID.
func ConsoleTokenID(memberID string) string { return "console/" + memberID }

// Response is the answer to a request made with Call.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Problem decodes an error answer; ok is false for a success.
func (r Response) Problem() (api.Problem, bool) {
	var p api.Problem
	if r.Status < 400 {
		return p, false
	}
	_ = json.Unmarshal(r.Body, &p)
	if p.Detail == "" {
		p.Detail = http.StatusText(r.Status)
	}
	return p, true
}

// Call makes one API request as the member memberID with all of that
// member's role: what a token granted the member's role on every workspace
// could do. It runs through the same middleware, routes, adapter and
// handlers as a request from the network.
func (s *Server) Call(ctx context.Context, from *http.Request, memberID, method, target string, body []byte) Response {
	r, err := http.NewRequestWithContext(context.WithValue(ctx, sessionKey{}, memberID), method, target, bytes.NewReader(body))
	if err != nil {
		return Response{Status: http.StatusInternalServerError, Body: []byte(`{"detail":"bad console request"}`)}
	}
	if len(body) > 0 {
		r.Header.Set("Content-Type", "application/json")
	}
	if from != nil {
		r.RemoteAddr = from.RemoteAddr
		r.Header.Set("X-Forwarded-For", from.Header.Get("X-Forwarded-For"))
	}
	w := &bufferWriter{header: http.Header{}}
	s.handler.ServeHTTP(w, r)
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return Response{Status: w.status, Header: w.header, Body: w.buf.Bytes()}
}

// sessionCaller is the caller of a request made with Call.
func (s *Server) sessionCaller(r *http.Request) (*caller, bool, error) {
	memberID, ok := r.Context().Value(sessionKey{}).(string)
	if !ok {
		return nil, false, nil
	}
	m, err := s.store.GetMember(r.Context(), s.orgID, memberID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, true, errUnauthorized
	} else if err != nil {
		return nil, true, err
	}
	digest := []byte(ConsoleTokenID(m.ID))
	tok := store.Token{ID: ConsoleTokenID(m.ID), OrgID: m.OrgID, MemberID: m.ID, Role: m.Role, AllWorkspaces: true, Digest: digest}
	grant := policy.AllowAll(s.cat.ForRole(m.Role))
	return &caller{Token: tok, Member: m, Digest: digest, Subject: s.rules.SubjectFor(tok, m, grant)}, true, nil
}

// SignIn checks a member's email and console password. Every failure,
// an unknown email as much as a wrong password, counts toward the
// failed-authentication limit of the client's address, and an address over
// it is refused before any password is hashed. The error says nothing about
// which part was wrong.
func (s *Server) SignIn(r *http.Request, email, pw string) (store.Member, error) {
	addr := s.clientAddress(r)
	if ok, _ := s.failures.check(addr, s.now()); !ok {
		return store.Member{}, ErrSignInLimited
	}
	m, err := s.store.GetMemberByEmail(r.Context(), s.orgID, strings.TrimSpace(email))
	if errors.Is(err, store.ErrNotFound) {
		// Hash anyway, so the answer takes as long as for a known email.
		_, _ = password.Verify(dummyHash, pw)
		s.failures.allow(addr, s.now())
		return store.Member{}, ErrSignIn
	} else if err != nil {
		return store.Member{}, err
	}
	ok, err := s.VerifyPassword(r, m, pw)
	if err != nil {
		return store.Member{}, err
	}
	if !ok {
		return store.Member{}, ErrSignIn
	}
	return m, nil
}

// VerifyPassword reports whether pw is m's console password (false when
// none is set). A wrong one counts as a failed authentication of the
// client's address; an address over the limit gets ErrSignInLimited.
func (s *Server) VerifyPassword(r *http.Request, m store.Member, pw string) (bool, error) {
	addr := s.clientAddress(r)
	if ok, _ := s.failures.check(addr, s.now()); !ok {
		return false, ErrSignInLimited
	}
	hash, err := s.store.MemberPassword(r.Context(), s.orgID, m.ID)
	if err != nil {
		return false, err
	}
	if hash == "" {
		_, _ = password.Verify(dummyHash, pw)
		s.failures.allow(addr, s.now())
		return false, nil
	}
	ok, err := password.Verify(hash, pw)
	if err != nil {
		s.log.Error("unreadable password hash", "member_id", m.ID)
		return false, err
	}
	if !ok {
		s.failures.allow(addr, s.now())
	}
	return ok, nil
}

// Errors of SignIn and VerifyPassword.
var (
	ErrSignIn        = errors.New("the email or the password is wrong")
	ErrSignInLimited = errors.New("too many failed sign-ins from this address; wait a little and try again")
)

// dummyHash is verified when there is no hash to verify, so that timing does
// not tell whether an email is known.
var dummyHash = func() string {
	h, err := password.Hash("no password is this one")
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return h
}()

// OrgID is the organisation the server serves.
func (s *Server) OrgID() string { return s.orgID }

type bufferWriter struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func (w *bufferWriter) Header() http.Header { return w.header }
func (w *bufferWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *bufferWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.buf.Write(b)
}

var _ io.Writer = (*bufferWriter)(nil)

// Catalogue is the permission catalogue the server checks grants against.
func (s *Server) Catalogue() *catalogue.Catalogue { return s.cat }

// ExpiryPolicy is the longest lifetime a new token may have (0: no maximum)
// and whether it may have none. The console uses it only to choose what to
// offer; the API still decides.
func (s *Server) ExpiryPolicy() (maxLifetime time.Duration, allowNoExpiry bool) {
	return s.cfg.MaxLifetime, s.cfg.AllowNoExpiry
}
