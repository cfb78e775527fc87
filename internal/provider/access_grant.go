package provider

import (
	"fmt"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/review"
)

// The access argument of tokensmith_access_token (managed and ephemeral)
// and tokensmith_custom_role: access levels chosen object by object.

// accessDescription describes the access argument; what names the holder
// ("token", "role") and note says how it combines with the other grants.
func accessDescription(what, note string) string {
	return "Access levels the " + what + " grants object by object: a map from the name of an object of the " +
		"permission catalogue (the `objects` of the `tokensmith_permissions` data source) to " +
		oneOfMarkdown(accessLevels) + ". `" + catalogue.AccessReadOnly + "` grants the object's read " +
		"permissions, `" + catalogue.AccessReadWrite + "` its read and write permissions and `" +
		catalogue.AccessNone + "` nothing; the backend refuses a level that the holder's member role may " +
		"not hold, naming the object and the widest level the role may hold." + note
}

func accessValidators() []validator.Map {
	return []validator.Map{
		mapvalidator.SizeAtLeast(1),
		mapvalidator.ValueStringsAre(stringvalidator.OneOf(accessLevels...)),
	}
}

// checkAccessObjects checks the known objects of an access map against the
// backend's catalogue: an unknown object gets the closest names, and
// read_write on an object that can only be read is refused.
func (c *permissionCatalogue) checkAccessObjects(owner string, m types.Map, diags *diag.Diagnostics) {
	access, _ := knownAccess(m)
	for _, name := range slices.Sorted(maps.Keys(access)) {
		at := path.Root("access").AtMapKey(name)
		o, ok := c.names.LookupObject(name)
		if !ok {
			msg := fmt.Sprintf("%q in access of %s is not an object of the backend's permission catalogue", name, owner)
			if s := review.SuggestObject(c.names, name); s != "" {
				msg += "; " + s
			} else {
				msg += " (the objects of the tokensmith_permissions data source list them)."
			}
			diags.AddAttributeError(at, "Unknown Permission Object", msg)
			continue
		}
		if level := access[name]; slices.Contains(accessLevels, level) && !slices.Contains(o.Offers(), level) {
			diags.AddAttributeError(at, "Access Level Not Offered",
				fmt.Sprintf("Object %q in access of %s can only be read: its level is one of %s, not %q.",
					name, owner, oneOfMarkdown(o.Offers()), level))
		}
	}
}
