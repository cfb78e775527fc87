package server

// ForgetCallers drops every cached authentication, so the next request of
// each token is checked against the store again. Call it when another
// process sharing the store has changed a token, a member, a role or a
// workspace.
func (s *Server) ForgetCallers() { s.auth.invalidate() }
