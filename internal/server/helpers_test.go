package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// resp is a decoded response: the raw JSON object (for field-presence
// checks) and the status and headers.
type resp struct {
	Status int
	Header http.Header
	Body   []byte
	Obj    map[string]any
}

func (r resp) problem(t *testing.T) api.Problem {
	t.Helper()
	var p api.Problem
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("decode problem: %v: %s", err, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != api.ProblemContentType {
		t.Errorf("problem Content-Type = %q", ct)
	}
	return p
}

func (r resp) into(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode: %v: %s", err, r.Body)
	}
}

type client struct {
	t     testing.TB
	base  string
	token string
	http  *http.Client
}

func newClient(t testing.TB, ts *testserver.Server, token string) *client {
	return &client{t: t, base: ts.URL, token: token, http: &http.Client{}}
}

func (c *client) with(token string) *client {
	cp := *c
	cp.token = token
	return &cp
}

// do sends body (a []byte or string is sent as is, anything else as JSON).
func (c *client) do(method, path string, body any, headers ...string) resp {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", c.token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	out := resp{Status: res.StatusCode, Header: res.Header, Body: raw}
	if len(raw) > 0 && raw[0] == '{' {
		_ = json.Unmarshal(raw, &out.Obj)
	}
	return out
}

func (c *client) must(want int, method, path string, body any, headers ...string) resp {
	c.t.Helper()
	r := c.do(method, path, body, headers...)
	if r.Status != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	if want != http.StatusNoContent {
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			c.t.Fatalf("%s %s: Content-Type %q", method, path, ct)
		}
	}
	return r
}

// fail expects a problem with status and code.
func (c *client) fail(status int, code api.Code, method, path string, body any, headers ...string) api.Problem {
	c.t.Helper()
	r := c.do(method, path, body, headers...)
	if r.Status != status {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, status, r.Body)
	}
	var p api.Problem
	if err := json.Unmarshal(r.Body, &p); err != nil {
		c.t.Fatalf("decode problem: %v", err)
	}
	if p.Code != code {
		c.t.Fatalf("%s %s: code %q, want %q: %s", method, path, p.Code, code, r.Body)
	}
	if p.Message != p.Detail || p.Detail == "" || p.Status != status || p.RequestID == "" {
		c.t.Fatalf("problem incomplete: %s", r.Body)
	}
	if r.Header.Get("Content-Type") != api.ProblemContentType {
		c.t.Fatalf("problem Content-Type %q", r.Header.Get("Content-Type"))
	}
	return p
}

func (c *client) createToken(in api.TokenCreate) api.Token {
	c.t.Helper()
	var tok api.Token
	r := c.must(http.StatusCreated, "POST", api.PathTokens, in)
	if err := json.Unmarshal(r.Body, &tok); err != nil {
		c.t.Fatal(err)
	}
	return tok
}

// requireFields fails unless obj holds every name.
func requireFields(t *testing.T, obj map[string]any, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, ok := obj[n]; !ok {
			t.Errorf("field %q missing from %v", n, obj)
		}
	}
}

func forbidFields(t *testing.T, obj map[string]any, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, ok := obj[n]; ok {
			t.Errorf("field %q present in %v", n, obj)
		}
	}
}
