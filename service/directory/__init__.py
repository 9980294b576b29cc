"""The service directory: organizations, listings, places, taxonomy and search."""
