// Package apicheck checks HTTP traffic against the published API document
// (api.OpenAPIDocument) with kin-openapi's request and response validation.
// Tests install it between a client and the real server, so that a handler
// whose answer drifts from the document fails the test that provoked it.
//
// The rules:
//   - every response must be one the document describes for its operation:
//     status, headers, media type and body;
//   - a request the document does not allow (an unknown field, a missing
//     token, a bad query parameter) must be refused with a 4xx problem; a
//     2xx answer to it means the server accepts something undocumented;
//   - a request to a path and method the document does not list must be
//     answered 404 or 405 with a problem document.
package apicheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// Load parses and validates the published document.
func Load() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPIDocument())
	if err != nil {
		return nil, fmt.Errorf("the API document does not parse: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("the API document is not valid OpenAPI: %w", err)
	}
	return doc, nil
}

// Checker checks requests and responses against the document.
type Checker struct {
	doc    *openapi3.T
	router routers.Router
	// problem validates the bodies of answers to undocumented routes.
	problem *openapi3.Schema
}

var shared = sync.OnceValues(func() (*Checker, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	// The router matches paths only; the server may listen anywhere.
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	ref := doc.Components.Schemas["Problem"]
	if ref == nil || ref.Value == nil {
		return nil, errors.New("the API document defines no Problem schema")
	}
	return &Checker{doc: doc, router: router, problem: ref.Value}, nil
})

// New returns the checker of the published document. It is built once and
// shared: it holds no state between requests.
func New() (*Checker, error) { return shared() }

// Exchange is one request with its body and the answer to it.
type Exchange struct {
	Request      *http.Request
	RequestBody  []byte
	Status       int
	Header       http.Header
	ResponseBody []byte
}

// Check returns every way e departs from the document, or nil.
func (c *Checker) Check(e Exchange) error {
	// HEAD has no body to check; the console is HTML for people, outside
	// the API and its document.
	if e.Request.Method == http.MethodHead || strings.HasPrefix(e.Request.URL.Path, api.PathConsole) {
		return nil
	}
	req := e.Request.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(e.RequestBody))
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		return c.checkUndocumented(e)
	}
	in := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: hasToken, MultiError: true, SchemaValidationOptions: noValues},
	}
	var errs []error
	if reqErr := openapi3filter.ValidateRequest(context.Background(), in); reqErr != nil && e.Status < 400 {
		errs = append(errs, fmt.Errorf("the server answered %d to a request the document does not allow: %w", e.Status, reqErr))
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 e.Status,
		Header:                 e.Header,
		Body:                   io.NopCloser(bytes.NewReader(e.ResponseBody)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, SchemaValidationOptions: noValues},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		errs = append(errs, fmt.Errorf("the response departs from the document: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%s %s (%s), answered %d: %w", e.Request.Method, e.Request.URL.Path, route.Operation.OperationID, e.Status, err)
	}
	return nil
}

func (c *Checker) checkUndocumented(e Exchange) error {
	if e.Status != http.StatusNotFound && e.Status != http.StatusMethodNotAllowed {
		return fmt.Errorf("%s %s is not in the API document, but the server answered %d", e.Request.Method, e.Request.URL.Path, e.Status)
	}
	if ct := e.Header.Get("Content-Type"); ct != api.ProblemContentType {
		return fmt.Errorf("%s %s: the %d answer has Content-Type %q, want %s", e.Request.Method, e.Request.URL.Path, e.Status, ct, api.ProblemContentType)
	}
	var v any
	err := json.Unmarshal(e.ResponseBody, &v)
	if err == nil {
		err = c.problem.VisitJSON(v, noValues...)
	}
	if err != nil {
		return fmt.Errorf("%s %s: the %d answer is not a problem document of the API document: %w", e.Request.Method, e.Request.URL.Path, e.Status, err)
	}
	return nil
}

// noValues keeps the values that failed out of error messages: a response
// body may hold a whole token, and test output must never show one.
var noValues = []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()}

// hasToken stands in for authentication: the document says which
// operations need a token, the server decides whether it is a good one.
func hasToken(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if strings.TrimSpace(in.RequestValidationInput.Request.Header.Get(in.SecurityScheme.Name)) == "" {
		return fmt.Errorf("no %s header", in.SecurityScheme.Name)
	}
	return nil
}

// Handler serves next and reports, through fail, every exchange that
// departs from the document. The answer reaches the client unchanged.
func (c *Checker) Handler(next http.Handler, fail func(error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "apicheck: reading the request body: "+err.Error(), http.StatusInternalServerError)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		res := rec.Result()
		if err := c.Check(Exchange{Request: r, RequestBody: body, Status: res.StatusCode, Header: res.Header, ResponseBody: rec.Body.Bytes()}); err != nil {
			fail(err)
		}
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// RoundTripper sends requests through next and reports, through fail,
// every exchange that departs from the document: the client side of
// Handler, for servers running in another process.
func (c *Checker) RoundTripper(next http.RoundTripper, fail func(error)) http.RoundTripper {
	return roundTripper{c: c, next: next, fail: fail}
}

type roundTripper struct {
	c    *Checker
	next http.RoundTripper
	fail func(error)
}

func (t roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return nil, err
		}
		_ = r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	res, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(out))
	if err := t.c.Check(Exchange{Request: r, RequestBody: body, Status: res.StatusCode, Header: res.Header, ResponseBody: out}); err != nil {
		t.fail(err)
	}
	return res, nil
}
