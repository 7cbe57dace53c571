"""A consistency check of the library database: what ``ragtune doctor`` prints.

SQLite's ``integrity_check`` does not look inside vec0, and an external-content FTS5 index can drift
from its table, so rows are also counted across ``chunks`` / ``chunks_fts`` / the two vector tables and
orphans looked for in each direction.

What ``integrity_check`` finds is told apart: an SQL index that no longer matches its table ("row 5
missing from index chunks_document", "wrong # of entries in index ...") is rebuilt from the table
(``REINDEX``, where the file is writable) and reported as a problem, while damaged pages raise
``DatabaseDamaged``: only moving the file aside helps there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import apsw

from ragtune.core.hidden_text import doctor_lines
from ragtune.core.store import library_vectors
from ragtune.core.store import vectors as vec
from ragtune.core.store.faults import damaged_error, is_damage
from ragtune.core.types import reindex_sentence

#: ``integrity_check`` lines about an index that does not match its table (the table is intact);
#: group 1 is the index's name
_INDEX_ONLY = re.compile(
    r"(?:row \d+ missing from index|wrong # of entries in index|non-unique entry in index"
    r"|rowid not at end-of-record for row \d+ of index) (\S+)"
)


def index_only_damage(results: list[str]) -> list[str] | None:
    """The names of the indexes that ``integrity_check``'s ``results`` find out of step with their
    tables, when that is all they find; None when they find anything else (damaged pages)."""
    names: list[str] = []
    for line in results:
        match = _INDEX_ONLY.fullmatch(line.strip())
        if match is None:
            return None
        if match.group(1) not in names:
            names.append(match.group(1))
    return names or None


def _integrity(conn: apsw.Connection) -> list[str]:
    try:
        return [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    except apsw.Error as exc:
        if not is_damage(exc):
            raise
        return [str(exc)]


def _rebuild_indexes(conn: apsw.Connection, results: list[str]) -> tuple[list[str], str]:
    """The check's results again after rebuilding the out-of-step indexes (when that is all the
    check found, and the file is writable), and the problem to report ("" when nothing was found)."""
    names = index_only_damage(results) if results != ["ok"] else None
    if names is None:
        return results, ""
    listed = ", ".join(names)
    if conn.readonly("main"):
        return ["ok"], (
            f"SQLite's index {listed} does not match its table (the data itself is intact). The "
            "database is read-only: copy it to a writable folder and run ragtune doctor there, which "
            "rebuilds the index."
        )
    try:
        for name in names:
            conn.execute(f'REINDEX "{name.replace(chr(34), chr(34) * 2)}"')
    except apsw.Error:  # e.g. a unique index over rows that are no longer unique: the data is wrong
        return results, ""
    return _integrity(conn), (
        f"SQLite's index {listed} did not match its table (the data itself is intact); it was "
        "rebuilt from the table (REINDEX). Run ragtune doctor again to confirm."
    )


@dataclass
class DoctorReport:
    ok: bool
    lines: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    #: libraries with documents split with another chunking than the settings' (by name)
    needs_reindex: list[str] = field(default_factory=list)


def _count(conn: apsw.Connection, sql: str) -> int:
    row = conn.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _hidden_text_documents(conn: apsw.Connection) -> list[tuple[str, str, int]]:
    """(library, path, spans) of indexed documents that carried hidden text, most spans first."""
    return [
        (str(r[0]), str(r[1]), int(r[2]))
        for r in conn.execute(
            "SELECT l.name, d.path, d.hidden_spans FROM documents d JOIN libraries l ON l.id = d.library_id "
            "WHERE d.status = 'indexed' AND d.hidden_spans > 0 ORDER BY d.hidden_spans DESC, d.path"
        )
    ]


def _other_chunking(conn: apsw.Connection, chunking: str) -> list[tuple[str, int]]:
    """(library, documents) split with another chunking than ``chunking``, by library name."""
    return [
        (str(r[0]), int(r[1]))
        for r in conn.execute(
            "SELECT l.name, count(*) FROM documents d JOIN libraries l ON l.id = d.library_id "
            "WHERE d.status = 'indexed' AND d.chunking NOT IN ('', ?) GROUP BY l.name ORDER BY l.name",
            (chunking,),
        )
    ]


def _count_vectors(conn: apsw.Connection, counts: dict[str, int]) -> bool:
    """Add the vector counts of every pair of vector tables in use to ``counts``: vectors, sign-bit
    rows, vectors of no chunk of their libraries, chunks without a vector in their library's pair.
    False when chunks of libraries on the shared pair have no table to be in."""
    shared_scope = "d.library_id NOT IN (SELECT library_id FROM library_vectors)"
    pairs: list[tuple[vec.VectorTables, str]] = []
    shared = vec.shared_tables(conn)
    if shared is not None:
        pairs.append((shared, shared_scope))
    for lib_id, tables in _own_tables(conn):
        pairs.append((tables, f"d.library_id = {int(lib_id)}"))
    for key in ("vectors", "vector_bits", "orphan_vectors", "chunks_without_vector"):
        counts[key] = 0
    for tables, scope in pairs:
        in_scope = f"SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id WHERE {scope}"
        counts["vectors"] += _count(conn, f"SELECT count(*) FROM {tables.floats}")
        counts["vector_bits"] += _count(conn, f"SELECT count(*) FROM {tables.bits}")
        counts["orphan_vectors"] += _count(
            conn, f"SELECT count(*) FROM {tables.floats} WHERE chunk_id NOT IN ({in_scope})"
        ) + _count(conn, f"SELECT count(*) FROM {tables.bits} WHERE rowid NOT IN ({in_scope})")
        counts["chunks_without_vector"] += _count(
            conn,
            f"SELECT count(*) FROM ({in_scope}) s WHERE NOT EXISTS "
            f"(SELECT 1 FROM {tables.floats} v WHERE v.chunk_id = s.id) OR NOT EXISTS "
            f"(SELECT 1 FROM {tables.bits} b WHERE b.rowid = s.id)",
        )
    shared_chunks = _count(
        conn, f"SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE {shared_scope}"
    )
    return shared is not None or shared_chunks == 0


def _own_tables(conn: apsw.Connection) -> list[tuple[int, vec.VectorTables]]:
    found: list[tuple[int, vec.VectorTables]] = []
    rows: list[Any] = conn.execute("SELECT library_id FROM library_vectors ORDER BY library_id").fetchall()
    for (lib_id,) in rows:
        tables = library_vectors.tables_of(conn, int(lib_id))
        if tables is not None:
            found.append((int(lib_id), tables))
    return found


def _builds(conn: apsw.Connection) -> list[tuple[str, library_vectors.Build]]:
    found: list[tuple[str, library_vectors.Build]] = []
    rows: list[Any] = conn.execute(
        "SELECT b.library_id, l.name FROM vector_builds b JOIN libraries l ON l.id = b.library_id"
    ).fetchall()
    for lib_id, name in rows:
        build = library_vectors.build_of(conn, int(lib_id))
        if build is not None:
            found.append((str(name), build))
    return found


def check(conn: apsw.Connection, chunking: str = "") -> DoctorReport:
    """Check the database; ``chunking`` is the settings' (``Settings.chunking``): libraries with
    documents split otherwise are listed as needing a re-index (information, not a problem).
    ``ok`` is False when anything needs repair (re-indexing) or was repaired
    (an index rebuilt). Damaged pages, which re-indexing cannot repair, raise DatabaseDamaged (the
    CLI's exit code 3)."""
    report = DoctorReport(ok=True)
    problems: list[str] = []

    results, rebuilt = _rebuild_indexes(conn, _integrity(conn))
    if results != ["ok"]:
        # damaged pages: re-indexing cannot repair the file, and the counts below cannot be trusted
        found = " ".join("; ".join(results[:3]).split())
        found = found if len(found) <= 300 else found[:300] + "…"
        raise damaged_error(str(conn.db_filename("main")), found=f"SQLite's integrity check: {found}")
    report.lines.append("SQLite integrity check: ok." if not rebuilt else "SQLite integrity check: see below.")

    if conn.readonly("main"):  # FTS5 runs its check as a write
        report.lines.append("Keyword index (FTS5) integrity check: skipped (the database is read-only).")
    else:
        try:
            conn.execute("INSERT INTO chunks_fts (chunks_fts, rank) VALUES ('integrity-check', 1)")
            report.lines.append("Keyword index (FTS5) integrity check: ok.")
        except apsw.Error as exc:  # a mismatch is reported as "corrupt": re-indexing repairs it
            problems.append(f"The keyword index (FTS5) does not match the chunks: {exc}.")

    counts = {
        "libraries": _count(conn, "SELECT count(*) FROM libraries"),
        "documents": _count(conn, "SELECT count(*) FROM documents"),
        "chunks": _count(conn, "SELECT count(*) FROM chunks"),
        "fts_rows": _count(conn, "SELECT count(*) FROM chunks_fts_docsize"),
        "orphan_chunks": _count(
            conn,
            "SELECT count(*) FROM chunks c WHERE NOT EXISTS "
            "(SELECT 1 FROM documents d WHERE d.id = c.document_id)",
        ),
        "indexed_without_chunks": _count(
            conn,
            "SELECT count(*) FROM documents d WHERE d.status = 'indexed' AND NOT EXISTS "
            "(SELECT 1 FROM chunks c WHERE c.document_id = d.id)",
        ),
    }
    has_vectors = _count_vectors(conn, counts)
    report.counts = counts

    model = vec.recorded_model(conn)
    report.lines.append(
        f"{counts['libraries']} libraries, {counts['documents']} documents, {counts['chunks']} chunks, "
        f"{counts['fts_rows']} keyword rows, {counts['vectors']} vectors"
        + (f" ({model[0]}, {model[1]} dimensions)." if model else ".")
    )
    names = {int(i): str(n) for i, n in conn.execute("SELECT id, name FROM libraries")}
    for lib_id, tables in _own_tables(conn):
        report.lines.append(f"Library {names.get(lib_id, lib_id)!r} uses {tables.model} ({tables.dim} dimensions).")
    if counts["fts_rows"] != counts["chunks"]:
        problems.append(
            f"The keyword index has {counts['fts_rows']} rows for {counts['chunks']} chunks."
        )
    if has_vectors and counts["vectors"] != counts["chunks"]:
        problems.append(f"There are {counts['vectors']} vectors for {counts['chunks']} chunks.")
    if has_vectors and counts["vector_bits"] != counts["chunks"]:
        problems.append(
            f"The nearest-neighbour index has {counts['vector_bits']} rows for {counts['chunks']} chunks."
        )
    if not has_vectors and counts["chunks"]:
        problems.append(f"{counts['chunks']} chunks but no vector table.")
    stray = library_vectors.unused_pairs(conn)
    if stray:
        problems.append(f"{len(stray)} pairs of vector tables belong to no library (left when one was deleted).")
    for name, build in _builds(conn):
        report.lines.append(
            f"Library {name!r}: switching to {build.tables.model} stopped at {build.done} of "
            f"{build.total} passages; choose that embedding model again to finish (the old vectors are in use)."
        )
    if counts.get("orphan_vectors"):
        problems.append(f"{counts['orphan_vectors']} vectors belong to no chunk.")
    if counts.get("chunks_without_vector"):
        problems.append(f"{counts['chunks_without_vector']} chunks have no vector.")
    if counts["orphan_chunks"]:
        problems.append(f"{counts['orphan_chunks']} chunks belong to no document.")
    if counts["indexed_without_chunks"]:
        problems.append(f"{counts['indexed_without_chunks']} documents are marked indexed but have no chunks.")

    report.lines.extend(doctor_lines(_hidden_text_documents(conn)))  # information, not a problem
    if chunking:
        for name, n in _other_chunking(conn, chunking):
            report.lines.append(f"Library {name!r}: {reindex_sentence(n)}.")
            report.needs_reindex.append(name)
    if rebuilt:
        report.ok = False
        report.lines.append("PROBLEM: " + rebuilt)
    if problems:
        report.ok = False
        report.lines.extend("PROBLEM: " + p for p in problems)
        report.lines.append(
            "To repair, re-index the affected libraries with: ragtune index --library NAME --rebuild"
        )
    return report
