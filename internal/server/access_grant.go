package server

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
)

// checkAccess validates an access grant against the catalogue and returns
// a copy to store, or nil for an empty grant. It refuses unknown objects
// (with suggestions), unknown levels and read_write on an object that can
// only be read.
func (s *Server) checkAccess(field string, access map[string]string) (map[string]string, error) {
	if len(access) == 0 {
		return nil, nil
	}
	if err := capLists(listCap{field, len(access), maxListItems}); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(access)) {
		if err := noSecret(field, name); err != nil {
			return nil, err
		}
	}
	if _, err := s.cat.AccessPermissions(field, access); err != nil {
		return nil, catalogueInvalid(err)
	}
	return maps.Clone(access), nil
}

// accessCeiling refuses an access level that memberRole may not hold,
// naming the object and the widest level the role may hold on it: a
// grant is always bounded by its holder's role, and saying so at once is
// clearer than a token that silently does less than it reads.
func (s *Server) accessCeiling(field string, access map[string]string, memberRole string) error {
	err := s.cat.AccessCeiling(field, access, memberRole)
	var ve *catalogue.ValidationError
	if errors.As(err, &ve) {
		e := denied(nil, "%s: %s", ve.Field, ve.Message)
		e.Field = ve.Field
		return e
	}
	return err
}

// accessOverlap refuses a permission that also belongs to an object the
// access grant sets: each object's level is then said in one place only.
func (s *Server) accessOverlap(access map[string]string, permissions []string) error {
	for i, name := range permissions {
		p, ok := s.cat.Lookup(name)
		if !ok || p.Object == "" {
			continue
		}
		if _, set := access[p.Object]; set {
			return invalid(fmt.Sprintf("permissions[%d]", i), "%s belongs to object %q, which access sets; set that object's level in access instead", name, p.Object)
		}
	}
	return nil
}

func catalogueInvalid(err error) error {
	var ve *catalogue.ValidationError
	if errors.As(err, &ve) {
		return invalid(ve.Field, "%s", ve.Message)
	}
	return err
}
