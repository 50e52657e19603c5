//go:build tools

// Keeps the KFP API server's own dependencies in go.mod/go.sum: build.sh also builds
// github.com/kubeflow/pipelines/backend/src/apiserver (the real server, run by the tests with MariaDB).
package main

import _ "github.com/kubeflow/pipelines/backend/src/apiserver"
