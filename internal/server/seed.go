package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// SetTokenSecret makes value the secret of the token with id, replacing the
// one the server generated. It exists to seed throwaway backends with
// secrets a test knows in advance (tokensmithd --fixture with --in-memory);
// the API itself never accepts a secret from a client.
func (s *Server) SetTokenSecret(ctx context.Context, id, value string) error {
	kind, err := secret.Parse(value)
	if err != nil {
		return err
	}
	t, err := s.store.GetToken(ctx, s.orgID, id)
	if err != nil {
		return fmt.Errorf("token %s: %w", id, err)
	}
	if t.Service != (kind == secret.KindService) {
		return fmt.Errorf("token %s: the secret is of the wrong kind (%s)", id, kind)
	}
	t.Digest, t.LastFour = s.hasher.Digest(value), secret.LastFour(value)
	t.PrevDigest, t.PrevExpiresAt = nil, nil
	if err := s.store.UpdateToken(ctx, t); errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("token %s: another token already has this secret", id)
	} else if err != nil {
		return fmt.Errorf("token %s: %w", id, err)
	}
	s.auth.invalidate()
	return nil
}

// Now is the server's clock: the wall clock, or its test clock.
func (s *Server) Now() time.Time { return s.now() }
