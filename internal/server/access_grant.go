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
