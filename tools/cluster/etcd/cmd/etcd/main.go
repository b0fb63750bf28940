// Command etcd is the etcd server of go.etcd.io/etcd/server/v3; the module publishes the
// server as a package (etcdmain) and its own main lives in an unversioned module.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
