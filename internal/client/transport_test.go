package client

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

const (
	testToken       = "tsm_pat_0123456789abcdefghijABCDEFGHIJxyzXYZ01"
	testSecretReply = "tsm_svc_ZYXWVUTSRQzyxwvutsrq9876543210abcdefABC"
)

// fake is an httptest server whose handler sees the attempt number (from 1).
type fake struct {
	*httptest.Server
	attempts atomic.Int32
	mu       sync.Mutex
	requests []*http.Request
	bodies   []string
}

func newFake(t *testing.T, h func(n int, w http.ResponseWriter, r *http.Request)) *fake {
	t.Helper()
	f := &fake{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, r.Clone(context.Background()))
		f.bodies = append(f.bodies, string(body))
		f.mu.Unlock()
		h(int(f.attempts.Add(1)), w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fake) request(i int) (*http.Request, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[i], f.bodies[i]
}

func newTestClient(t *testing.T, endpoint string, mod ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		Endpoint:     endpoint,
		Token:        testToken,
		MaxRetries:   3,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 2 * time.Millisecond,
		Timeout:      10 * time.Second,
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeProblem(w http.ResponseWriter, code api.Code, detail string) {
	status := api.StatusOf(code)
	w.Header().Set("Content-Type", api.ProblemContentType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(api.Problem{
		Type: "about:blank", Title: http.StatusText(status), Status: status,
		Detail: detail, Message: detail, Code: code,
	})
}

func dropConnection(t *testing.T, w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}

func TestRateLimitedThenSuccess(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.Header().Set(api.HeaderRetryAfter, "0")
			w.Header().Set(api.HeaderRateLimitReset, fmt.Sprint(time.Now().UnixMilli()))
			writeProblem(w, api.CodeRateLimited, "rate limit reached")
			return
		}
		writeJSON(w, http.StatusOK, api.Token{ID: "t1"})
	})
	tok, err := newTestClient(t, f.URL).GetToken(context.Background(), "t1")
	if err != nil {
		t.Fatalf("GetToken: %v", err)
	}
	if tok.ID != "t1" || f.attempts.Load() != 2 {
		t.Fatalf("got %q after %d attempts, want t1 after 2", tok.ID, f.attempts.Load())
	}
}

func TestRetryAfterBeyondDeadlineAnswersAtOnce(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set(api.HeaderRetryAfter, "60")
		writeProblem(w, api.CodeRateLimited, "rate limit reached")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := newTestClient(t, f.URL).GetToken(ctx, "t1")
	if !IsRateLimited(err) {
		t.Fatalf("want a rate-limited error, got %v", err)
	}
	if f.attempts.Load() != 1 {
		t.Fatalf("attempts = %d, want 1", f.attempts.Load())
	}
}

func TestContextCancelStopsLongRetryAfter(t *testing.T) {
	answered := make(chan struct{}, 1)
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set(api.HeaderRetryAfter, "3600")
		writeProblem(w, api.CodeRateLimited, "rate limit reached")
		answered <- struct{}{}
	})
	c := newTestClient(t, f.URL)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.GetToken(ctx, "t1")
		done <- err
	}()
	<-answered
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("want context.Canceled, got %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the call kept waiting after its context was cancelled")
	}
	if f.attempts.Load() != 1 {
		t.Fatalf("attempts = %d, want 1", f.attempts.Load())
	}
}

func TestServiceUnavailableRetried(t *testing.T) {
	for _, status := range []int{http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if n < 3 {
					w.WriteHeader(status)
					return
				}
				writeJSON(w, http.StatusOK, api.Member{ID: "m1"})
			})
			m, err := newTestClient(t, f.URL).GetMember(context.Background(), "m1")
			if err != nil {
				t.Fatalf("GetMember: %v", err)
			}
			if m.ID != "m1" || f.attempts.Load() != 3 {
				t.Fatalf("got %q after %d attempts, want m1 after 3", m.ID, f.attempts.Load())
			}
		})
	}
}

