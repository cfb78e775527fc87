package client

import (
	"context"
	"net/http"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// CreateCustomRole creates a custom role.
func (c *Client) CreateCustomRole(ctx context.Context, in api.CustomRoleCreate, o WriteOptions) (*api.CustomRole, error) {
	var out api.CustomRole
	err := c.do(ctx, request{method: http.MethodPost, path: api.PathRoles, query: writeQuery(o), body: in}, &out)
	return result(&out, err)
}

// GetCustomRole reads a custom role by key or id.
func (c *Client) GetCustomRole(ctx context.Context, keyOrID string) (*api.CustomRole, error) {
	if err := requireID("custom role", keyOrID); err != nil {
		return nil, err
	}
	var out api.CustomRole
	err := c.do(ctx, request{method: http.MethodGet, path: api.PathRoles + "/" + escape(keyOrID)}, &out)
	return result(&out, err)
}

// ListCustomRoles lists custom roles.
func (c *Client) ListCustomRoles(ctx context.Context, o ListOptions) (*api.List[api.CustomRole], error) {
	var out api.List[api.CustomRole]
	err := c.do(ctx, request{method: http.MethodGet, path: api.PathRoles, query: listQuery(o)}, &out)
	return result(&out, err)
}

// PatchCustomRole applies a JSON Patch to a custom role.
func (c *Client) PatchCustomRole(ctx context.Context, keyOrID string, ops []api.PatchOperation, o WriteOptions) (*api.CustomRole, error) {
	if err := requireID("custom role", keyOrID); err != nil {
		return nil, err
	}
	var out api.CustomRole
	err := c.do(ctx, request{method: http.MethodPatch, path: api.PathRoles + "/" + escape(keyOrID), query: writeQuery(o), body: patchBody(ops)}, &out)
	return result(&out, err)
}

// DeleteCustomRole deletes a custom role; the server refuses (conflict) while
// tokens use it.
func (c *Client) DeleteCustomRole(ctx context.Context, keyOrID string) error {
	if err := requireID("custom role", keyOrID); err != nil {
		return err
	}
	return c.do(ctx, request{method: http.MethodDelete, path: api.PathRoles + "/" + escape(keyOrID)}, nil)
}
