// Package cachedbuild tests hack/cached-build.sh, which builds the pinned tool binaries once per machine into a
// cache outside the clone, with a fake build command.
package cachedbuild
