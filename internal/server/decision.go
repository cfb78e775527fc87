package server

import (
	"context"
	"errors"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/policy"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// decide answers "may c perform action on resource?" with the checks the
// handlers make themselves: require/requireOn for "org" and the other
// kinds, and for a workspace requireWorkspace, which adds the rule that a
// reader's or writer's token reaches only workspaces its owner belongs to.
// resource has passed policy.ParseResource. The answer is nil, a
// permission_denied *Error naming the missing permission, or not_found for a
// workspace that does not exist.
//
// It knows nothing of HTTP, so it can move to its own package whole.
func (s *Server) decide(ctx context.Context, c *caller, action, resource string) error {
	kind, id, err := policy.ParseResource(resource)
	if err != nil {
		return invalid("resource", "%s", err.Error())
	}
	if kind != policy.KindWorkspace {
		return c.requireOn(action, resource)
	}
	w, err := s.store.GetWorkspace(ctx, s.orgID, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("workspace %q not found", id)
	} else if err != nil {
		return err
	}
	return c.requireWorkspace(action, w)
}
