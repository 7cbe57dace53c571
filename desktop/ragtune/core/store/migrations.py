"""Numbered schema migrations, tracked by ``PRAGMA user_version``.

Each step is applied in its own ``BEGIN IMMEDIATE`` transaction together with the version bump, so a
crash leaves the database at one version or the next, never half-way. Append new steps; never edit
old ones. A step is SQL text or a function of the connection. The vector tables are not created
here: their dimension is only known once an embedding model is recorded
(``ragtune.core.store.vectors``).
"""

from __future__ import annotations

from collections.abc import Callable

import apsw

from ragtune.core.store import library_vectors, ocr_pages, vectors
from ragtune.errors import StoreError

SCHEMA_V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE libraries (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    created REAL NOT NULL
);

CREATE TABLE sources (
    id         INTEGER PRIMARY KEY,
    library_id INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
    path       TEXT NOT NULL,
    UNIQUE (library_id, path)
);

CREATE TABLE documents (
    id         INTEGER PRIMARY KEY,
    library_id INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
    path       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    mtime_ns   INTEGER NOT NULL,
    sha256     TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL DEFAULT '',
    format     TEXT NOT NULL DEFAULT '',
    pages      INTEGER NOT NULL DEFAULT 0,
    status     TEXT NOT NULL,
    error      TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '',
    indexed_at REAL,
    UNIQUE (library_id, path)
);
CREATE INDEX documents_sha256 ON documents (sha256);

CREATE TABLE chunks (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal     INTEGER NOT NULL,
    page        INTEGER NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    text        TEXT NOT NULL,
    embed_text  TEXT NOT NULL
);
CREATE INDEX chunks_document ON chunks (document_id, ordinal);