func TestRetriesExhaustedReturnLastAnswer(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set(api.HeaderRetryAfter, "0")
		writeProblem(w, api.CodeRateLimited, "slow down")
	})
	_, err := newTestClient(t, f.URL).ListMembers(context.Background(), ListOptions{})
	e, ok := AsError(err)
	if !ok || !IsRateLimited(err) || e.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("want the 429 problem, got %v", err)
	}
	if got := f.attempts.Load(); got != 4 {
		t.Fatalf("attempts = %d, want 1 + 3 retries", got)
	}
}

func TestInternalErrorNotRetried(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		writeProblem(w, api.CodeInternal, "boom")
	})
	_, err := newTestClient(t, f.URL).GetWorkspace(context.Background(), "w1")
	e, ok := AsError(err)
	if !ok || e.StatusCode != http.StatusInternalServerError || e.Problem.Code != api.CodeInternal {
		t.Fatalf("want the 500 problem, got %v", err)
	}
	if f.attempts.Load() != 1 {
		t.Fatalf("attempts = %d, want 1", f.attempts.Load())
	}
}

func TestPostIdempotencyKeyReusedAcrossRetries(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n%3 != 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, http.StatusCreated, api.Workspace{ID: "w1"})
	})
	c := newTestClient(t, f.URL)
	for i := 0; i < 2; i++ {
		if _, err := c.CreateWorkspace(context.Background(), api.WorkspaceCreate{Name: "a"}); err != nil {
			t.Fatalf("CreateWorkspace: %v", err)
		}
	}
	if f.attempts.Load() != 6 {
		t.Fatalf("attempts = %d, want 6", f.attempts.Load())
	}
	keys := make([]string, 6)
	for i := range keys {
		r, body := f.request(i)
		keys[i] = r.Header.Get(api.HeaderIdempotencyKey)
		if body != `{"name":"a"}` {
			t.Fatalf("attempt %d body = %q", i+1, body)
		}
	}
	if keys[0] == "" || len(keys[0]) < 32 {
		t.Fatalf("idempotency key %q is missing or short", keys[0])
	}
	if keys[0] != keys[1] || keys[1] != keys[2] || keys[3] != keys[4] || keys[4] != keys[5] {
		t.Fatalf("a call's retries must reuse its key: %q", keys)
	}
	if keys[0] == keys[3] {
		t.Fatal("two calls shared an idempotency key")
	}
}

func TestInProgressConflictRetried(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && n == 1:
			writeProblem(w, api.CodeInProgress, "a request with this Idempotency-Key is still in progress")
		case r.Method == http.MethodPost:
			writeJSON(w, http.StatusCreated, api.Member{ID: "m1"})
		default:
			writeProblem(w, api.CodeInProgress, "not retried without a key")
		}
	})
	c := newTestClient(t, f.URL)
	if _, err := c.CreateMember(context.Background(), api.MemberCreate{Email: "a@b.c", Role: api.RoleReader}); err != nil {
		t.Fatalf("CreateMember: %v", err)
	}
	if f.attempts.Load() != 2 {
		t.Fatalf("attempts = %d, want 2", f.attempts.Load())
	}
	_, err := c.PatchMember(context.Background(), "m1", nil)
	if e, ok := AsError(err); !ok || e.Problem.Code != api.CodeInProgress || f.attempts.Load() != 3 {
		t.Fatalf("a PATCH must not be retried on 409: %v after %d attempts", err, f.attempts.Load())
	}
	// A plain conflict on a POST is an answer, not a reason to retry.
	g := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) { writeProblem(w, api.CodeConflict, "name taken") })
	_, err = newTestClient(t, g.URL).CreateWorkspace(context.Background(), api.WorkspaceCreate{Name: "x"})
	if !IsConflict(err) || g.attempts.Load() != 1 || err.Error() != "name taken (code conflict, HTTP 409)" {
		t.Fatalf("got %v after %d attempts", err, g.attempts.Load())
	}
}

func TestNonPostCarriesNoIdempotencyKey(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, api.Member{ID: "m1"})
	})
	if _, err := newTestClient(t, f.URL).PatchMember(context.Background(), "m1", nil); err != nil {
		t.Fatal(err)
	}
	r, body := f.request(0)
	if k := r.Header.Get(api.HeaderIdempotencyKey); k != "" {
		t.Fatalf("PATCH carried an idempotency key")
	}
	if body != "[]" {
		t.Fatalf("empty patch sent as %q, want []", body)
	}
}

