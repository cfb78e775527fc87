package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// Bootstrap names used on first start.
const (
	BootstrapOrgName       = "tokensmith"
	BootstrapOwnerEmail    = "owner@tokensmith.local"
	BootstrapWorkspaceName = "default"
	BootstrapTokenName     = "bootstrap owner token"
)

// Bootstrap initialises an empty store: the organisation, an owner member,
// a workspace named "default" and an owner token granted everything on every
// resource. When token is a well-formed token it becomes the owner token's
// secret; otherwise a new one is generated. On a store that already has an
// organisation it does nothing and returns created false.
func Bootstrap(ctx context.Context, st store.Store, h *secret.Hasher, now time.Time, token string) (secretValue string, created bool, err error) {
	if _, err := st.Organization(ctx); err == nil {
		return "", false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", false, fmt.Errorf("bootstrap: %w", err)
	}
	kind := secret.KindPersonal
	if token != "" {
		k, perr := secret.Parse(token)
		if perr != nil {
			token = ""
		} else {
			kind = k
		}
	}
	if token == "" {
		token, err = secret.Generate(kind)
		if err != nil {
			return "", false, fmt.Errorf("bootstrap: %w", err)
		}
	}
	now = now.UTC().Truncate(time.Millisecond)
	org := store.Organization{ID: newID(), Name: BootstrapOrgName, CreatedAt: now}
	owner := store.Member{ID: newID(), OrgID: org.ID, Email: BootstrapOwnerEmail, FirstName: "Owner", Role: "owner", CreatedAt: now, UpdatedAt: now}
	ws := store.Workspace{ID: newID(), OrgID: org.ID, Name: BootstrapWorkspaceName, OwnerID: owner.ID, MemberIDs: []string{owner.ID}, CreatedAt: now, UpdatedAt: now}
	tok := store.Token{
		ID: newID(), OrgID: org.ID, MemberID: owner.ID, Name: BootstrapTokenName,
		Service:           kind == secret.KindService,
		InlineRole:        []store.Statement{{Effect: "allow", Actions: []string{"*"}, Resources: []string{"*"}}},
		AllWorkspaces:     true,
		DefaultAPIVersion: DefaultAPIVersion,
		Digest:            h.Digest(token),
		LastFour:          secret.LastFour(token),
		CreatedAt:         now, UpdatedAt: now,
	}
	if err := st.Bootstrap(ctx, org, owner, ws, tok); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return "", false, nil
		}
		return "", false, fmt.Errorf("bootstrap: %w", err)
	}
	return token, true, nil
}
