package server

import (
	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// listPermissions lists the catalogue; every authenticated token may read it.
func (s *Server) listPermissions(cl *call, _ noBody) (api.List[api.Permission], error) {
	p, err := pageOf(cl.r)
	if err != nil {
		return api.List[api.Permission]{}, err
	}
	all := s.cat.All()
	items := make([]api.Permission, 0, len(all))
	for _, perm := range all {
		items = append(items, api.Permission{Name: perm.Name, Description: perm.Description, Roles: nonNil(perm.Roles), CatalogueRoles: nonNil(perm.CatalogueRoles)})
	}
	return listOf(cl.r, slicePage(items, p), len(items), p), nil
}
