"""The test PostgreSQL server is real: it takes connections and keeps what it is given."""

from __future__ import annotations

import psycopg


def test_each_test_gets_a_fresh_database_on_a_real_server(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname='public'"
                            ).fetchone() == (0,)
        conn.execute("CREATE TABLE t (x text)")
        conn.execute("INSERT INTO t VALUES ('Huyện uỷ')")
        (value,) = conn.execute("SELECT x FROM t").fetchone() or (None,)
        assert value == "Huyện uỷ"
        (addr,) = conn.execute("SELECT inet_server_addr()::text").fetchone() or (None,)
        assert addr in (None, "127.0.0.1/32", "127.0.0.1")