func TestDroppedPostResponseRetriedWithSameKey(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			dropConnection(t, w)
			return
		}
		writeJSON(w, http.StatusCreated, api.Token{ID: "t1", Token: testSecretReply})
	})
	tok, err := newTestClient(t, f.URL).CreateToken(context.Background(), api.TokenCreate{Name: "x", Role: api.RoleReader}, WriteOptions{})
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	if tok.Token != testSecretReply || f.attempts.Load() != 2 {
		t.Fatalf("got %q after %d attempts", tok.ID, f.attempts.Load())
	}
	r1, _ := f.request(0)
	r2, _ := f.request(1)
	if k := r1.Header.Get(api.HeaderIdempotencyKey); k == "" || k != r2.Header.Get(api.HeaderIdempotencyKey) {
		t.Fatal("the retry of a dropped POST must carry the same idempotency key")
	}
}

func TestDroppedResponseWithoutKeyNotRetried(t *testing.T) {
	for _, call := range []struct {
		name string
		do   func(*Client) error
	}{
		{"PATCH", func(c *Client) error {
			_, err := c.PatchToken(context.Background(), "t1", []api.PatchOperation{{Op: "replace", Path: "/name", Value: "n"}}, WriteOptions{})
			return err
		}},
		{"DELETE", func(c *Client) error { return c.DeleteToken(context.Background(), "t1") }},
	} {
		t.Run(call.name, func(t *testing.T) {
			f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) { dropConnection(t, w) })
			err := call.do(newTestClient(t, f.URL))
			if err == nil {
				t.Fatal("want an error")
			}
			if f.attempts.Load() != 1 {
				t.Fatalf("attempts = %d, want 1: the request may have taken effect", f.attempts.Load())
			}
		})
	}
}

func TestConnectionRefusedRetried(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, api.CallerIdentity{TokenID: "t1"})
	})
	// An address nothing listens on, for the first two dials.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()

	var dials atomic.Int32
	var d net.Dialer
	transport := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) <= 2 {
			return d.DialContext(ctx, network, closed)
		}
		return d.DialContext(ctx, network, addr)
	}}
	c := newTestClient(t, f.URL, func(cfg *Config) { cfg.HTTPClient = &http.Client{Transport: transport} })
	id, err := c.CallerIdentity(context.Background())
	if err != nil {
		t.Fatalf("CallerIdentity: %v", err)
	}
	if id.TokenID != "t1" || dials.Load() != 3 || f.attempts.Load() != 1 {
		t.Fatalf("dials = %d, server attempts = %d", dials.Load(), f.attempts.Load())
	}
}

func TestConnectionRefusedGivesUp(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var failures atomic.Int32
	c := newTestClient(t, "http://"+addr, func(cfg *Config) {
		cfg.Logger = func(_ context.Context, msg string, _ map[string]any) {
			if msg == LogMsgFailure {
				failures.Add(1)
			}
		}
	})
	_, err = c.GetToken(context.Background(), "t1")
	if err == nil || IsNotFound(err) {
		t.Fatalf("want a transport error, got %v", err)
	}
	if _, ok := AsError(err); ok {
		t.Fatalf("a transport error is not an API *Error: %v", err)
	}
	if failures.Load() != 4 {
		t.Fatalf("failed attempts = %d, want 1 + 3 retries", failures.Load())
	}
}

