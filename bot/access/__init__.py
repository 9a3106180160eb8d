"""Who may do what: roles from config and storage, checked before any handler runs."""
