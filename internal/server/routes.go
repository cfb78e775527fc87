package server

import (
	"net/http"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// routes is the one place that lists every endpoint of the API.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h http.Handler) {
		mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			info(r.Context()).route = pattern
			h.ServeHTTP(w, r)
		}))
	}
	auth := s.authenticated
	created, ok, deleted := http.StatusCreated, http.StatusOK, http.StatusNoContent

	handle("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
	}))

	handle("GET "+api.PathTokens, auth(endpoint(s, ok, s.listTokens)))
	handle("POST "+api.PathTokens, auth(endpoint(s, created, s.createToken)))
	handle("DELETE "+api.PathTokens, auth(endpoint(s, deleted, s.deleteMemberTokens)))
	handle("GET "+api.PathTokens+"/{id}", auth(endpoint(s, ok, s.getToken)))
	handle("PATCH "+api.PathTokens+"/{id}", auth(endpoint(s, ok, s.patchToken)))
	handle("DELETE "+api.PathTokens+"/{id}", auth(endpoint(s, deleted, s.deleteToken)))
	handle("POST "+api.PathTokens+"/{id}/reset", auth(endpoint(s, ok, s.resetToken)))

	handle("GET "+api.PathRoles, auth(endpoint(s, ok, s.listRoles)))
	handle("POST "+api.PathRoles, auth(endpoint(s, created, s.createRole)))
	handle("GET "+api.PathRoles+"/{keyOrId}", auth(endpoint(s, ok, s.getRole)))
	handle("PATCH "+api.PathRoles+"/{keyOrId}", auth(endpoint(s, ok, s.patchRole)))
	handle("DELETE "+api.PathRoles+"/{keyOrId}", auth(endpoint(s, deleted, s.deleteRole)))

	handle("GET "+api.PathWorkspaces, auth(endpoint(s, ok, s.listWorkspaces)))
	handle("POST "+api.PathWorkspaces, auth(endpoint(s, created, s.createWorkspace)))
	handle("GET "+api.PathWorkspaces+"/{id}", auth(endpoint(s, ok, s.getWorkspace)))
	handle("PATCH "+api.PathWorkspaces+"/{id}", auth(endpoint(s, ok, s.patchWorkspace)))
	handle("DELETE "+api.PathWorkspaces+"/{id}", auth(endpoint(s, deleted, s.deleteWorkspace)))
	handle("PUT "+api.PathWorkspaces+"/{id}/members/{memberId}", auth(endpoint(s, ok, s.addWorkspaceMember)))
	handle("DELETE "+api.PathWorkspaces+"/{id}/members/{memberId}", auth(endpoint(s, ok, s.removeWorkspaceMember)))
	handle("POST "+api.PathWorkspaces+"/{id}/transfer", auth(endpoint(s, ok, s.transferWorkspace)))

	handle("GET "+api.PathMembers, auth(endpoint(s, ok, s.listMembers)))
	handle("POST "+api.PathMembers, auth(endpoint(s, created, s.createMember)))
	handle("GET "+api.PathMembers+"/{id}", auth(endpoint(s, ok, s.getMember)))
	handle("PATCH "+api.PathMembers+"/{id}", auth(endpoint(s, ok, s.patchMember)))
	handle("DELETE "+api.PathMembers+"/{id}", auth(endpoint(s, deleted, s.deleteMember)))

	handle("GET "+api.PathPermissions, auth(endpoint(s, ok, s.listPermissions)))
	handle("GET "+api.PathCallerIdentity, auth(endpoint(s, ok, s.callerIdentity)))
	handle("GET "+api.PathAuditLog, auth(endpoint(s, ok, s.listAudit)))

	handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, notFound("no endpoint %s %s", r.Method, r.URL.Path))
	}))
	return mux
}