func TestLoggerRedactsSecrets(t *testing.T) {
	const plainCredential = "not-prefixed-credential-value"
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, http.StatusCreated, api.Token{ID: "t1", Token: testSecretReply})
	})
	var mu sync.Mutex
	var entries []string
	logger := func(_ context.Context, msg string, fields map[string]any) {
		b, err := json.Marshal(fields)
		if err != nil {
			t.Errorf("fields not serialisable: %v", err)
		}
		mu.Lock()
		entries = append(entries, msg+" "+string(b))
		mu.Unlock()
	}
	c := newTestClient(t, f.URL, func(cfg *Config) { cfg.Logger = logger })
	// A request body that itself carries secrets, as a reset echo might.
	in := api.TokenCreate{Name: "echo " + testToken, Description: `{"token":"abcdefgh"}`, Role: api.RoleReader}
	if _, err := c.CreateToken(context.Background(), in, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WithToken(plainCredential).GetToken(context.Background(), "t1"); err != nil {
		t.Fatal(err)
	}

	r, _ := f.request(0)
	key := r.Header.Get(api.HeaderIdempotencyKey)
	all := strings.Join(entries, "\n")
	for _, secret := range []string{testToken, testSecretReply, plainCredential, key, "tsm_pat_0123", "tsm_svc_ZYX"} {
		if strings.Contains(all, secret) {
			t.Errorf("log output contains a secret (%d chars)", len(secret))
		}
	}
	if !strings.Contains(all, redacted) || !strings.Contains(all, `"attempt":2`) || !strings.Contains(all, `"status":503`) {
		t.Errorf("log output lacks the expected entries")
	}
	if n := strings.Count(all, LogMsgRequest+" "); n != 3 {
		t.Errorf("request entries = %d, want 3 (one per attempt)", n)
	}
}

func TestRedactText(t *testing.T) {
	for in, want := range map[string]string{
		`{"token": "abcd", "name":"n"}`:       `{"token": "[REDACTED]", "name":"n"}`,
		`{"token":"a\"b"}`:                    `{"token":"[REDACTED]"}`,
		"key tsm_pat_abc123 and tsm_svc_XYZ.": "key tsm_pat_[REDACTED] and tsm_svc_[REDACTED].",
		// A redactor errs on the side of redacting: any case is masked.
		"retyped TSM_PAT_abc123 Tsm_Svc_XYZ": "retyped TSM_PAT_[REDACTED] Tsm_Svc_[REDACTED]",
		"plain text":                         "plain text",
	} {
		if got := redactText(in, ""); got != want {
			t.Errorf("redactText(%q) = %q, want %q", in, got, want)
		}
	}
	if got := redactText("Bearer supersecretvalue!", "supersecretvalue"); strings.Contains(got, "supersecretvalue") {
		t.Errorf("credential not masked: %q", got)
	}
}

func TestProblemDecodingAndPredicates(t *testing.T) {
	preds := map[string]func(error) bool{
		"IsNotFound": IsNotFound, "IsPermissionDenied": IsPermissionDenied, "IsUnauthorized": IsUnauthorized,
		"IsQuotaExceeded": IsQuotaExceeded, "IsConflict": IsConflict, "IsInvalidRequest": IsInvalidRequest,
		"IsRateLimited": IsRateLimited,
	}
	for code, want := range map[api.Code]string{
		api.CodeNotFound: "IsNotFound", api.CodePermissionDenied: "IsPermissionDenied",
		api.CodeUnauthorized: "IsUnauthorized", api.CodeQuotaExceeded: "IsQuotaExceeded",
		api.CodeConflict: "IsConflict", api.CodeInvalidRequest: "IsInvalidRequest",
		api.CodeRateLimited: "IsRateLimited", api.CodeIdempotencyReuse: "",
	} {
		t.Run(string(code), func(t *testing.T) {
			f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
				w.Header().Set(api.HeaderRetryAfter, "0")
				w.Header().Set(api.HeaderRequestID, "req-1")
				status := api.StatusOf(code)
				w.Header().Set("Content-Type", api.ProblemContentType)
				w.WriteHeader(status)
				_ = json.NewEncoder(w).Encode(api.Problem{
					Status: status, Detail: "name: rule broken " + testToken, Message: "m", Code: code,
					Field: "name", Missing: []string{"MEMBER_WRITE"}, Limit: 20,
				})
			})
			_, err := newTestClient(t, f.URL, func(c *Config) { c.MaxRetries = -1 }).GetCustomRole(context.Background(), "k")
			wrapped := fmt.Errorf("outer: %w", err)
			for name, p := range preds {
				if got := p(wrapped); got != (name == want) {
					t.Errorf("%s = %v", name, got)
				}
			}
			e, ok := AsError(wrapped)
			if !ok {
				t.Fatalf("AsError failed on %v", err)
			}
			if e.Problem.Field != "name" || e.Problem.Limit != 20 || len(e.Problem.Missing) != 1 || e.Problem.RequestID != "req-1" {
				t.Errorf("problem extensions lost: %+v", e.Problem)
			}
			wantMsg := fmt.Sprintf("name: rule broken tsm_pat_[REDACTED] (code %s, HTTP %d)", code, api.StatusOf(code))
			if err.Error() != wantMsg {
				t.Errorf("Error() = %q, want %q", err.Error(), wantMsg)
			}
		})
	}
}

