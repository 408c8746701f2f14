// Package migrations holds the schema as ordered, append-only SQL files for goose, embedded in the binary.
// Each file runs in one transaction; never edit one that has shipped — add the next.
package migrations

import "embed"

// FS is every migration file.
//
//go:embed *.sql
var FS embed.FS
