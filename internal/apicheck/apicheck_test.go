package apicheck

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

const role = `{"_id":"r1","_links":{},"key":"k","name":"K","policy":[],"basePermissions":"no_access","tokenCount":0}`

// exchange runs one request through Handler in front of a server that
// answers status and body, and returns what the checker reported.
func exchange(t *testing.T, method, target, reqBody string, status int, contentType, body string) []error {
	t.Helper()
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	var got []error
	h := c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req")
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}), func(err error) { got = append(got, err) })
	req := httptest.NewRequest(method, target, strings.NewReader(reqBody))
	req.Header.Set("Authorization", "secret")
	if reqBody != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != status || rec.Body.String() != body {
		t.Fatalf("the checker changed the answer: %d %s", rec.Code, rec.Body)
	}
	return got
}

func TestCheckerAcceptsTheDocumentedShape(t *testing.T) {
	if errs := exchange(t, "GET", "/api/v2/roles/k", "", 200, "application/json", role); len(errs) > 0 {
		t.Fatalf("a documented answer was reported: %v", errs)
	}
	problem := `{"type":"about:blank","title":"Not Found","status":404,"detail":"x","code":"not_found","message":"x"}`
	if errs := exchange(t, "GET", "/api/v2/nothing", "", 404, "application/problem+json", problem); len(errs) > 0 {
		t.Fatalf("a 404 problem for an unknown path was reported: %v", errs)
	}
}

func TestCheckerReportsDrift(t *testing.T) {
	cases := map[string]struct {
		method, target, reqBody string
		status                  int
		contentType, body, want string
	}{
		"a field the document lacks": {"GET", "/api/v2/roles/k", "", 200, "application/json",
			strings.Replace(role, `"tokenCount":0`, `"tokenCount":0,"extra":1`, 1), `property "extra" is unsupported`},
		"a required field missing": {"GET", "/api/v2/roles/k", "", 200, "application/json",
			strings.Replace(role, `"basePermissions":"no_access",`, "", 1), `property "basePermissions" is missing`},
		"a field of the wrong type": {"GET", "/api/v2/roles/k", "", 200, "application/json",
			strings.Replace(role, `"no_access"`, `["API_READ"]`, 1), `/basePermissions`},
		"an undocumented status":         {"GET", "/api/v2/roles/k", "", 201, "application/json", role, "Content-Type has unexpected value"},
		"an error that is not a problem": {"GET", "/api/v2/roles/k", "", 404, "application/json", `{"error":"gone"}`, "Content-Type"},
		"a request the document refuses, accepted": {"POST", "/api/v2/roles", `{"key":"k","name":"K","bogus":1}`, 201,
			"application/json", role, "does not allow"},
		"an undocumented route answered": {"GET", "/api/v2/secret-things", "", 200, "application/json", `{}`, "not in the API document"},
	}
	for name, tc := range cases {
		errs := exchange(t, tc.method, tc.target, tc.reqBody, tc.status, tc.contentType, tc.body)
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) {
			t.Errorf("%s: reported %v, want one error containing %q", name, errs, tc.want)
		}
	}
}

// A token in a drifting response must not reach the test output.
func TestCheckerKeepsValuesOutOfMessages(t *testing.T) {
	const secret = "tsm_pat_0123456789abcdefghijklmnopqrstuv"
	body := `{"_id":"t","ownerId":"o","memberId":"m","creationDate":1,"lastModified":1,"serviceToken":false,` +
		`"defaultApiVersion":2,"_links":{},"allWorkspaces":true,"expired":false,"token":["` + secret + `"]}`
	errs := exchange(t, "GET", "/api/v2/tokens/t", "", 200, "application/json", body)
	if len(errs) != 1 {
		t.Fatalf("reported %v", errs)
	}
	if strings.Contains(errs[0].Error(), secret) {
		t.Fatalf("the report shows the secret: %v", errs[0])
	}
}

// The document's enums are the Go constants' values, so that neither can
// change alone.
func TestDocumentEnumsMatchTheAPI(t *testing.T) {
	doc, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	enum := func(schema string, prop ...string) []string {
		s := doc.Components.Schemas[schema].Value
		for _, p := range prop {
			s = s.Properties[p].Value
		}
		var out []string
		for _, v := range s.Enum {
			out = append(out, v.(string))
		}
		slices.Sort(out)
		return out
	}
	sorted := func(v []string) []string { return slices.Sorted(slices.Values(v)) }
	var codes []string
	for _, c := range api.Codes() {
		codes = append(codes, string(c))
	}
	for name, c := range map[string]struct{ doc, api []string }{
		"BasePermissions":  {enum("BasePermissions"), sorted(api.BasePermissions())},
		"TokenRole":        {enum("TokenRole"), sorted(api.TokenRoles())},
		"MemberRole":       {enum("MemberRole"), sorted(api.MemberRoles())},
		"Problem.code":     {enum("Problem", "code"), sorted(codes)},
		"Statement.effect": {enum("Statement", "effect"), sorted([]string{api.EffectAllow, api.EffectDeny})},
	} {
		if !slices.Equal(c.doc, c.api) {
			t.Errorf("%s: the document says %v, package api %v", name, c.doc, c.api)
		}
	}
	key := doc.Components.Schemas["CustomRoleCreate"].Value.Properties["key"].Value.Pattern
	if key != api.CustomRoleKeyPattern {
		t.Errorf("CustomRoleCreate.key pattern %q, package api %q", key, api.CustomRoleKeyPattern)
	}
}