func TestNonProblemBodies(t *testing.T) {
	for _, tc := range []struct {
		name, contentType, body string
		status                  int
		want                    string
		pred                    func(error) bool
	}{
		// A code the server did not send is never shown; the predicates
		// still classify the answer by its status.
		{"text", "text/plain; charset=utf-8", "no such thing tsm_pat_abcdef123\nsecond line", 404,
			"no such thing tsm_pat_[REDACTED] (HTTP 404)", IsNotFound},
		{"text without a content type", "", "  upstream went away  \n", 502,
			"upstream went away (HTTP 502)", func(err error) bool { return !IsNotFound(err) }},
		{"html", "text/html", "<html>" + testToken + "</html>", 403,
			"Forbidden (HTTP 403)", IsPermissionDenied},
		{"json message", "application/json", `{"message":"bad field"}`, 400,
			"bad field (HTTP 400)", IsInvalidRequest},
		{"empty", "", "", 409, "Conflict (HTTP 409)", IsConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			})
			_, err := newTestClient(t, f.URL).GetToken(context.Background(), "t1")
			if err == nil || err.Error() != tc.want || !tc.pred(err) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestRequestShapes(t *testing.T) {
	type seen struct{ method, uri, body, auth, ua string }
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		case strings.HasPrefix(r.URL.Path, api.PathPermissions):
			writeJSON(w, http.StatusOK, api.List[api.Permission]{Items: []api.Permission{{Name: "A"}}})
		default:
			writeJSON(w, http.StatusOK, map[string]any{})
		}
	})
	c := newTestClient(t, f.URL+"/", func(cfg *Config) { cfg.UserAgent = "test-agent/1" })
	ctx := context.Background()
	expiry := time.UnixMilli(1700000000123)
	calls := []struct {
		do   func() error
		want seen
	}{
		{func() error {
			_, err := c.CreateToken(ctx, api.TokenCreate{Name: "n", Role: "reader"}, WriteOptions{DryRun: true})
			return err
		}, seen{"POST", "/api/v2/tokens?dryRun=true", `{"name":"n","role":"reader"}`, "", ""}},
		{func() error { _, err := c.ResetToken(ctx, "a/b", expiry, WriteOptions{}); return err },
			seen{"POST", "/api/v2/tokens/a%2Fb/reset", `{"expiry":1700000000123}`, "", ""}},
		{func() error { _, err := c.ResetToken(ctx, "t1", time.Time{}, WriteOptions{DryRun: true}); return err },
			seen{"POST", "/api/v2/tokens/t1/reset?dryRun=true", `{}`, "", ""}},
		{func() error { _, err := c.ListTokens(ctx, true, ListOptions{Limit: 5, Offset: 10}); return err },
			seen{"GET", "/api/v2/tokens?limit=5&offset=10&showAll=true", "", "", ""}},
		{func() error { _, err := c.DeleteMemberTokens(ctx, "m1", TokenBulkFilter{}); return err },
			seen{"DELETE", "/api/v2/tokens?memberId=m1", "", "", ""}},
		{func() error {
			_, err := c.PatchCustomRole(ctx, "k", []api.PatchOperation{{Op: "remove", Path: "/description"}}, WriteOptions{DryRun: true})
			return err
		}, seen{"PATCH", "/api/v2/roles/k?dryRun=true", `[{"op":"remove","path":"/description"}]`, "", ""}},
		{func() error { _, err := c.ListWorkspaces(ctx, "dev team", ListOptions{}); return err },
			seen{"GET", "/api/v2/workspaces?name=dev+team", "", "", ""}},
		{func() error { _, err := c.AddWorkspaceMember(ctx, "w1", "m1"); return err },
			seen{"PUT", "/api/v2/workspaces/w1/members/m1", "", "", ""}},
		{func() error { _, err := c.RemoveWorkspaceMember(ctx, "w1", "m1"); return err },
			seen{"DELETE", "/api/v2/workspaces/w1/members/m1", "", "", ""}},
		{func() error { _, err := c.TransferWorkspace(ctx, "w1", "m2"); return err },
			seen{"POST", "/api/v2/workspaces/w1/transfer", `{"ownerId":"m2"}`, "", ""}},
		{func() error { _, err := c.ListAuditLog(ctx, ListOptions{Limit: 1}); return err },
			seen{"GET", "/api/v2/auditlog?limit=1", "", "", ""}},
		{func() error { _, err := c.WithToken("other").CallerIdentity(ctx); return err },
			seen{"GET", "/api/v2/caller-identity", "", "Bearer other", ""}},
	}
	for i, call := range calls {
		if err := call.do(); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		r, body := f.request(i)
		got := seen{r.Method, r.URL.RequestURI(), body, "", ""}
		want := call.want
		want.auth, want.ua = "", ""
		if got != want {
			t.Errorf("call %d: got %+v, want %+v", i, got, want)
		}
		auth := "Bearer " + testToken
		if call.want.auth != "" {
			auth = call.want.auth
		}
		if r.Header.Get("Authorization") != auth || r.Header.Get("User-Agent") != "test-agent/1" {
			t.Errorf("call %d: wrong Authorization or User-Agent", i)
		}
		if body != "" && r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("call %d: Content-Type %q", i, r.Header.Get("Content-Type"))
		}
	}
	if err := c.DeleteToken(ctx, ""); err == nil {
		t.Error("an empty id must be refused before any request")
	}
}

