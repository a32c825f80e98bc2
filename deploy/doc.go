// Package deploy holds what it takes to run Researchflow on real
// infrastructure: a container image (Dockerfile), a Docker Compose stack,
// Kubernetes manifests (k8s/) and systemd units for VMs (systemd/). See
// README.md in this folder.
//
// The package has no Go code of its own; its test checks that the files
// agree with the code: every worker pool is deployed with exactly its
// -pool flag, every environment variable they set is one Researchflow or
// the Temporal SDK reads, the search-attribute job registers exactly the
// attributes of package workflows, and the image builds every command.
package deploy
