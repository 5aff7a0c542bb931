"""I/O: REST (requests + tenacity), the socket thread, the in-flight registry, callbacks."""
