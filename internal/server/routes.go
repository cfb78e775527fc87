package server

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// routes is the one place that lists every endpoint of the API.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	var methods []string
	// handle registers a route with the query parameters it takes; any other
	// is refused, so a misspelt ?showall or ?dryrun is reported instead of
	// silently changing what the request does. dryRun is left to the
	// adapter, which explains where it is honoured.
	handle := func(pattern string, h http.Handler, query ...queryParam) {
		if m, _, ok := strings.Cut(pattern, " "); ok && !slices.Contains(methods, m) {
			methods = append(methods, m)
		}
		s.patterns = append(s.patterns, pattern)
		mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			info(r.Context()).route = pattern
			info(r.Context()).query = query
			for k := range r.URL.Query() {
				if k != "dryRun" && pattern != "/" && !slices.ContainsFunc(query, func(p queryParam) bool { return p.name == k }) {
					takes := "none"
					if len(query) > 0 {
						names := make([]string, len(query))
						for i, p := range query {
							names[i] = p.name
						}
						takes = strings.Join(names, ", ")
					}
					s.writeError(w, r, invalid(k, "%s is not a query parameter of %s (it takes: %s)", k, pattern, takes))
					return
				}
			}
			h.ServeHTTP(w, r)
		}))
	}
	limit, offset := limitParam, offsetParam
	auth := s.authenticated
	created, ok, deleted := http.StatusCreated, http.StatusOK, http.StatusNoContent

	handle("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
	}))

	handle("GET /readyz", http.HandlerFunc(s.ready))

	handle("GET "+api.PathOpenAPI, http.HandlerFunc(s.openAPIDocument))

	handle("GET "+api.PathTokens, auth(endpoint(s, ok, s.listTokens)),
		boolParam("showAll", "showAll must be true or false"), daysParam("unusedFor", maxUnusedForDays), limit, offset)
	handle("POST "+api.PathTokens, auth(dryRunEndpoint(s, created, s.createToken)), textParam(api.QueryReplaces))
	handle("DELETE "+api.PathTokens, auth(endpoint(s, ok, s.deleteMemberTokens)),
		textParam("memberId"), boolParam("serviceToken", "serviceToken must be true (only service tokens) or false (only personal tokens)"), textParam("workspaceId"))
	handle("GET "+api.PathTokens+"/{id}", auth(endpoint(s, ok, s.getToken)))
	handle("PATCH "+api.PathTokens+"/{id}", auth(dryRunEndpoint(s, ok, s.patchToken)))
	handle("DELETE "+api.PathTokens+"/{id}", auth(endpoint(s, deleted, s.deleteToken)))
	handle("POST "+api.PathTokens+"/{id}/reset", auth(dryRunEndpoint(s, ok, s.resetToken)), intParam("expiry", 0, math.MaxInt64, "expiry must be Unix milliseconds"))
	handle("GET "+api.PathTokens+"/{id}/usage", auth(endpoint(s, ok, s.tokenUsage)))

	handle("GET "+api.PathRoles, auth(endpoint(s, ok, s.listRoles)), limit, offset)
	handle("POST "+api.PathRoles, auth(dryRunEndpoint(s, created, s.createRole)))
	handle("GET "+api.PathRoles+"/{keyOrId}", auth(endpoint(s, ok, s.getRole)))
	handle("PATCH "+api.PathRoles+"/{keyOrId}", auth(dryRunEndpoint(s, ok, s.patchRole)))
	handle("DELETE "+api.PathRoles+"/{keyOrId}", auth(endpoint(s, deleted, s.deleteRole)))

	handle("GET "+api.PathWorkspaces, auth(endpoint(s, ok, s.listWorkspaces)), textParam("name"), limit, offset)
	handle("POST "+api.PathWorkspaces, auth(endpoint(s, created, s.createWorkspace)))
	handle("GET "+api.PathWorkspaces+"/{id}", auth(endpoint(s, ok, s.getWorkspace)))
	handle("PATCH "+api.PathWorkspaces+"/{id}", auth(endpoint(s, ok, s.patchWorkspace)))
	handle("DELETE "+api.PathWorkspaces+"/{id}", auth(endpoint(s, deleted, s.deleteWorkspace)))
	handle("PUT "+api.PathWorkspaces+"/{id}/members/{memberId}", auth(endpoint(s, ok, s.addWorkspaceMember)))
	handle("DELETE "+api.PathWorkspaces+"/{id}/members/{memberId}", auth(endpoint(s, ok, s.removeWorkspaceMember)))
	handle("POST "+api.PathWorkspaces+"/{id}/transfer", auth(endpoint(s, ok, s.transferWorkspace)))

	handle("GET "+api.PathMembers, auth(endpoint(s, ok, s.listMembers)), limit, offset, textParam("email"))
	handle("POST "+api.PathMembers, auth(endpoint(s, created, s.createMember)))
	handle("GET "+api.PathMembers+"/{id}", auth(endpoint(s, ok, s.getMember)))
	handle("PATCH "+api.PathMembers+"/{id}", auth(endpoint(s, ok, s.patchMember)))
	handle("DELETE "+api.PathMembers+"/{id}", auth(endpoint(s, deleted, s.deleteMember)))

	handle("POST "+api.PathMemberPassword, auth(endpoint(s, deleted, s.setMemberPassword)))

	handle("GET "+api.PathPermissions, auth(endpoint(s, ok, s.listPermissions)), limit, offset)
	handle("GET "+api.PathObjects, auth(endpoint(s, ok, s.listObjects)), limit, offset)
	handle("GET "+api.PathCallerIdentity, auth(endpoint(s, ok, s.callerIdentity)))
	handle("GET "+api.PathAuditLog, auth(endpoint(s, ok, s.listAudit)), limit, offset)
	handle("POST "+api.PathIntrospect, auth(http.HandlerFunc(s.introspect)))
	handle("GET "+api.PathMetrics, auth(http.HandlerFunc(s.serveMetrics)))
	handle("POST "+api.PathAuthorize, auth(readOnly(endpoint(s, ok, s.authorize))))
	if s.cfg.TestClock != nil {
		handle("POST "+api.PathTestClock, auth(endpoint(s, ok, s.setTestClock)))
	}

	// The console is HTML for people, not part of the API: it is mounted
	// outside handle, so Routes and the API document leave it out.
	if s.cfg.Console != nil {
		console := s.cfg.Console(s)
		mux.Handle(ConsolePath, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			info(r.Context()).route = ConsolePath
			console.ServeHTTP(w, r)
		}))
	}

	// Everything else lands here. A path that exists with other methods is a
	// 405 listing them, as a problem document like every other error.
	handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if allow := allowedMethods(mux, r, methods); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			s.writeError(w, r, &Error{Code: api.CodeMethodNotAllowed,
				Detail: fmt.Sprintf("%s is not allowed on %s; use %s", r.Method, r.URL.Path, strings.Join(allow, ", "))})
			return
		}
		s.writeError(w, r, notFound("no endpoint %s %s", r.Method, r.URL.Path))
	}))
	return mux
}

// allowedMethods lists the methods with a route for r's path, asking the mux
// itself so the answer can never disagree with the routing.
func allowedMethods(mux *http.ServeMux, r *http.Request, methods []string) []string {
	var allow []string
	for _, m := range methods {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" {
			allow = append(allow, m)
			if m == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
	}
	slices.Sort(allow)
	return allow
}
