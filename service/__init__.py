"""The edge of Berdaya: the command line, the HTTP service and its database. Nothing imports it."""
