package authz

import (
	"context"
	"errors"
	"fmt"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/policy"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// Decide answers "may c perform action on resource?" with the checks the
// handlers make themselves: RequireOn for "org" and the other kinds, and
// for a workspace RequireWorkspace, which adds the rule that a reader's or
// writer's token reaches only workspaces its owner belongs to. The answer
// is nil, a *Denied naming the missing permission, a *NotFound for a
// workspace that does not exist or an *Invalid for a malformed resource.
func (r *Rules) Decide(ctx context.Context, c *Caller, action, resource string) error {
	kind, id, err := policy.ParseResource(resource)
	if err != nil {
		return invalid("resource", "%s", err.Error())
	}
	if kind != policy.KindWorkspace {
		return c.RequireOn(action, resource)
	}
	w, err := r.Store.GetWorkspace(ctx, r.OrgID, id)
	if errors.Is(err, store.ErrNotFound) {
		return &NotFound{Detail: fmt.Sprintf("workspace %q not found", id)}
	} else if err != nil {
		return err
	}
	return c.RequireWorkspace(action, w)
}
