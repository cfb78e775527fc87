package server_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/apicheck"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// Every route of routes.go is in the published document and every
// operation of the document is a route.
func TestRoutesMatchTheDocument(t *testing.T) {
	// With the test clock, so that its route is registered too.
	ts := testserver.New(t, testserver.WithTestClockEndpoint())
	doc, err := apicheck.Load()
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]bool{}
	for _, p := range ts.Backend.Routes() {
		if method, path, ok := strings.Cut(p, " "); ok {
			routes[method+" "+path] = true
		} else if p != "/" {
			t.Errorf("route %q has no method", p)
		}
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	for _, r := range slices.Sorted(maps.Keys(routes)) {
		if !documented[r] {
			t.Errorf("route %s is not in internal/api/openapi.yaml", r)
		}
	}
	for _, d := range slices.Sorted(maps.Keys(documented)) {
		if !routes[d] {
			t.Errorf("internal/api/openapi.yaml documents %s, which routes.go does not serve", d)
		}
	}
	if len(routes) < 30 {
		t.Fatalf("only %d routes found: %v", len(routes), ts.Backend.Routes())
	}
}

// The document is served, without a token, as the JSON form of the file in
// the repository.
func TestOpenAPIDocumentServed(t *testing.T) {
	ts := testserver.New(t)
	r := newClient(t, ts, "").must(http.StatusOK, "GET", api.PathOpenAPI, nil)
	served, err := openapi3.NewLoader().LoadFromData(r.Body)
	if err != nil {
		t.Fatalf("the served document does not load: %v", err)
	}
	kept, err := apicheck.Load()
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(served)
	b, _ := json.Marshal(kept)
	if string(a) != string(b) {
		t.Fatalf("the served document differs from internal/api/openapi.yaml")
	}
	if served.Paths.Find(api.PathRoles+"/{keyOrId}") == nil || served.Components.Schemas["CustomRole"] == nil {
		t.Fatalf("the served document lacks the roles: %s", r.Body[:200])
	}
}

// The console is mounted beside the API, not in it: no route of Routes and
// no path of the document is under it, and the API's fallback does not
// answer for it.
func TestConsoleIsNotAnAPIRoute(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) {
		cfg.Console = func(*server.Server) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
		}
	}))
	for _, p := range ts.Backend.Routes() {
		if strings.Contains(p, api.PathConsole) {
			t.Errorf("route %q is under the console", p)
		}
	}
	doc, err := apicheck.Load()
	if err != nil {
		t.Fatal(err)
	}
	for path := range doc.Paths.Map() {
		if strings.HasPrefix(path, api.PathConsole) {
			t.Errorf("the API document has the console path %s", path)
		}
	}
	res, err := http.Get(ts.URL + api.PathConsole + "tokens")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTeapot {
		t.Fatalf("GET %stokens answered %d, not the console's answer", api.PathConsole, res.StatusCode)
	}
}
