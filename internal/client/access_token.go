package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// CreateToken creates an access token. The answer holds the whole secret in
// Token; it is never shown again.
func (c *Client) CreateToken(ctx context.Context, in api.TokenCreate, o WriteOptions) (*api.Token, error) {
	var out api.Token
	err := c.do(ctx, request{method: http.MethodPost, path: api.PathTokens, query: writeQuery(o), body: in}, &out)
	return result(&out, err)
}

// GetToken reads a token; Token holds its last four characters.
func (c *Client) GetToken(ctx context.Context, id string) (*api.Token, error) {
	if err := requireID("token", id); err != nil {
		return nil, err
	}
	var out api.Token
	err := c.do(ctx, request{method: http.MethodGet, path: api.PathTokens + "/" + escape(id)}, &out)
	return result(&out, err)
}

// TokenUsage reads how often a token was used on each of the last
// api.UsageDays days.
func (c *Client) TokenUsage(ctx context.Context, id string) (*api.TokenUsage, error) {
	if err := requireID("token", id); err != nil {
		return nil, err
	}
	var out api.TokenUsage
	err := c.do(ctx, request{method: http.MethodGet, path: api.PathTokens + "/" + escape(id) + "/usage"}, &out)
	return result(&out, err)
}

// ListTokens lists the caller's tokens, or every member's with showAll.
func (c *Client) ListTokens(ctx context.Context, showAll bool, o ListOptions) (*api.List[api.Token], error) {
	q := listQuery(o)
	if showAll {
		q.Set("showAll", "true")
	}
	var out api.List[api.Token]
	err := c.do(ctx, request{method: http.MethodGet, path: api.PathTokens, query: q}, &out)
	return result(&out, err)
}

// PatchToken applies a JSON Patch to a token.
func (c *Client) PatchToken(ctx context.Context, id string, ops []api.PatchOperation, o WriteOptions) (*api.Token, error) {
	if err := requireID("token", id); err != nil {
		return nil, err
	}
	var out api.Token
	err := c.do(ctx, request{method: http.MethodPatch, path: api.PathTokens + "/" + escape(id), query: writeQuery(o), body: patchBody(ops)}, &out)
	return result(&out, err)
}

// ResetToken issues a new secret for a token, returned whole in Token. The
// old secret keeps working until oldExpiry; the zero time stops it at once.
func (c *Client) ResetToken(ctx context.Context, id string, oldExpiry time.Time, o WriteOptions) (*api.Token, error) {
	return c.resetToken(ctx, id, api.TokenReset{}, oldExpiry, o)
}

// ResetTokenTo makes value, a secret the caller generated, the new secret of
// a token (where the server allows client-supplied secrets). The answer's
// Token holds its last four characters only.
func (c *Client) ResetTokenTo(ctx context.Context, id, value string, oldExpiry time.Time, o WriteOptions) (*api.Token, error) {
	return c.resetToken(ctx, id, api.TokenReset{Secret: value}, oldExpiry, o)
}

func (c *Client) resetToken(ctx context.Context, id string, body api.TokenReset, oldExpiry time.Time, o WriteOptions) (*api.Token, error) {
	if err := requireID("token", id); err != nil {
		return nil, err
	}
	if !oldExpiry.IsZero() {
		body.Expiry = oldExpiry.UnixMilli()
	}
	var out api.Token
	err := c.do(ctx, request{method: http.MethodPost, path: api.PathTokens + "/" + escape(id) + "/reset", query: writeQuery(o), body: body}, &out)
	return result(&out, err)
}

// DeleteToken deletes a token.
func (c *Client) DeleteToken(ctx context.Context, id string) error {
	if err := requireID("token", id); err != nil {
		return err
	}
	return c.do(ctx, request{method: http.MethodDelete, path: api.PathTokens + "/" + escape(id)}, nil)
}

// TokenBulkFilter narrows DeleteMemberTokens. The zero value deletes every
// token of the member.
type TokenBulkFilter struct {
	// ServiceToken, when set, deletes only service tokens (true) or only
	// personal tokens (false).
	ServiceToken *bool
	// WorkspaceID, when set, deletes only tokens whose scope reaches that
	// workspace.
	WorkspaceID string
}

// DeleteMemberTokens deletes a member's tokens at once, atomically, and
// returns how many went.
func (c *Client) DeleteMemberTokens(ctx context.Context, memberID string, f TokenBulkFilter) (*api.TokenBulkDeleteResult, error) {
	if err := requireID("member", memberID); err != nil {
		return nil, err
	}
	q := url.Values{"memberId": {memberID}}
	if f.ServiceToken != nil {
		q.Set("serviceToken", strconv.FormatBool(*f.ServiceToken))
	}
	if f.WorkspaceID != "" {
		q.Set("workspaceId", f.WorkspaceID)
	}
	var out api.TokenBulkDeleteResult
	err := c.do(ctx, request{method: http.MethodDelete, path: api.PathTokens, query: q}, &out)
	return result(&out, err)
}

// patchBody sends an empty patch as [] rather than null.
func patchBody(ops []api.PatchOperation) []api.PatchOperation {
	if ops == nil {
		return []api.PatchOperation{}
	}
	return ops
}

func result[T any](v *T, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	return v, nil
}
