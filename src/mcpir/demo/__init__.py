"""`mcpir demo`: a fake developer machine, built in a temp directory, holding a planted incident."""
