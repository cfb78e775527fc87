package server

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

type workspaceSpec struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	MemberIDs   []string `json:"memberIds"`
}

var workspacePatchRules = patchRules{
	mutable: fieldSet("name", "description", "memberIds"),
	fixed:   fieldSet("_id", "_links", "ownerId", "creationDate", "lastModified"),
}

func (s *Server) applyWorkspaceSpec(cl *call, w *store.Workspace, sp workspaceSpec) error {
	if err := validName("name", sp.Name, api.MaxWorkspaceNameLength, true); err != nil {
		return err
	}
	if err := validDescription("description", sp.Description); err != nil {
		return err
	}
	if err := capLists(listCap{"memberIds", len(sp.MemberIDs), maxListItems}); err != nil {
		return err
	}
	members := []string{w.OwnerID}
	for i, id := range sp.MemberIDs {
		if slices.Contains(members, id) {
			continue
		}
		if _, err := s.store.GetMember(cl.ctx, s.orgID, id); errors.Is(err, store.ErrNotFound) {
			return invalid(fmt.Sprintf("memberIds[%d]", i), "no member with id %q", id)
		} else if err != nil {
			return err
		}
		members = append(members, id)
	}
	w.Name, w.Description, w.MemberIDs = sp.Name, sp.Description, members
	return nil
}

