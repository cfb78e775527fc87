package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// maxPages stops a list on a server whose next links never end.
const maxPages = 1000

// ListPermissions returns the whole permission catalogue, following the
// list's next links.
func (c *Client) ListPermissions(ctx context.Context) ([]api.Permission, error) {
	return listAll[api.Permission](ctx, c, api.PathPermissions, "permission")
}

// ListPermissionObjects returns every object of the catalogue with its
// access levels, following the list's next links.
func (c *Client) ListPermissionObjects(ctx context.Context) ([]api.AccessObject, error) {
	return listAll[api.AccessObject](ctx, c, api.PathObjects, "permission object")
}

// listAll reads every page of the list at path; what names it in errors.
func listAll[T any](ctx context.Context, c *Client, path, what string) ([]T, error) {
	u := *c.base
	u.Path = c.base.Path + path
	next := u.String()
	seen := map[string]bool{}
	var all []T
	for page := 0; next != ""; page++ {
		if page == maxPages || seen[next] {
			return nil, fmt.Errorf("client: %s list does not end after %d pages", what, page)
		}
		seen[next] = true
		var out api.List[T]
		if err := c.doURL(ctx, http.MethodGet, next, nil, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Items...)
		href := out.Links["next"].Href
		if href == "" || len(out.Items) == 0 {
			break
		}
		n, err := c.resolve(next, href)
		if err != nil {
			return nil, err
		}
		next = n
	}
	if all == nil {
		all = []T{}
	}
	return all, nil
}

// resolve turns a link into an absolute URL on the configured server; a link
// to another host is refused so the token is never sent elsewhere.
func (c *Client) resolve(current, href string) (string, error) {
	ref, err := url.Parse(href)
	if err != nil {
		return "", fmt.Errorf("client: server sent an invalid link: %w", err)
	}
	cur, err := url.Parse(current)
	if err != nil {
		return "", err
	}
	u := cur.ResolveReference(ref)
	if ref.Host == "" && len(href) > 0 && href[0] == '/' && c.base.Path != "" && !hasPathPrefix(ref.Path, c.base.Path) {
		// A root-relative link from a server mounted under a path prefix.
		u.Path = c.base.Path + ref.Path
	}
	if u.Scheme != c.base.Scheme || u.Host != c.base.Host {
		return "", fmt.Errorf("client: server sent a link to another origin (%s)", u.Redacted())
	}
	return u.String(), nil
}

func hasPathPrefix(p, prefix string) bool {
	return len(p) >= len(prefix) && p[:len(prefix)] == prefix && (len(p) == len(prefix) || p[len(prefix)] == '/')
}

// CallerIdentity describes the token the client authenticates with.
func (c *Client) CallerIdentity(ctx context.Context) (*api.CallerIdentity, error) {
	var out api.CallerIdentity
	err := c.do(ctx, request{method: http.MethodGet, path: api.PathCallerIdentity}, &out)
	return result(&out, err)
}

// ListAuditLog lists audit log entries.
func (c *Client) ListAuditLog(ctx context.Context, o ListOptions) (*api.List[api.AuditEntry], error) {
	var out api.List[api.AuditEntry]
	err := c.do(ctx, request{method: http.MethodGet, path: api.PathAuditLog, query: listQuery(o)}, &out)
	return result(&out, err)
}
