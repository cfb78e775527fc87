package server

import (
	"context"
	"fmt"
	"time"
)

// SetTokenSecret makes value the secret of the token with id, replacing the
// one the server generated. It exists to seed throwaway backends with
// secrets a test knows in advance (tokensmithd --fixture with --in-memory),
// whatever Config.AllowClientSecrets says, with the same checks as a secret
// a client supplies through the API (client_secret.go).
func (s *Server) SetTokenSecret(ctx context.Context, id, value string) error {
	t, err := s.store.GetToken(ctx, s.orgID, id)
	if err != nil {
		return fmt.Errorf("token %s: %w", id, err)
	}
	sec, err := s.checkSuppliedSecret("secret", value, kindOf(t))
	if err != nil {
		return fmt.Errorf("token %s: %w", id, err)
	}
	t.Digest, t.LastFour = sec.digest, sec.lastFour
	t.PrevDigest, t.PrevExpiresAt = nil, nil
	if err := s.store.UpdateToken(ctx, t); err != nil {
		return fmt.Errorf("token %s: %w", id, sec.stored("secret", err))
	}
	s.auth.invalidate()
	return nil
}

// Now is the server's clock: the wall clock, or its test clock.
func (s *Server) Now() time.Time { return s.now() }
