"""Content credentials: C2PA manifests on what chatdit writes, and the local key that signs them."""
