package server

import (
	"context"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// timedStore times every store operation for tokensmith_store_operation_seconds.
// It is the store the server uses; the store it wraps is untouched.
type timedStore struct {
	store.Store
	m *metrics
}

func (s timedStore) Bootstrap(ctx context.Context, org store.Organization, owner store.Member, ws store.Workspace, tok store.Token) error {
	defer s.m.storeOp("Bootstrap", time.Now())
	return s.Store.Bootstrap(ctx, org, owner, ws, tok)
}

func (s timedStore) Organization(ctx context.Context) (store.Organization, error) {
	defer s.m.storeOp("Organization", time.Now())
	return s.Store.Organization(ctx)
}

func (s timedStore) CreateMember(ctx context.Context, m store.Member) error {
	defer s.m.storeOp("CreateMember", time.Now())
	return s.Store.CreateMember(ctx, m)
}

func (s timedStore) GetMember(ctx context.Context, orgID, id string) (store.Member, error) {
	defer s.m.storeOp("GetMember", time.Now())
	return s.Store.GetMember(ctx, orgID, id)
}

func (s timedStore) ListMembers(ctx context.Context, orgID string) ([]store.Member, error) {
	defer s.m.storeOp("ListMembers", time.Now())
	return s.Store.ListMembers(ctx, orgID)
}

func (s timedStore) UpdateMember(ctx context.Context, m store.Member) error {
	defer s.m.storeOp("UpdateMember", time.Now())
	return s.Store.UpdateMember(ctx, m)
}

func (s timedStore) DeleteMember(ctx context.Context, orgID, id string) error {
	defer s.m.storeOp("DeleteMember", time.Now())
	return s.Store.DeleteMember(ctx, orgID, id)
}

func (s timedStore) CreateWorkspace(ctx context.Context, w store.Workspace) error {
	defer s.m.storeOp("CreateWorkspace", time.Now())
	return s.Store.CreateWorkspace(ctx, w)
}

func (s timedStore) GetWorkspace(ctx context.Context, orgID, id string) (store.Workspace, error) {
	defer s.m.storeOp("GetWorkspace", time.Now())
	return s.Store.GetWorkspace(ctx, orgID, id)
}

func (s timedStore) GetWorkspaceByName(ctx context.Context, orgID, name string) (store.Workspace, error) {
	defer s.m.storeOp("GetWorkspaceByName", time.Now())
	return s.Store.GetWorkspaceByName(ctx, orgID, name)
}

func (s timedStore) ListWorkspaces(ctx context.Context, orgID string) ([]store.Workspace, error) {
	defer s.m.storeOp("ListWorkspaces", time.Now())
	return s.Store.ListWorkspaces(ctx, orgID)
}

func (s timedStore) UpdateWorkspace(ctx context.Context, w store.Workspace) error {
	defer s.m.storeOp("UpdateWorkspace", time.Now())
	return s.Store.UpdateWorkspace(ctx, w)
}

func (s timedStore) DeleteWorkspace(ctx context.Context, orgID, id string) error {
	defer s.m.storeOp("DeleteWorkspace", time.Now())
	return s.Store.DeleteWorkspace(ctx, orgID, id)
}

func (s timedStore) TransferWorkspace(ctx context.Context, orgID, id, newOwnerID string, spareRoles []string, now time.Time) (w store.Workspace, narrowed, revoked int, err error) {
	defer s.m.storeOp("TransferWorkspace", time.Now())
	return s.Store.TransferWorkspace(ctx, orgID, id, newOwnerID, spareRoles, now)
}

func (s timedStore) CreateCustomRole(ctx context.Context, r store.CustomRole) error {
	defer s.m.storeOp("CreateCustomRole", time.Now())
	return s.Store.CreateCustomRole(ctx, r)
}

func (s timedStore) GetCustomRole(ctx context.Context, orgID, keyOrID string) (store.CustomRole, error) {
	defer s.m.storeOp("GetCustomRole", time.Now())
	return s.Store.GetCustomRole(ctx, orgID, keyOrID)
}

func (s timedStore) ListCustomRoles(ctx context.Context, orgID string) ([]store.CustomRole, error) {
	defer s.m.storeOp("ListCustomRoles", time.Now())
	return s.Store.ListCustomRoles(ctx, orgID)
}

func (s timedStore) UpdateCustomRole(ctx context.Context, r store.CustomRole) error {
	defer s.m.storeOp("UpdateCustomRole", time.Now())
	return s.Store.UpdateCustomRole(ctx, r)
}

func (s timedStore) DeleteCustomRole(ctx context.Context, orgID, id string) error {
	defer s.m.storeOp("DeleteCustomRole", time.Now())
	return s.Store.DeleteCustomRole(ctx, orgID, id)
}

func (s timedStore) CountTokensUsingRole(ctx context.Context, orgID, id string) (int, error) {
	defer s.m.storeOp("CountTokensUsingRole", time.Now())
	return s.Store.CountTokensUsingRole(ctx, orgID, id)
}

func (s timedStore) CreateToken(ctx context.Context, t store.Token, q store.Quota) error {
	defer s.m.storeOp("CreateToken", time.Now())
	return s.Store.CreateToken(ctx, t, q)
}

func (s timedStore) GetToken(ctx context.Context, orgID, id string) (store.Token, error) {
	defer s.m.storeOp("GetToken", time.Now())
	return s.Store.GetToken(ctx, orgID, id)
}

func (s timedStore) GetTokenByDigest(ctx context.Context, digest []byte, now time.Time) (store.Token, error) {
	defer s.m.storeOp("GetTokenByDigest", time.Now())
	return s.Store.GetTokenByDigest(ctx, digest, now)
}

func (s timedStore) ListTokens(ctx context.Context, f store.TokenFilter) (items []store.Token, total int, err error) {
	defer s.m.storeOp("ListTokens", time.Now())
	return s.Store.ListTokens(ctx, f)
}

func (s timedStore) UpdateToken(ctx context.Context, t store.Token) error {
	defer s.m.storeOp("UpdateToken", time.Now())
	return s.Store.UpdateToken(ctx, t)
}

func (s timedStore) DeleteToken(ctx context.Context, orgID, id string) error {
	defer s.m.storeOp("DeleteToken", time.Now())
	return s.Store.DeleteToken(ctx, orgID, id)
}

func (s timedStore) DeleteMemberTokens(ctx context.Context, orgID, memberID string) (int, error) {
	defer s.m.storeOp("DeleteMemberTokens", time.Now())
	return s.Store.DeleteMemberTokens(ctx, orgID, memberID)
}

func (s timedStore) RecordLastUsed(ctx context.Context, used map[string]time.Time) error {
	defer s.m.storeOp("RecordLastUsed", time.Now())
	return s.Store.RecordLastUsed(ctx, used)
}

func (s timedStore) PurgeIdempotent(ctx context.Context, cutoff time.Time) error {
	defer s.m.storeOp("PurgeIdempotent", time.Now())
	return s.Store.PurgeIdempotent(ctx, cutoff)
}

func (s timedStore) AppendAudit(ctx context.Context, e store.AuditEvent) error {
	defer s.m.storeOp("AppendAudit", time.Now())
	return s.Store.AppendAudit(ctx, e)
}

func (s timedStore) ListAudit(ctx context.Context, orgID string, limit, offset int) ([]store.AuditEvent, int, error) {
	defer s.m.storeOp("ListAudit", time.Now())
	return s.Store.ListAudit(ctx, orgID, limit, offset)
}

func (s timedStore) RecordUsage(ctx context.Context, counts []store.UsageCount) error {
	defer s.m.storeOp("RecordUsage", time.Now())
	return s.Store.RecordUsage(ctx, counts)
}

func (s timedStore) TokenUsage(ctx context.Context, tokenID string, since time.Time) ([]store.UsageCount, error) {
	defer s.m.storeOp("TokenUsage", time.Now())
	return s.Store.TokenUsage(ctx, tokenID, since)
}

func (s timedStore) PurgeUsage(ctx context.Context, cutoff time.Time) error {
	defer s.m.storeOp("PurgeUsage", time.Now())
	return s.Store.PurgeUsage(ctx, cutoff)
}
