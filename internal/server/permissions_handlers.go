package server

import (
	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// listPermissions lists the catalogue; every authenticated token may read it.
func (s *Server) listPermissions(cl *call, _ noBody) (api.List[api.Permission], error) {
	p, err := pageOf(cl)
	if err != nil {
		return api.List[api.Permission]{}, err
	}
	all := s.cat.All()
	items := make([]api.Permission, 0, len(all))
	for _, perm := range all {
		items = append(items, api.Permission{Name: perm.Name, Description: perm.Description, Roles: nonNil(perm.Roles), CatalogueRoles: nonNil(perm.CatalogueRoles),
			Object: perm.Object, Level: perm.Level})
	}
	return listOf(cl.r, slicePage(items, p), len(items), p), nil
}

// listObjects lists the catalogue's objects with what each access level
// stands for and who may hold it; every authenticated token may read it.
func (s *Server) listObjects(cl *call, _ noBody) (api.List[api.AccessObject], error) {
	p, err := pageOf(cl)
	if err != nil {
		return api.List[api.AccessObject]{}, err
	}
	objects := s.cat.Objects()
	items := make([]api.AccessObject, 0, len(objects))
	for _, o := range objects {
		item := api.AccessObject{Name: o.Name, Description: o.Description, Levels: []api.AccessObjectLevel{}}
		for _, level := range o.Offers()[1:] {
			item.Levels = append(item.Levels, api.AccessObjectLevel{Level: level, Permissions: nonNil(o.Permissions(level)), Roles: nonNil(s.cat.LevelRoles(o, level))})
		}
		items = append(items, item)
	}
	return listOf(cl.r, slicePage(items, p), len(items), p), nil
}
