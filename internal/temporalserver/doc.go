// Package temporalserver runs a complete Temporal server inside the current
// process: all four services (frontend, history, matching, worker), SQLite
// persistence in a file under the data directory, the namespace and the
// search attributes Researchflow uses, and the Temporal Web UI on its own
// port. It is the embedded default of the dev stack, the starter and the
// end-to-end tests; production points the same binaries at a real cluster.
//
// History survives a restart of the process (the SQLite file stays). A lock
// file next to the database makes sure two processes never open it at once.
package temporalserver
