"""Body items and their classifier, shared by check (SR303), stats and reduce."""
