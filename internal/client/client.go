// Package client is a typed Go client for the tokensmithd HTTP API.
//
// Retries, backoff and idempotency keys live here and nowhere else: callers
// make one call per operation and get either a decoded value or an error that
// the Is* predicates classify.
package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// Defaults applied when the corresponding Config field is zero.
const (
	DefaultMaxRetries   = 4
	DefaultTimeout      = 60 * time.Second
	DefaultRetryWaitMin = 500 * time.Millisecond
	DefaultRetryWaitMax = 30 * time.Second
	DefaultUserAgent    = "tokensmith-go-client"

	// maxServerWait caps a wait the server asks for through Retry-After or
	// X-Ratelimit-Reset, so a misbehaving server cannot park a call for hours.
	maxServerWait = 2 * time.Minute

	// maxResponseBytes bounds what is read from one response body.
	maxResponseBytes = 16 << 20
)

// Config configures a Client.
type Config struct {
	// Endpoint is the server's base URL, such as https://tokens.example.com.
	Endpoint string
	// Token is the access token sent in the Authorization header.
	Token string
	// CACertPEM adds one or more PEM certificates to the system pool, for
	// servers whose certificate a private CA signed.
	CACertPEM string
	// MaxRetries is the number of retries after the first attempt; zero
	// selects DefaultMaxRetries and a negative value disables retries.
	MaxRetries int
	// Timeout bounds each attempt; zero selects DefaultTimeout and a negative
	// value disables the bound (the context still applies).
	Timeout time.Duration
	// UserAgent is sent with every request; empty selects DefaultUserAgent.
	UserAgent string
	// Logger receives one entry per attempt. Secrets are redacted before the
	// call. Nil disables logging.
	Logger func(ctx context.Context, msg string, fields map[string]any)
	// HTTPClient is an optional base client (tests); its Transport is used
	// when it is an *http.Transport or anything else that is not nil.
	HTTPClient *http.Client
	// RetryWaitMin and RetryWaitMax bound the exponential backoff between
	// retries that the server gave no wait for.
	RetryWaitMin, RetryWaitMax time.Duration
}

// Client calls the tokensmithd API. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	token     string
	userAgent string
	retry     *retryablehttp.Client
	// clock is shared by the copies WithToken makes: one server, one clock.
	clock *serverClock
}

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	base, err := parseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}

	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	}
	transport := hc.Transport
	if transport == nil {
		transport = defaultTransport()
	}
	if cfg.CACertPEM != "" {
		pool, err := certPool(cfg.CACertPEM)
		if err != nil {
			return nil, err
		}
		t, ok := transport.(*http.Transport)
		if !ok {
			return nil, errors.New("client: ca_cert_pem needs an *http.Transport, the given HTTP client has another transport")
		}
		t = t.Clone()
		if t.TLSClientConfig == nil {
			t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		t.TLSClientConfig.RootCAs = pool
		transport = t
	}
	hc.Transport = &loggingTransport{next: transport, log: cfg.Logger, token: cfg.Token}

	switch {
	case cfg.Timeout > 0:
		hc.Timeout = cfg.Timeout
	case cfg.Timeout == 0:
		hc.Timeout = DefaultTimeout
	default:
		hc.Timeout = 0
	}

	rc := retryablehttp.NewClient()
	rc.HTTPClient = &hc
	rc.Logger = nil
	rc.RetryMax = cfg.MaxRetries
	if cfg.MaxRetries == 0 {
		rc.RetryMax = DefaultMaxRetries
	} else if cfg.MaxRetries < 0 {
		rc.RetryMax = 0
	}
	rc.RetryWaitMin = cfg.RetryWaitMin
	if rc.RetryWaitMin <= 0 {
		rc.RetryWaitMin = DefaultRetryWaitMin
	}
	rc.RetryWaitMax = cfg.RetryWaitMax
	if rc.RetryWaitMax <= 0 {
		rc.RetryWaitMax = DefaultRetryWaitMax
	}
	if rc.RetryWaitMax < rc.RetryWaitMin {
		rc.RetryWaitMax = rc.RetryWaitMin
	}
	rc.CheckRetry = checkRetry
	rc.Backoff = backoff
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler

	ua := cfg.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	return &Client{base: base, token: cfg.Token, userAgent: ua, retry: rc, clock: &serverClock{}}, nil
}

// WithToken returns a Client with the same settings that authenticates with
// another token.
func (c *Client) WithToken(token string) *Client {
	cp := *c
	cp.token = token
	return &cp
}

