package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// CreateMember adds a member to the organisation.
func (c *Client) CreateMember(ctx context.Context, in api.MemberCreate) (*api.Member, error) {
	var out api.Member
	err := c.do(ctx, request{method: http.MethodPost, path: api.PathMembers, body: in}, &out)
	return result(&out, err)
}

// GetMember reads a member.
func (c *Client) GetMember(ctx context.Context, id string) (*api.Member, error) {
	if err := requireID("member", id); err != nil {
		return nil, err
	}
	var out api.Member
	err := c.do(ctx, request{method: http.MethodGet, path: api.PathMembers + "/" + escape(id)}, &out)
	return result(&out, err)
}

// ListMembers lists the organisation's members.
func (c *Client) ListMembers(ctx context.Context, o ListOptions) (*api.List[api.Member], error) {
	var out api.List[api.Member]
	err := c.do(ctx, request{method: http.MethodGet, path: api.PathMembers, query: listQuery(o)}, &out)
	return result(&out, err)
}

// ListMembersWithEmail lists the members whose email is email, compared
// without regard to case: one member, or none.
func (c *Client) ListMembersWithEmail(ctx context.Context, email string) (*api.List[api.Member], error) {
	var out api.List[api.Member]
	err := c.do(ctx, request{method: http.MethodGet, path: api.PathMembers, query: url.Values{"email": {email}}}, &out)
	return result(&out, err)
}

// PatchMember applies a JSON Patch to a member.
func (c *Client) PatchMember(ctx context.Context, id string, ops []api.PatchOperation) (*api.Member, error) {
	if err := requireID("member", id); err != nil {
		return nil, err
	}
	var out api.Member
	err := c.do(ctx, request{method: http.MethodPatch, path: api.PathMembers + "/" + escape(id), body: patchBody(ops)}, &out)
	return result(&out, err)
}

// DeleteMember removes a member from the organisation.
func (c *Client) DeleteMember(ctx context.Context, id string) error {
	if err := requireID("member", id); err != nil {
		return err
	}
	return c.do(ctx, request{method: http.MethodDelete, path: api.PathMembers + "/" + escape(id)}, nil)
}