func TestListPermissionsFollowsNextLinks(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		links := api.Links{}
		var items []api.Permission
		switch r.URL.Query().Get("offset") {
		case "":
			items = []api.Permission{{Name: "A"}, {Name: "B"}}
			links["next"] = api.Link{Href: "/base/api/v2/permissions?limit=2&offset=2"}
		case "2":
			items = []api.Permission{{Name: "C"}, {Name: "D"}}
			links["next"] = api.Link{Href: "permissions?limit=2&offset=4"}
		case "4":
			items = []api.Permission{{Name: "E"}}
		}
		if !strings.HasPrefix(r.URL.Path, "/base/") {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		writeJSON(w, http.StatusOK, api.List[api.Permission]{Items: items, TotalCount: 5, Links: links})
	})
	perms, err := newTestClient(t, f.URL+"/base").ListPermissions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range perms {
		names = append(names, p.Name)
	}
	if strings.Join(names, ",") != "A,B,C,D,E" {
		t.Fatalf("got %v", names)
	}
}

func TestListPermissionsRefusesForeignAndEndlessLinks(t *testing.T) {
	f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request) {
		next := "/api/v2/permissions"
		if n == 1 {
			next = "/api/v2/permissions?offset=1"
		}
		if r.URL.Query().Get("foreign") != "" || n > 10 {
			next = "http://elsewhere.example/api/v2/permissions"
		}
		writeJSON(w, http.StatusOK, api.List[api.Permission]{Items: []api.Permission{{Name: "A"}}, Links: api.Links{"next": {Href: next}}})
	})
	if _, err := newTestClient(t, f.URL).ListPermissions(context.Background()); err == nil {
		t.Fatal("a link loop must end in an error")
	}
	if _, err := newTestClient(t, f.URL).resolve(f.URL+"/api/v2/permissions", "http://elsewhere.example/x"); err == nil {
		t.Fatal("a link to another origin must be refused")
	}
}

