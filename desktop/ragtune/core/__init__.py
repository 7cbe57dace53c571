"""Qt-free core: ingest, store, retrieval, generation and the service API the GUI and CLI call."""
