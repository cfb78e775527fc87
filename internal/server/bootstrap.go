package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
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
		return "", false, fmt.Errorf("bootstrap: reading the organisation: %w", err)
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
			return "", false, fmt.Errorf("bootstrap: generating the owner token: %w", err)
		}
	}
	now = now.UTC().Truncate(time.Millisecond)
	org := store.Organization{ID: newID(), Name: BootstrapOrgName, CreatedAt: now}
	owner := store.Member{ID: newID(), OrgID: org.ID, Email: BootstrapOwnerEmail, FirstName: "Owner", Role: api.RoleOwner, CreatedAt: now, UpdatedAt: now}
	ws := store.Workspace{ID: newID(), OrgID: org.ID, Name: BootstrapWorkspaceName, OwnerID: owner.ID, MemberIDs: []string{owner.ID}, CreatedAt: now, UpdatedAt: now}
	tok := ownerToken(org.ID, owner.ID, BootstrapTokenName, kind, h, token, now)
	if err := st.Bootstrap(ctx, org, owner, ws, tok); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return "", false, nil
		}
		return "", false, fmt.Errorf("bootstrap: creating the organisation: %w", err)
	}
	if afterBootstrapCommit != nil {
		afterBootstrapCommit()
	}
	return token, true, nil
}

// afterBootstrapCommit, when set (only in test builds, see crashpoint.go),
// runs once the first start's organisation and owner token are committed.
var afterBootstrapCommit func()

// ownerToken is the token the first start, and a recovery, gives an owner:
// everything on every resource in every workspace.
func ownerToken(orgID, memberID, name string, kind secret.Kind, h *secret.Hasher, value string, now time.Time) store.Token {
	return store.Token{
		ID: newID(), OrgID: orgID, MemberID: memberID, Name: name,
		Service:           kind == secret.KindService,
		InlineRole:        []api.Statement{{Effect: "allow", Actions: []string{"*"}, Resources: []string{"*"}}},
		AllWorkspaces:     true,
		DefaultAPIVersion: DefaultAPIVersion,
		Digest:            h.Digest(value),
		LastFour:          api.LastFour(value),
		CreatedAt:         now, UpdatedAt: now,
	}
}

// RecoveryTokenName names the tokens IssueOwnerToken makes.
const RecoveryTokenName = "recovered owner token"

// IssueOwnerToken gives the longest-standing owner of an initialised store
// a new owner token and returns its secret and the owner's email. It is
// the way back for whoever holds the data directory when no owner token is
// known (the first start's was lost, say); it bypasses the token quota and
// leaves an audit record.
func IssueOwnerToken(ctx context.Context, st store.Store, h *secret.Hasher, now time.Time) (secretValue, ownerEmail string, err error) {
	org, err := st.Organization(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return "", "", errors.New("the database holds no organisation yet: start tokensmithd to create it and its owner token")
	} else if err != nil {
		return "", "", fmt.Errorf("reading the organisation: %w", err)
	}
	members, err := st.ListMembers(ctx, org.ID)
	if err != nil {
		return "", "", err
	}
	var owner *store.Member
	for i, m := range members {
		if m.Role == api.RoleOwner && (owner == nil || m.CreatedAt.Before(owner.CreatedAt)) {
			owner = &members[i]
		}
	}
	if owner == nil {
		return "", "", errors.New("the organisation has no owner")
	}
	value, err := secret.Generate(secret.KindPersonal)
	if err != nil {
		return "", "", err
	}
	now = now.UTC().Truncate(time.Millisecond)
	tok := ownerToken(org.ID, owner.ID, RecoveryTokenName, secret.KindPersonal, h, value, now)
	if err := st.CreateToken(ctx, tok, store.Quota{}); err != nil {
		return "", "", err
	}
	if err := st.AppendAudit(ctx, store.AuditEvent{ID: newID(), OrgID: org.ID, Time: now, Action: "token.create",
		MemberID: owner.ID, TokenID: tok.ID, Target: "token/" + tok.ID, Detail: "issued by tokensmithd bootstrap-token"}); err != nil {
		return "", "", err
	}
	return value, owner.Email, nil
}
