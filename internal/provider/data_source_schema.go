package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Most attributes of the data sources are read-only values with a
// description and nothing else.

func computedString(doc string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: doc, Computed: true}
}

func computedBool(doc string) schema.BoolAttribute {
	return schema.BoolAttribute{MarkdownDescription: doc, Computed: true}
}

func computedStringMap(doc string) schema.MapAttribute {
	return schema.MapAttribute{MarkdownDescription: doc, ElementType: types.StringType, Computed: true}
}

func computedStringSet(doc string) schema.SetAttribute {
	return schema.SetAttribute{MarkdownDescription: doc, ElementType: types.StringType, Computed: true}
}