func (s *Server) nameTaken(cl *call, name, except string) error {
	w, err := s.store.GetWorkspaceByName(cl.ctx, s.orgID, name)
	if err == nil && w.ID != except {
		return workspaceNameConflict(name)
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

func workspaceNameConflict(name string) *Error {
	return &Error{Code: api.CodeConflict, Field: "name", Detail: fmt.Sprintf("a workspace named %q already exists", name)}
}

func (s *Server) loadWorkspace(cl *call, action string) (store.Workspace, error) {
	id := cl.r.PathValue("id")
	w, err := s.store.GetWorkspace(cl.ctx, s.orgID, id)
	if errors.Is(err, store.ErrNotFound) {
		return w, notFound("workspace %q not found", id)
	} else if err != nil {
		return w, err
	}
	return w, cl.c.RequireWorkspace(action, w)
}

func (s *Server) listWorkspaces(cl *call, _ noBody) (api.List[api.Workspace], error) {
	if err := cl.c.Require(catalogue.WorkspaceRead); err != nil {
		return api.List[api.Workspace]{}, err
	}
	p, err := pageOf(cl)
	if err != nil {
		return api.List[api.Workspace]{}, err
	}
	name, err := queryText(cl, "name")
	if err != nil {
		return api.List[api.Workspace]{}, err
	}
	var all []store.Workspace
	if name != "" {
		// The list's links repeat the query: a secret must not come back.
		if err := noSecret("name", name); err != nil {
			return api.List[api.Workspace]{}, err
		}
		w, err := s.store.GetWorkspaceByName(cl.ctx, s.orgID, name)
		if err == nil {
			all = []store.Workspace{w}
		} else if !errors.Is(err, store.ErrNotFound) {
			return api.List[api.Workspace]{}, err
		}
	} else if all, err = s.store.ListWorkspaces(cl.ctx, s.orgID); err != nil {
		return api.List[api.Workspace]{}, err
	}
	visible := []api.Workspace{}
	for _, w := range all {
		if cl.c.RequireWorkspace(catalogue.WorkspaceRead, w) == nil {
			visible = append(visible, apiWorkspace(w))
		}
	}
	return listOf(cl.r, slicePage(visible, p), len(visible), p), nil
}

func (s *Server) getWorkspace(cl *call, _ noBody) (api.Workspace, error) {
	w, err := s.loadWorkspace(cl, catalogue.WorkspaceRead)
	if err != nil {
		return api.Workspace{}, err
	}
	return apiWorkspace(w), nil
}

func (s *Server) createWorkspace(cl *call, in api.WorkspaceCreate) (api.Workspace, error) {
	if err := cl.c.Require(catalogue.WorkspaceWrite); err != nil {
		return api.Workspace{}, err
	}
	w := store.Workspace{ID: newID(), OrgID: s.orgID, OwnerID: cl.c.Member.ID, CreatedAt: cl.now, UpdatedAt: cl.now}
	if in.OwnerID != "" {
		if _, err := s.store.GetMember(cl.ctx, s.orgID, in.OwnerID); errors.Is(err, store.ErrNotFound) {
			return api.Workspace{}, invalid("ownerId", "no member with id %q", in.OwnerID)
		} else if err != nil {
			return api.Workspace{}, err
		}
		w.OwnerID = in.OwnerID
	}
	if err := s.applyWorkspaceSpec(cl, &w, workspaceSpec{Name: in.Name, Description: in.Description, MemberIDs: in.MemberIDs}); err != nil {
		return api.Workspace{}, err
	}
	if err := s.nameTaken(cl, w.Name, ""); err != nil {
		return api.Workspace{}, err
	}
	if err := s.store.CreateWorkspace(cl.ctx, w); errors.Is(err, store.ErrConflict) {
		return api.Workspace{}, workspaceNameConflict(w.Name)
	} else if err != nil {
		return api.Workspace{}, err
	}
	s.audit(cl, "workspace.create", "workspace/"+w.ID, fmt.Sprintf("name=%q", w.Name))
	return apiWorkspace(w), nil
}

func (s *Server) patchWorkspace(cl *call, pb patchBody) (api.Workspace, error) {
	w, err := s.loadWorkspace(cl, catalogue.WorkspaceWrite)
	if err != nil {
		return api.Workspace{}, err
	}
	var next workspaceSpec
	touched, err := applyPatch(workspaceSpec{Name: w.Name, Description: w.Description, MemberIDs: nonNil(w.MemberIDs)}, pb.Ops, workspacePatchRules, &next)
	if err != nil {
		return api.Workspace{}, err
	}
	if err := s.applyWorkspaceSpec(cl, &w, next); err != nil {
		return api.Workspace{}, err
	}
	if err := s.nameTaken(cl, w.Name, w.ID); err != nil {
		return api.Workspace{}, err
	}
	w.UpdatedAt = cl.now
	if err := s.store.UpdateWorkspace(cl.ctx, w); err != nil {
		return api.Workspace{}, err
	}
	s.audit(cl, "workspace.update", "workspace/"+w.ID, fmt.Sprintf("fields=%v", slices.Sorted(maps.Keys(touched))))
	return apiWorkspace(w), nil
}

func (s *Server) deleteWorkspace(cl *call, _ noBody) (noContent, error) {
	w, err := s.loadWorkspace(cl, catalogue.WorkspaceWrite)
	if err != nil {
		return noContent{}, err
	}
	if err := s.store.DeleteWorkspace(cl.ctx, s.orgID, w.ID); err != nil {
		return noContent{}, err
	}
	s.audit(cl, "workspace.delete", "workspace/"+w.ID, fmt.Sprintf("name=%q", w.Name))
	return noContent{}, nil
}

func (s *Server) addWorkspaceMember(cl *call, _ noBody) (api.Workspace, error) {
	w, err := s.loadWorkspace(cl, catalogue.WorkspaceWrite)
	if err != nil {
		return api.Workspace{}, err
	}
	memberID := cl.r.PathValue("memberId")
	if _, err := s.store.GetMember(cl.ctx, s.orgID, memberID); errors.Is(err, store.ErrNotFound) {
		return api.Workspace{}, notFound("member %q not found", memberID)
	} else if err != nil {
		return api.Workspace{}, err
	}
	if slices.Contains(w.MemberIDs, memberID) {
		return apiWorkspace(w), nil
	}
	w.MemberIDs = append(w.MemberIDs, memberID)
	w.UpdatedAt = cl.now
	if err := s.store.UpdateWorkspace(cl.ctx, w); err != nil {
		return api.Workspace{}, err
	}
	s.audit(cl, "workspace.member_add", "workspace/"+w.ID, "member="+memberID)
	return apiWorkspace(w), nil
}

func (s *Server) removeWorkspaceMember(cl *call, _ noBody) (api.Workspace, error) {
	w, err := s.loadWorkspace(cl, catalogue.WorkspaceWrite)
	if err != nil {
		return api.Workspace{}, err
	}
	memberID := cl.r.PathValue("memberId")
	if memberID == w.OwnerID {
		return api.Workspace{}, conflict("member %s owns workspace %s; transfer it before removing them", memberID, w.ID)
	}
	if !slices.Contains(w.MemberIDs, memberID) {
		return api.Workspace{}, notFound("member %q is not a member of workspace %q", memberID, w.ID)
	}
	kept := []string{}
	for _, id := range w.MemberIDs {
		if id != memberID {
			kept = append(kept, id)
		}
	}
	w.MemberIDs = kept
	w.UpdatedAt = cl.now
	if err := s.store.UpdateWorkspace(cl.ctx, w); err != nil {
		return api.Workspace{}, err
	}
	s.audit(cl, "workspace.member_remove", "workspace/"+w.ID, "member="+memberID)
	return apiWorkspace(w), nil
}

// transferWorkspace changes the owner. Personal tokens of every other member
// stop reaching the workspace (see docs/guides/backend-rules.md, "Workspace
// ownership transfer"): those listing it drop it and are
// revoked when nothing is left; all-workspaces tokens exclude it from then on.
// Nobody acts on a member above them, so the tokens of members ranked above
// the caller are left as they are (the store reads the roles in the same
// transaction); such a member may transfer the workspace themselves.
func (s *Server) transferWorkspace(cl *call, in api.WorkspaceTransfer) (api.WorkspaceTransferResult, error) {
	w, err := s.loadWorkspace(cl, catalogue.WorkspaceWrite)
	if err != nil {
		return api.WorkspaceTransferResult{}, err
	}
	if in.OwnerID == "" {
		return api.WorkspaceTransferResult{}, invalid("ownerId", "ownerId is required")
	}
	if _, err := s.store.GetMember(cl.ctx, s.orgID, in.OwnerID); errors.Is(err, store.ErrNotFound) {
		return api.WorkspaceTransferResult{}, invalid("ownerId", "no member with id %q", in.OwnerID)
	} else if err != nil {
		return api.WorkspaceTransferResult{}, err
	}
	nw, narrowed, revoked, err := s.store.TransferWorkspace(cl.ctx, s.orgID, w.ID, in.OwnerID, cl.c.RolesAbove(), cl.now)
	if err != nil {
		return api.WorkspaceTransferResult{}, err
	}
	s.audit(cl, "workspace.transfer", "workspace/"+w.ID, fmt.Sprintf("from=%s to=%s narrowed=%d revoked=%d", w.OwnerID, in.OwnerID, narrowed, revoked))
	return api.WorkspaceTransferResult{Workspace: apiWorkspace(nw), TokensNarrowed: narrowed, TokensRevoked: revoked}, nil
}
