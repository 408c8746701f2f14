// Package templates holds the pages (html/template), their translations and the static files, embedded in the
// binary.
package templates

import "embed"

// FS holds layout.html, partials/, pages/, locales/ and static/.
//
//go:embed layout.html partials pages locales static
var FS embed.FS