func parseEndpoint(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("client: endpoint is empty")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("client: endpoint is not a URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("client: endpoint scheme must be http or https, got %q", u.Scheme)
	}
	if u.Host == "" {
		return nil, errors.New("client: endpoint has no host")
	}
	if u.User != nil {
		return nil, errors.New("client: endpoint must not carry credentials")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	u.RawQuery = ""
	u.Fragment = ""
	return u, nil
}

func defaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 16
	return t
}

// certPool refuses anything but a sequence of well-formed certificates, so a
// truncated or mistyped CA is reported at configuration time rather than as
// an unknown-authority error on the first request.
func certPool(pemText string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	rest := []byte(pemText)
	n := 0
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("client: ca_cert_pem: block %d is a %q, want CERTIFICATE", n+1, block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("client: ca_cert_pem: certificate %d is invalid: %v", n+1, err)
		}
		pool.AddCert(cert)
		n++
	}
	if n == 0 {
		return nil, errors.New("client: ca_cert_pem holds no PEM certificate")
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, errors.New("client: ca_cert_pem has trailing data that is not a PEM certificate")
	}
	return pool, nil
}

// request describes one API call.
type request struct {
	method string
	path   string
	query  url.Values
	body   any // marshalled to JSON when not nil
}

// do performs r and decodes a 2xx JSON answer into out (when out is not nil).
func (c *Client) do(ctx context.Context, r request, out any) error {
	// r.path has its segments escaped already; RawPath keeps an escaped
	// slash inside an id from becoming a path separator.
	u := *c.base
	raw := c.base.EscapedPath() + r.path
	p, err := url.PathUnescape(raw)
	if err != nil {
		return fmt.Errorf("client: invalid path %q: %w", raw, err)
	}
	u.Path, u.RawPath = p, raw
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	return c.doURL(ctx, r.method, u.String(), r.body, out)
}

func (c *Client) doURL(ctx context.Context, method, target string, body any, out any) error {
	var payload []byte
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("client: encoding %s request: %w", method, err)
		}
		payload = b
	}

	st := &callState{}
	if method == http.MethodPost {
		key, err := newIdempotencyKey()
		if err != nil {
			return err
		}
		st.idempotencyKey = key
	}
	ctx = context.WithValue(ctx, callStateKey{}, st)

	var raw any
	if payload != nil {
		raw = payload
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, target, raw)
	if err != nil {
		return fmt.Errorf("client: building %s request: %w", method, err)
	}
	req.Header.Set("Accept", "application/json, "+api.ProblemContentType)
	req.Header.Set("User-Agent", c.userAgent)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if st.idempotencyKey != "" {
		req.Header.Set(api.HeaderIdempotencyKey, st.idempotencyKey)
	}

	resp, err := c.retry.Do(req)
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w (%v)", ctxErr, err)
		}
		return fmt.Errorf("client: %s %s: %w", method, redactURL(req.URL), err)
	}
	defer resp.Body.Close()
	c.clock.observe(resp.Header.Get("Date"), time.Now())

	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return fmt.Errorf("client: %s %s: reading response: %w", method, redactURL(req.URL), err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return newError(resp, data)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("client: %s %s: decoding response: %w", method, redactURL(req.URL), err)
	}
	return nil
}

func newIdempotencyKey() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("client: generating idempotency key: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// callState travels in the request context so the retry policy and the
// logging transport know about the call an attempt belongs to.
type callState struct {
	idempotencyKey string
	attempts       int
}

type callStateKey struct{}

func stateOf(ctx context.Context) *callState {
	st, _ := ctx.Value(callStateKey{}).(*callState)
	return st
}

func redactURL(u *url.URL) string {
	cp := *u
	cp.User = nil
	return cp.Redacted()
}

func escape(id string) string { return url.PathEscape(id) }

func writeQuery(o WriteOptions) url.Values {
	if !o.DryRun {
		return nil
	}
	return url.Values{"dryRun": []string{"true"}}
}

func listQuery(o ListOptions) url.Values {
	q := url.Values{}
	if o.Limit > 0 {
		q.Set("limit", fmt.Sprint(o.Limit))
	}
	if o.Offset > 0 {
		q.Set("offset", fmt.Sprint(o.Offset))
	}
	return q
}

// ListOptions selects a page of a list.
type ListOptions struct{ Limit, Offset int }

// WriteOptions modifies a write. DryRun asks the server to run every check
// and answer what would happen without writing anything.
type WriteOptions struct{ DryRun bool }

func requireID(kind, id string) error {
	if id == "" {
		return fmt.Errorf("client: %s id is empty", kind)
	}
	return nil
}
