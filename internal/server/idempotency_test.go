package server_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// gatedStore holds the next CreateToken, after it has written, until
// released.
type gatedStore struct {
	store.Store
	armed   atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (s *gatedStore) CreateToken(ctx context.Context, t store.Token, q store.Quota) error {
	err := s.Store.CreateToken(ctx, t, q)
	if s.armed.CompareAndSwap(true, false) {
		close(s.entered)
		<-s.release
	}
	return err
}

// TestIdempotencyDuplicateWhileRunning: a duplicate sent while the first
// request runs gets 409 request_in_progress with Retry-After; once the
// first is done the same key replays its answer, and one token exists.
func TestIdempotencyDuplicateWhileRunning(t *testing.T) {
	gs := &gatedStore{entered: make(chan struct{}), release: make(chan struct{})}
	ts := testserver.New(t, testserver.WithStoreWrapper(func(st store.Store) store.Store { gs.Store = st; return gs }))
	c := newClient(t, ts, ts.OwnerToken)
	body := api.TokenCreate{Name: "once", Role: "reader"}

	var once sync.Once
	release := func() { once.Do(func() { close(gs.release) }) }
	defer release() // a failure below must not leave the first request hanging

	gs.armed.Store(true)
	first := make(chan resp, 1)
	go func() { first <- c.do("POST", api.PathTokens, body, api.HeaderIdempotencyKey, "dup") }()
	<-gs.entered

	r := c.do("POST", api.PathTokens, body, api.HeaderIdempotencyKey, "dup")
	if r.Status != http.StatusConflict || r.problem(t).Code != api.CodeInProgress {
		t.Fatalf("duplicate while running: %d %s", r.Status, r.Body)
	}
	if ra := r.Header.Get(api.HeaderRetryAfter); ra != "1" {
		t.Fatalf("Retry-After %q, want 1", ra)
	}

	release()
	a := <-first
	if a.Status != http.StatusCreated {
		t.Fatalf("first: %d %s", a.Status, a.Body)
	}
	b := c.must(http.StatusCreated, "POST", api.PathTokens, body, api.HeaderIdempotencyKey, "dup")
	if b.Header.Get("Idempotent-Replayed") != "true" || string(a.Body) != string(b.Body) {
		t.Fatalf("the retry after the first finished was not a replay: %s", b.Body)
	}
	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens, nil).into(t, &list)
	if list.TotalCount != 2 { // the owner's and "once"
		t.Fatalf("%d tokens, want 2", list.TotalCount)
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

// TestIdempotencyRecordsEncryptedAtRest reads the idempotency table straight
// from the SQLite file: keys are stored hashed, responses holding a secret
// only encrypted, and replays still return the secret.
func TestIdempotencyRecordsEncryptedAtRest(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	var created, reset api.Token
	c.must(http.StatusCreated, "POST", api.PathTokens, api.TokenCreate{Name: "x", Role: "reader"}, api.HeaderIdempotencyKey, "create-key-1").into(t, &created)
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+created.ID+"/reset", nil, api.HeaderIdempotencyKey, "reset-key-1").into(t, &reset)
	var ws api.Workspace
	c.must(http.StatusCreated, "POST", api.PathWorkspaces, api.WorkspaceCreate{Name: "plain"}, api.HeaderIdempotencyKey, "ws-key-1").into(t, &ws)

	db, err := sql.Open("sqlite", "file:"+ts.DataPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), `SELECT key, body FROM idempotency_records`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	bodies := map[string][]byte{}
	for rows.Next() {
		var key string
		var body []byte
		if err := rows.Scan(&key, &body); err != nil {
			t.Fatal(err)
		}
		bodies[key] = body
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	callerID := ""
	var id api.CallerIdentity
	c.must(http.StatusOK, "GET", api.PathCallerIdentity, nil).into(t, &id)
	callerID = id.TokenID
	keyOf := func(raw string) string {
		h := sha256.Sum256([]byte(raw))
		return callerID + ":" + hex.EncodeToString(h[:])
	}
	if len(bodies) != 3 {
		t.Fatalf("%d idempotency records, want 3: %v", len(bodies), bodies)
	}
	for raw, wantSecret := range map[string]string{"create-key-1": created.Token, "reset-key-1": reset.Token, "ws-key-1": ""} {
		body, ok := bodies[keyOf(raw)]
		if !ok {
			t.Fatalf("no record under the hashed key for %q", raw)
		}
		for k := range bodies {
			if strings.Contains(k, raw) {
				t.Errorf("record key %q holds the raw Idempotency-Key", k)
			}
		}
		if wantSecret == "" {
			if !bytes.Contains(body, []byte(ws.ID)) {
				t.Errorf("a response without a secret should be stored as is: %q", body)
			}
			continue
		}
		for _, s := range []string{wantSecret, core(wantSecret), created.ID, `"name"`} {
			if bytes.Contains(body, []byte(s)) {
				t.Errorf("record for %q holds %q in plaintext", raw, s)
			}
		}
	}
	var replay api.Token
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+created.ID+"/reset", nil, api.HeaderIdempotencyKey, "reset-key-1").into(t, &replay)
	if replay.Token != reset.Token {
		t.Fatal("the replayed reset does not return the secret of the first answer")
	}
}
