"""Services: the only way the desk, the daemon and the CLI read or change archive state."""
