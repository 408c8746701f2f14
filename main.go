// Command guanai runs the care fund's web platform: see README.md.
package main

import (
	"os"

	"guanai/app"
)

func main() {
	os.Exit(app.Main(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}
