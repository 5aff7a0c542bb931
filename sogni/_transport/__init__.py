"""I/O: REST (http.client), the socket thread, the in-flight registry, callbacks."""
