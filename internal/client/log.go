package client

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// Messages of the entries handed to Config.Logger.
const (
	LogMsgRequest  = "tokensmith API request"
	LogMsgResponse = "tokensmith API response"
	LogMsgFailure  = "tokensmith API request failed"
)

const (
	redacted        = "[REDACTED]"
	maxLoggedBody   = 8 << 10
	minLiteralToken = 8
)

// The `token` JSON field holds the whole secret in create and reset
// answers, and `secret` a client-supplied one in their requests; both are
// masked whatever their value looks like.
var tokenFieldRe = regexp.MustCompile(`("(?:token|secret)"\s*:\s*)"(?:[^"\\]|\\.)*"`)

// sensitiveHeaders are logged as redacted whatever their value. The
// Idempotency-Key is among them because the server keeps shown-once secrets
// of replays encrypted under a key derived from it.
var sensitiveHeaders = map[string]bool{
	"Authorization":       true,
	"Proxy-Authorization": true,
	"Cookie":              true,
	"Set-Cookie":          true,
	"Idempotency-Key":     true,
}

// redactText masks token values (api.TokenPattern, in any case, keeping
// the prefix), `token` JSON fields and, when given, the literal credential
// the client was configured with.
func redactText(s, credential string) string {
	if len(credential) >= minLiteralToken && strings.Contains(s, credential) {
		s = strings.ReplaceAll(s, credential, redacted)
	}
	s = tokenFieldRe.ReplaceAllString(s, `${1}"`+redacted+`"`)
	return api.RedactTokens(s, redacted, true)
}

// loggingTransport logs every attempt, which is the only place that sees the
// retries retryablehttp makes.
type loggingTransport struct {
	next  http.RoundTripper
	log   func(ctx context.Context, msg string, fields map[string]any)
	token string
}

func (t *loggingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	attempt := 1
	if st := stateOf(ctx); st != nil {
		st.attempts++
		attempt = st.attempts
	}
	if t.log == nil {
		return t.next.RoundTrip(req)
	}

	// The token used may differ from the configured one (WithToken).
	credential := t.token
	if h := req.Header.Get("Authorization"); h != "" {
		credential = strings.TrimPrefix(h, "Bearer ")
	}

	u := redactText(redactURL(req.URL), credential)
	fields := map[string]any{
		"method":  req.Method,
		"url":     u,
		"attempt": attempt,
		"headers": t.headers(req.Header, credential),
	}
	if req.GetBody != nil && req.ContentLength != 0 {
		if body, err := req.GetBody(); err == nil {
			b, _ := io.ReadAll(io.LimitReader(body, maxLoggedBody+1))
			body.Close()
			fields["body"] = loggedBody(b, credential)
		}
	}
	t.log(ctx, LogMsgRequest, fields)

	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	elapsed := time.Since(start)
	if err != nil {
		t.log(ctx, LogMsgFailure, map[string]any{
			"method":      req.Method,
			"url":         u,
			"attempt":     attempt,
			"duration_ms": elapsed.Milliseconds(),
			"error":       redactText(err.Error(), credential),
		})
		return nil, err
	}

	out := map[string]any{
		"method":      req.Method,
		"url":         u,
		"attempt":     attempt,
		"status":      resp.StatusCode,
		"duration_ms": elapsed.Milliseconds(),
		"headers":     t.headers(resp.Header, credential),
	}
	if resp.Body != nil && resp.Body != http.NoBody {
		// Read at most what is logged, then hand the caller those bytes
		// followed by the rest of the untouched body.
		head, rerr := io.ReadAll(io.LimitReader(resp.Body, maxLoggedBody+1))
		resp.Body = readCloser{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
		if rerr == nil && len(head) > 0 {
			out["body"] = loggedBody(head, credential)
		}
	}
	t.log(ctx, LogMsgResponse, out)
	return resp, nil
}

func (t *loggingTransport) headers(h http.Header, credential string) map[string]string {
	out := make(map[string]string, len(h))
	for name, values := range h {
		if sensitiveHeaders[http.CanonicalHeaderKey(name)] {
			out[name] = redacted
			continue
		}
		out[name] = redactText(strings.Join(values, ", "), credential)
	}
	return out
}

func loggedBody(b []byte, credential string) string {
	truncated := len(b) > maxLoggedBody
	if truncated {
		b = b[:maxLoggedBody]
	}
	s := redactText(string(b), credential)
	if truncated {
		// A cut may leave a token prefix without its tail; mask from there.
		if i := strings.LastIndex(s, "tsm_"); i >= 0 && len(s)-i < 64 {
			s = s[:i] + redacted
		}
		if i := strings.LastIndex(s, `"token"`); i >= 0 && !strings.Contains(s[i:], redacted) {
			s = s[:i] + redacted
		}
		s += "...(truncated)"
	}
	return s
}

type readCloser struct {
	io.Reader
	io.Closer
}
