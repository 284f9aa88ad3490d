// Command sockspec validates, converts (and later mocks, documents and
// scaffolds) AsyncAPI documents describing Socket.IO APIs.
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
