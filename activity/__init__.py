"""The Postgres side: the platform's eight activity tables, their schema, and generated activity."""
