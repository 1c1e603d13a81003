// Package static embeds the committed front-end assets served under /static/:
// the built Tailwind stylesheet (css/app.css), vendored htmx (vendor/), the
// page scripts (js/) and the favicon.
//
// Rebuild the stylesheet after changing templates or static/css/input.css:
//
//	npx tailwindcss -c tailwind.config.js -i static/css/input.css -o static/css/app.css --minify
//
// Node is needed only for that; go build and go run use the embedded files.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"sync"
)

// FS holds the static assets; paths are relative to this directory, for
// example "css/app.css", "vendor/htmx-2.0.11.min.js", "js/app.js".
//
//go:embed css/app.css vendor js favicon.svg
var FS embed.FS

var (
	versionOnce sync.Once
	version     string
)

// Version returns a short content hash of every embedded file (the first 10
// hex digits of a SHA-256 over their paths and contents), for cache-busting
// URLs such as /static/css/app.css?v=<Version()>. It is computed once.
func Version() string {
	versionOnce.Do(func() {
		h := sha256.New()
		// WalkDir visits entries in lexical order, so the hash is stable.
		err := fs.WalkDir(FS, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := FS.ReadFile(path)
			if err != nil {
				return err
			}
			h.Write([]byte(path))
			h.Write([]byte{0})
			h.Write(b)
			h.Write([]byte{0})
			return nil
		})
		if err != nil {
			// Cannot happen with an embed.FS; still give a usable value.
			version = "dev"
			return
		}
		version = hex.EncodeToString(h.Sum(nil))[:10]
	})
	return version
}
