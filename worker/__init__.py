"""Background worker: claims queued runs from the database and trains them with moo_core."""