CREATE VIRTUAL TABLE chunks_fts USING fts5(
    embed_text,
    content = 'chunks',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- keep the external-content FTS index in step with chunks, whatever deletes them (cascades too)
CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts (rowid, embed_text) VALUES (new.id, new.embed_text);
END;
CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts (chunks_fts, rowid, embed_text) VALUES ('delete', old.id, old.embed_text);
END;
CREATE TRIGGER chunks_fts_update AFTER UPDATE OF embed_text ON chunks BEGIN
    INSERT INTO chunks_fts (chunks_fts, rowid, embed_text) VALUES ('delete', old.id, old.embed_text);
    INSERT INTO chunks_fts (rowid, embed_text) VALUES (new.id, new.embed_text);
END;

CREATE TABLE chats (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    library_id INTEGER REFERENCES libraries(id) ON DELETE SET NULL,
    rag        INTEGER NOT NULL DEFAULT 1,
    created    REAL NOT NULL,
    updated    REAL NOT NULL
);
CREATE INDEX chats_updated ON chats (updated);

CREATE TABLE messages (
    id             INTEGER PRIMARY KEY,
    chat_id        INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    role           TEXT NOT NULL,
    content        TEXT NOT NULL,
    mode           TEXT NOT NULL DEFAULT '',
    model          TEXT NOT NULL DEFAULT '',
    adapters_json  TEXT NOT NULL DEFAULT '[]',
    citations_json TEXT NOT NULL DEFAULT '[]',
    timings_json   TEXT NOT NULL DEFAULT '{}',
    created        REAL NOT NULL
);
CREATE INDEX messages_chat ON messages (chat_id, id);
"""

#: files and folders removed from inside a source, left out of re-scans (``store.exclusions``)
SCHEMA_V3 = """
CREATE TABLE exclusions (
    id         INTEGER PRIMARY KEY,
    library_id INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
    path       TEXT NOT NULL,
    created    REAL NOT NULL,
    UNIQUE (library_id, path)
);
"""

#: question sets and evaluation runs (``core.evaluate``): a run keeps a snapshot of the questions it
#: asked and of everything that produced its answers, and one row per question and mode, written as
#: each answer finishes so an interrupted run resumes where it stopped
SCHEMA_V4 = """
CREATE TABLE question_sets (
    id         INTEGER PRIMARY KEY,
    library_id INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created    REAL NOT NULL,
    UNIQUE (library_id, name)
);
CREATE TABLE questions (
    id                INTEGER PRIMARY KEY,
    set_id            INTEGER NOT NULL REFERENCES question_sets(id) ON DELETE CASCADE,
    question          TEXT NOT NULL,
    answer            TEXT NOT NULL DEFAULT '',
    alternatives_json TEXT NOT NULL DEFAULT '[]',
    gold_file         TEXT NOT NULL DEFAULT '',
    gold_page         INTEGER NOT NULL DEFAULT 0,
    kind              TEXT NOT NULL CHECK (kind IN ('answerable', 'absent')),
    split             TEXT NOT NULL CHECK (split IN ('train', 'test')),
    origin            TEXT NOT NULL,
    note              TEXT NOT NULL DEFAULT '',
    created           REAL NOT NULL
);
CREATE INDEX questions_set ON questions (set_id, id);
CREATE TABLE eval_runs (
    id             INTEGER PRIMARY KEY,
    library_id     INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
    set_id         INTEGER REFERENCES question_sets(id) ON DELETE SET NULL,
    set_name       TEXT NOT NULL,
    set_version    INTEGER NOT NULL,
    split          TEXT NOT NULL,
    modes_json     TEXT NOT NULL,
    config_json    TEXT NOT NULL,
    questions_json TEXT NOT NULL,
    status         TEXT NOT NULL,
    created        REAL NOT NULL,
    finished       REAL
);
CREATE TABLE eval_results (
    run_id         INTEGER NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
    question_id    INTEGER NOT NULL,
    mode           TEXT NOT NULL,
    answer         TEXT NOT NULL,
    correct        INTEGER,
    cites_gold     INTEGER,
    declined       INTEGER NOT NULL,
    gold_rank      INTEGER,
    ttft_s         REAL NOT NULL DEFAULT 0,
    tokens_per_s   REAL NOT NULL DEFAULT 0,
    total_s        REAL NOT NULL DEFAULT 0,
    citations_json TEXT NOT NULL DEFAULT '[]',
    error          TEXT NOT NULL DEFAULT '',
    created        REAL NOT NULL,
    PRIMARY KEY (run_id, question_id, mode)
);
"""

SCHEMA_V6 = """
ALTER TABLE documents ADD COLUMN hidden_spans INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN instruction_passages INTEGER NOT NULL DEFAULT 0;
-- documents indexed before hidden text was left out may carry it: the next index run reads them
-- again (a changed size and no hash: stale, parsed again), and says why (size -1 and no hash on
-- an indexed row: ``indexer._reread_notes``); plain text cannot hide anything
UPDATE documents SET size = -1, sha256 = '' WHERE format IN ('pdf', 'docx', 'markdown', 'html', 'epub');
"""

#: the chunking (``Settings.chunking``: "tokens/overlap") each document was split with; '' for documents
#: indexed before it was recorded (never reported as needing a re-index)
SCHEMA_V7 = """
ALTER TABLE documents ADD COLUMN chunking TEXT NOT NULL DEFAULT '';
"""

#: a person's marks on answers (``store.marks``): right or wrong, and for a wrong one the right
#: answer and where it is; removed with the message
SCHEMA_V8 = """
CREATE TABLE marks (
    message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    verdict    TEXT NOT NULL CHECK (verdict IN ('right', 'wrong')),
    answer     TEXT NOT NULL DEFAULT '',
    gold_file  TEXT NOT NULL DEFAULT '',
    gold_page  INTEGER NOT NULL DEFAULT 0,
    absent     INTEGER NOT NULL DEFAULT 0,
    created    REAL NOT NULL,
    updated    REAL NOT NULL
);
"""

#: a person's judgement of a bench answer (``store.judgements``), with its run; the question's and
#: the answer's text let it carry over to a later run of the same set that gives the same answer
SCHEMA_V9 = """
CREATE TABLE judgements (
    run_id      INTEGER NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL,
    mode        TEXT NOT NULL,
    question    TEXT NOT NULL,
    answer      TEXT NOT NULL,
    judged      TEXT NOT NULL CHECK (judged IN ('correct', 'wrong', 'declined', 'made up')),
    created     REAL NOT NULL,
    PRIMARY KEY (run_id, question_id, mode)
);
"""

#: migration N (1-based) brings the schema from user_version N-1 to N
MIGRATIONS: list[str | Callable[[apsw.Connection], None]] = [
    SCHEMA_V1,
    vectors.convert_legacy,  # 2: float vec0 table -> sign-bit vec0 + exact float table
    SCHEMA_V3,  # 3: exclusions
    SCHEMA_V4,  # 4: question sets and evaluation runs
    ocr_pages.SCHEMA_V5,  # 5: OCR'd pages and their words' boxes
    SCHEMA_V6,  # 6: hidden text left out and instruction-like passages, per document
    SCHEMA_V7,  # 7: the chunking each document was split with (a changed one needs a re-index)
    SCHEMA_V8,  # 8: a person's right/wrong marks on answers (issue 20)
    SCHEMA_V9,  # 9: a person's judgements of bench answers (issue 20)
    library_vectors.SCHEMA_V10,  # 10: a library's own embedder and vector tables (issue 21)
]


def schema_version(conn: apsw.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: apsw.Connection) -> int:
    """Apply every step newer than the database's version; returns the resulting version."""
    version = schema_version(conn)
    if version > len(MIGRATIONS):
        raise StoreError(
            f"The library database was written by a newer Ragtune (schema {version}, this one knows "
            f"{len(MIGRATIONS)}). Update Ragtune to open it."
        )
    for number in range(version + 1, len(MIGRATIONS) + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # re-check inside the write lock: another process may have migrated meanwhile
            if schema_version(conn) < number:
                step = MIGRATIONS[number - 1]
                if isinstance(step, str):
                    conn.execute(step)
                else:
                    step(conn)
                conn.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return schema_version(conn)
