"""One SQLite file per library set: connection, migrations, documents, chunks, vectors."""
