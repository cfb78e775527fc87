package server_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"database/sql"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// A replayable secret is sealed under a key that needs the caller's own
// token as well as the Idempotency-Key, so a copy of the database and a
// guessable Idempotency-Key are not enough to read it.
func TestIdempotencyRecordNeedsCallerSecret(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	var created api.Token
	c.must(http.StatusCreated, "POST", api.PathTokens, api.TokenCreate{Name: "x", Role: "reader"}, api.HeaderIdempotencyKey, "1").into(t, &created)

	db, err := sql.Open("sqlite", "file:"+ts.DataPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rec []byte
	if err := db.QueryRowContext(context.Background(), `SELECT body FROM idempotency_records`).Scan(&rec); err != nil {
		t.Fatal(err)
	}
	if len(rec) < 2 || rec[0] != 'e' {
		t.Fatalf("record not sealed: %q", rec[:min(len(rec), 2)])
	}
	k, err := hkdf.Key(sha256.New, []byte("1"), nil, "tokensmith idempotent replay v1", 32)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(k)
	gcm, _ := cipher.NewGCM(block)
	rest := rec[2:]
	if plain, err := gcm.Open(nil, rest[:gcm.NonceSize()], rest[gcm.NonceSize():], rec[:2]); err == nil {
		t.Fatalf("record opened with the Idempotency-Key alone: %d bytes", len(plain))
	}
	// The caller still gets the replay.
	var again api.Token
	c.must(http.StatusCreated, "POST", api.PathTokens, api.TokenCreate{Name: "x", Role: "reader"}, api.HeaderIdempotencyKey, "1").into(t, &again)
	if again.Token != created.Token {
		t.Fatal("replay differs")
	}
}

// The same Idempotency-Key from another caller is another request: it
// never replays the first caller's answer (and its secret).
func TestIdempotencyKeyScopedToCaller(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	_, btok := memberWithToken(t, c, "b@example.com", "admin", "admin")
	body := api.TokenCreate{Name: "same", Role: "reader"}
	var a, b api.Token
	c.must(http.StatusCreated, "POST", api.PathTokens, body, api.HeaderIdempotencyKey, "shared").into(t, &a)
	r := c.with(btok.Token).must(http.StatusCreated, "POST", api.PathTokens, body, api.HeaderIdempotencyKey, "shared")
	r.into(t, &b)
	if r.Header.Get("Idempotent-Replayed") != "" || a.Token == b.Token || a.ID == b.ID || b.MemberID == a.MemberID {
		t.Fatalf("caller B got caller A's answer: %s", r.Body)
	}
}

// stallingStore holds CreateToken until the request's context ends, and
// reports when an idempotent request has ended.
type stallingStore struct {
	store.Store
	stall     atomic.Bool
	entered   chan struct{}
	abandoned chan struct{}
}

func (s *stallingStore) CreateToken(ctx context.Context, t store.Token, q store.Quota) error {
	if s.stall.Load() {
		close(s.entered)
		<-ctx.Done()
		return ctx.Err()
	}
	return s.Store.CreateToken(ctx, t, q)
}

func (s *stallingStore) RunIdempotent(ctx context.Context, rec store.IdempotencyRecord, staleBefore time.Time, fn store.IdempotentFunc) (*store.IdempotencyRecord, error) {
	got, err := s.Store.RunIdempotent(ctx, rec, staleBefore, fn)
	if s.stall.Load() {
		close(s.abandoned)
	}
	return got, err
}

// A client that goes away mid-request may retry with the same key: the
// record of the failed attempt is released even though the request's
// context has ended, instead of answering 409 for a day.
func TestIdempotencyKeyReleasedWhenClientGoesAway(t *testing.T) {
	ss := &stallingStore{entered: make(chan struct{}), abandoned: make(chan struct{})}
	ts := testserver.New(t, testserver.WithStoreWrapper(func(st store.Store) store.Store { ss.Store = st; return ss }))
	c := newClient(t, ts, ts.OwnerToken)
	ss.stall.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "POST", ts.URL+api.PathTokens, strings.NewReader(`{"name":"x","role":"reader"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", ts.OwnerToken)
	req.Header.Set(api.HeaderIdempotencyKey, "retry-me")
	done := make(chan error, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	<-ss.entered
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the cancelled request succeeded")
	}
	<-ss.abandoned
	ss.stall.Store(false)
	c.must(http.StatusCreated, "POST", api.PathTokens, api.TokenCreate{Name: "x", Role: "reader"}, api.HeaderIdempotencyKey, "retry-me")
}
