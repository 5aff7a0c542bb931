"""I/O: REST (requests), the socket thread, the in-flight registry, callbacks."""
