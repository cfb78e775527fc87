package client

import (
	"context"
	"net/http"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// CreateWorkspace creates a workspace.
func (c *Client) CreateWorkspace(ctx context.Context, in api.WorkspaceCreate) (*api.Workspace, error) {
	var out api.Workspace
	err := c.do(ctx, request{method: http.MethodPost, path: api.PathWorkspaces, body: in}, &out)
	return result(&out, err)
}

// GetWorkspace reads a workspace.
func (c *Client) GetWorkspace(ctx context.Context, id string) (*api.Workspace, error) {
	if err := requireID("workspace", id); err != nil {
		return nil, err
	}
	var out api.Workspace
	err := c.do(ctx, request{method: http.MethodGet, path: workspacePath(id)}, &out)
	return result(&out, err)
}

// ListWorkspaces lists workspaces; a non-empty name keeps only the workspace
// of exactly that name.
func (c *Client) ListWorkspaces(ctx context.Context, name string, o ListOptions) (*api.List[api.Workspace], error) {
	q := listQuery(o)
	if name != "" {
		q.Set("name", name)
	}
	var out api.List[api.Workspace]
	err := c.do(ctx, request{method: http.MethodGet, path: api.PathWorkspaces, query: q}, &out)
	return result(&out, err)
}

// PatchWorkspace applies a JSON Patch to a workspace.
func (c *Client) PatchWorkspace(ctx context.Context, id string, ops []api.PatchOperation) (*api.Workspace, error) {
	if err := requireID("workspace", id); err != nil {
		return nil, err
	}
	var out api.Workspace
	err := c.do(ctx, request{method: http.MethodPatch, path: workspacePath(id), body: patchBody(ops)}, &out)
	return result(&out, err)
}

// DeleteWorkspace deletes a workspace.
func (c *Client) DeleteWorkspace(ctx context.Context, id string) error {
	if err := requireID("workspace", id); err != nil {
		return err
	}
	return c.do(ctx, request{method: http.MethodDelete, path: workspacePath(id)}, nil)
}

// AddWorkspaceMember makes a member belong to a workspace.
func (c *Client) AddWorkspaceMember(ctx context.Context, wsID, memberID string) (*api.Workspace, error) {
	return c.workspaceMember(ctx, http.MethodPut, wsID, memberID)
}

// RemoveWorkspaceMember removes a member from a workspace.
func (c *Client) RemoveWorkspaceMember(ctx context.Context, wsID, memberID string) (*api.Workspace, error) {
	return c.workspaceMember(ctx, http.MethodDelete, wsID, memberID)
}

func (c *Client) workspaceMember(ctx context.Context, method, wsID, memberID string) (*api.Workspace, error) {
	if err := requireID("workspace", wsID); err != nil {
		return nil, err
	}
	if err := requireID("member", memberID); err != nil {
		return nil, err
	}
	var out api.Workspace
	err := c.do(ctx, request{method: method, path: workspacePath(wsID) + "/members/" + escape(memberID)}, &out)
	return result(&out, err)
}

// TransferWorkspace makes another member the owner of a workspace. Personal
// tokens of other members lose the workspace, except those of members ranked
// above the caller; the result counts them.
func (c *Client) TransferWorkspace(ctx context.Context, id, newOwnerID string) (*api.WorkspaceTransferResult, error) {
	if err := requireID("workspace", id); err != nil {
		return nil, err
	}
	if err := requireID("member", newOwnerID); err != nil {
		return nil, err
	}
	var out api.WorkspaceTransferResult
	err := c.do(ctx, request{method: http.MethodPost, path: workspacePath(id) + "/transfer", body: api.WorkspaceTransfer{OwnerID: newOwnerID}}, &out)
	return result(&out, err)
}

func workspacePath(id string) string { return api.PathWorkspaces + "/" + escape(id) }