func TestCACertPEM(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, api.CallerIdentity{TokenID: "t1"})
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	defer srv.Close()
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))

	for name, bad := range map[string]string{
		"garbage":   "not a certificate",
		"truncated": certPEM[:len(certPEM)/2],
		"key":       "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
		"bad der":   "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
		"trailing":  certPEM + "junk",
	} {
		if _, err := New(Config{Endpoint: srv.URL, CACertPEM: bad}); err == nil || !strings.Contains(err.Error(), "ca_cert_pem") {
			t.Errorf("%s: want a ca_cert_pem error, got %v", name, err)
		}
	}

	var fails atomic.Int32
	untrusting := newTestClient(t, srv.URL, func(c *Config) {
		c.Logger = func(_ context.Context, msg string, _ map[string]any) {
			if msg == LogMsgFailure {
				fails.Add(1)
			}
		}
	})
	_, err := untrusting.CallerIdentity(context.Background())
	var unknown x509.UnknownAuthorityError
	if err == nil || !errors.As(err, &unknown) && !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("want a certificate error, got %v", err)
	}
	if fails.Load() != 1 {
		t.Fatalf("a certificate error was retried (%d attempts)", fails.Load())
	}

	trusting := newTestClient(t, srv.URL, func(c *Config) { c.CACertPEM = certPEM })
	id, err := trusting.CallerIdentity(context.Background())
	if err != nil || id.TokenID != "t1" {
		t.Fatalf("with the CA: %v", err)
	}
}

func TestNewValidatesEndpoint(t *testing.T) {
	for _, ep := range []string{"", "ftp://x", "http://", "https://user:pw@host", "::"} {
		if _, err := New(Config{Endpoint: ep}); err == nil {
			t.Errorf("endpoint %q accepted", ep)
		}
	}
}

func TestServerWait(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	mk := func(h map[string]string) *http.Response {
		r := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{}}
		for k, v := range h {
			r.Header.Set(k, v)
		}
		return r
	}
	for _, tc := range []struct {
		h    map[string]string
		want time.Duration
		ok   bool
	}{
		{map[string]string{"Retry-After": "3"}, 3 * time.Second, true},
		{map[string]string{"Retry-After": "999999"}, maxServerWait, true},
		{map[string]string{"Retry-After": now.Add(5 * time.Second).UTC().Format(http.TimeFormat)}, 5 * time.Second, true},
		{map[string]string{"X-Ratelimit-Reset": fmt.Sprint(now.Add(1500 * time.Millisecond).UnixMilli())}, 1500 * time.Millisecond, true},
		{map[string]string{"X-Ratelimit-Reset": fmt.Sprint(now.Add(-time.Second).UnixMilli())}, 0, true},
		{map[string]string{"Retry-After": "1", "X-Ratelimit-Reset": fmt.Sprint(now.Add(time.Hour).UnixMilli())}, time.Second, true},
		{map[string]string{"Retry-After": "soon"}, 0, false},
		{nil, 0, false},
	} {
		got, ok := serverWait(mk(tc.h), now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%v: got %v %v, want %v %v", tc.h, got, ok, tc.want, tc.ok)
		}
	}
	for attempt := 0; attempt < 10; attempt++ {
		if d := backoff(10*time.Millisecond, 80*time.Millisecond, attempt, nil); d < 5*time.Millisecond || d > 80*time.Millisecond {
			t.Errorf("backoff attempt %d = %v out of bounds", attempt, d)
		}
	}
}

// Plain HTTP sent to a TLS server: Go's answer is kept, no code is invented,
// and the case is recognised.
func TestPlainHTTPToTLSServer(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the handler must not be reached over plain HTTP")
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{Endpoint: strings.Replace(srv.URL, "https://", "http://", 1), Token: testToken, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetToken(context.Background(), "t1")
	if !IsPlainHTTPToTLS(err) || err.Error() != "Client sent an HTTP request to an HTTPS server. (HTTP 400)" {
		t.Fatalf("got %v", err)
	}
	_, err = newTestClient(t, srv.URL).GetToken(context.Background(), "t1")
	if IsPlainHTTPToTLS(err) {
		t.Fatalf("an HTTPS request is not plain HTTP: %v", err)
	}
}

// A transport error names the request's URL once.
func TestTransportErrorNamesTheURLOnce(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + l.Addr().String()
	l.Close()
	c, err := New(Config{Endpoint: endpoint, Token: testToken, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetToken(context.Background(), "t1")
	if err == nil || strings.Count(err.Error(), endpoint) != 1 || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("got %v, want the URL once and the cause", err)
	}
}
