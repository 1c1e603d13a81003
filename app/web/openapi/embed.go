// Package openapi embeds the OpenAPI 3.1 document of the JSON API.
package openapi

import _ "embed"

// Document is the OpenAPI 3.1 document (JSON).
//
//go:embed openapi.json
var Document []byte
