package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
)

// permissionCatalogue is the backend's catalogue as plan-time checks use it:
// names, patterns and suggestions through catalogue.Catalogue, and the
// permissions of each built-in role exactly as the backend reports them.
type permissionCatalogue struct {
	names *catalogue.Catalogue
	roles map[string][]string
}

// ForRole makes permissionCatalogue a review.RolePermissions.
func (c *permissionCatalogue) ForRole(role string) []string {
	return c.roles[role]
}

// AccessGrants makes permissionCatalogue a review.ObjectPermissions.
func (c *permissionCatalogue) AccessGrants(access map[string]string) []string {
	return c.names.AccessGrants(access)
}

// ReadPermissions makes permissionCatalogue a review.RolePermissions: what
// a custom role's base permissions reader grant.
func (c *permissionCatalogue) ReadPermissions() []string {
	return c.names.ReadPermissions()
}

// catalogueCache holds the catalogue of one configured provider. A failed
// fetch is not cached, so a transient error costs one check rather than
// every check of the run.
type catalogueCache struct {
	mu  sync.Mutex
	cat *permissionCatalogue
}

// permissionCatalogue returns the backend's catalogue, fetching it on first
// use.
func (d *providerData) permissionCatalogue(ctx context.Context) (*permissionCatalogue, error) {
	d.catalogue.mu.Lock()
	defer d.catalogue.mu.Unlock()
	if d.catalogue.cat != nil {
		return d.catalogue.cat, nil
	}
	perms, err := d.Client.ListPermissions(ctx)
	if err != nil {
		return nil, err
	}
	cat, err := catalogueFromAPI(perms)
	if err != nil {
		return nil, err
	}
	d.catalogue.cat = cat
	return cat, nil
}

// catalogueFromAPI builds the plan-time catalogue from the backend's list.
func catalogueFromAPI(perms []api.Permission) (*permissionCatalogue, error) {
	type entry struct {
		Name           string   `json:"name"`
		CatalogueRoles []string `json:"catalogueRoles"`
		Object         string   `json:"object,omitempty"`
		Level          string   `json:"level,omitempty"`
	}
	type object struct {
		Name string `json:"name"`
	}
	doc := struct {
		Objects     []object `json:"objects"`
		Permissions []entry  `json:"permissions"`
	}{Objects: []object{}, Permissions: make([]entry, 0, len(perms))}
	roles := map[string][]string{}
	for _, p := range perms {
		if p.Object != "" && !slices.Contains(doc.Objects, object{p.Object}) {
			doc.Objects = append(doc.Objects, object{p.Object})
		}
		doc.Permissions = append(doc.Permissions, entry{Name: p.Name, CatalogueRoles: p.CatalogueRoles, Object: p.Object, Level: p.Level})
		for _, r := range p.Roles {
			roles[r] = append(roles[r], p.Name)
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	names, err := catalogue.Load(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("the backend's permission catalogue cannot be read: %w", err)
	}
	return &permissionCatalogue{names: names, roles: roles}, nil
}
