#!/usr/bin/python3
"""A scripted psycopg2 session through the pgml sidecar.

Usage: /usr/bin/python3 psycopg2_session.py PORT EXPECTED_PGML_VERSION
Every step checks what came back; any mismatch exits non-zero. The last line printed on
success is "psycopg2 session OK".
"""
import io
import os
import sys

import psycopg2
import psycopg2.errors
import psycopg2.extras


def check(what, got, expected):
    if got != expected:
        print(f"MISMATCH in {what}: got {got!r}, expected {expected!r}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {what}")


def main():
    port = int(sys.argv[1])
    expected_version = sys.argv[2]
    table = f"py_items_{os.getpid()}"
    conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                            application_name="psycopg2-session", connect_timeout=10)
    try:
        cur = conn.cursor()
        cur.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, name text, price numeric(10,2), tags text[])")
        conn.commit()

        # insert with parameters (psycopg2 interpolates client side; the sidecar sees simple queries)
        rows = [(1, "apple", "1.25", ["fruit", "red"]),
                (2, "bread", "2.50", ["bakery"]),
                (3, "caf\u00e9 cr\u00e8me", None, []),
                (4, "quote ' and \\ backslash", "0.99", None)]
        cur.executemany(f"INSERT INTO {table} VALUES (%s, %s, %s, %s)", rows)
        check("executemany rowcount (summed)", cur.rowcount, 4)
        conn.commit()

        cur.execute(f"SELECT id, name, price::text, tags FROM {table} ORDER BY id")
        got = cur.fetchall()
        check("select all", got, [(r[0], r[1], r[2], r[3]) for r in rows])
        check("description", [d.name for d in cur.description], ["id", "name", "price", "tags"])

        cur.execute(f"SELECT name FROM {table} WHERE price > %(min)s AND name LIKE %(pat)s ORDER BY id",
                    {"min": 1, "pat": "%a%"})
        check("named parameters", cur.fetchall(), [("apple",), ("bread",)])

        # a transaction rolled back leaves nothing behind
        cur.execute(f"INSERT INTO {table} VALUES (%s, %s, %s, %s)", (5, "ghost", "9.99", None))
        cur.execute(f"SELECT count(*) FROM {table}")
        check("count inside transaction", cur.fetchone()[0], 5)
        check("transaction status in transaction", conn.get_transaction_status(),
              psycopg2.extensions.TRANSACTION_STATUS_INTRANS)
        conn.rollback()
        cur.execute(f"SELECT count(*) FROM {table} WHERE id = 5")
        check("row rolled back", cur.fetchone()[0], 0)
        conn.commit()

        # an error, then a good query on the same connection
        try:
            cur.execute("SELECT 1/0")
            print("MISMATCH: division by zero did not fail", file=sys.stderr)
            sys.exit(1)
        except psycopg2.errors.DivisionByZero as e:
            check("error SQLSTATE", e.pgcode, "22012")
        check("transaction status after error", conn.get_transaction_status(),
              psycopg2.extensions.TRANSACTION_STATUS_INERROR)
        try:
            cur.execute("SELECT 1")
            print("MISMATCH: statement in an aborted transaction did not fail", file=sys.stderr)
            sys.exit(1)
        except psycopg2.errors.InFailedSqlTransaction as e:
            check("aborted transaction SQLSTATE", e.pgcode, "25P02")
        conn.rollback()
        cur.execute("SELECT 'still alive'")
        check("good query after error", cur.fetchone()[0], "still alive")
        conn.commit()

        # server-side cursor: DECLARE ... / FETCH through the sidecar
        with conn.cursor(name="big_cursor") as named:
            named.itersize = 7
            named.execute("SELECT g, g * g FROM generate_series(1, 100) g")
            first = named.fetchmany(3)
            check("named cursor first rows", first, [(1, 1), (2, 4), (3, 9)])
            total = sum(r[1] for r in first) + sum(r[1] for r in named)
            check("named cursor sum of squares", total, sum(g * g for g in range(1, 101)))
        conn.commit()

        # COPY in and out
        data = "10\tcopied one\t1.00\t{a}\n11\tcopied two\t\\N\t{}\n"
        cur.copy_expert(f"COPY {table} (id, name, price, tags) FROM STDIN", io.StringIO(data))
        check("copy in rowcount", cur.rowcount, 2)
        csv = "12,\"csv, quoted\",3.30,\"{x,y}\"\n"
        cur.copy_expert(f"COPY {table} FROM STDIN WITH (FORMAT csv)", io.StringIO(csv))
        conn.commit()
        out = io.StringIO()
        cur.copy_expert(f"COPY (SELECT id, name FROM {table} WHERE id >= 10 ORDER BY id) TO STDOUT WITH (FORMAT csv)", out)
        check("copy out", out.getvalue(), "10,copied one\n11,copied two\n12,\"csv, quoted\"\n")
        try:
            cur.copy_expert(f"COPY {table} FROM STDIN", io.StringIO("not-a-number\tx\t1\t{}\n"))
            print("MISMATCH: bad COPY data did not fail", file=sys.stderr)
            sys.exit(1)
        except psycopg2.errors.InvalidTextRepresentation as e:
            check("bad copy SQLSTATE", e.pgcode, "22P02")
        conn.rollback()

        # the sidecar's own function, alone and next to ordinary work
        cur.execute("SELECT pgml.version()")
        check("pgml.version()", cur.fetchone()[0], expected_version)
        check("pgml.version() column", cur.description[0].name, "version")
        conn.commit()
        cur.execute("SELECT pgml.version() AS v")
        check("pgml.version() AS v", cur.fetchone(), (expected_version,))
        cur.execute(f"SELECT count(*) FROM {table}")
        check("count after pgml.version()", cur.fetchone()[0], 7)
        conn.rollback()

        # predictions anywhere in a statement: columns named as PostgreSQL names them (issue 15)
        lin = f"{table}_lin"
        cur.execute(f"CREATE TABLE {lin} AS SELECT g::real AS x, (2 * g)::real AS y FROM generate_series(1, 8) g")
        cur.execute(f"SELECT * FROM pgml.train('{lin}', 'regression', '{lin}', 'y', 'linear')")
        conn.commit()
        cur.execute(f"SELECT x, pgml.predict('{lin}', ARRAY[x]) FROM {lin} ORDER BY x LIMIT 2")
        check("S2 description", [d.name for d in cur.description], ["x", "predict"])
        check("S2 prediction type (float4)", cur.description[1].type_code, 700)
        cur.execute(f"SELECT x::int, pgml.predict('{lin}', ARRAY[x])::int AS doubled FROM {lin} "
                    f"WHERE pgml.predict('{lin}', ARRAY[x]) > 11 ORDER BY pgml.predict('{lin}', ARRAY[x]) DESC")
        check("general strategy rows", cur.fetchall(), [(8, 16), (7, 14), (6, 12)])
        check("general strategy description", [d.name for d in cur.description], ["x", "doubled"])
        cur.execute(f"SELECT pgml.predict('{lin}', ARRAY[x]) * 1, pgml.predict('{lin}', ARRAY[x])::int FROM {lin} LIMIT 1")
        check("expression and cast column names", [d.name for d in cur.description], ["?column?", "predict"])
        cur.execute(f"DROP TABLE {lin}")
        conn.commit()

        # autocommit mode: error then good query
        conn.autocommit = True
        try:
            cur.execute("SELECT * FROM no_such_table_anywhere")
        except psycopg2.errors.UndefinedTable as e:
            check("undefined table SQLSTATE", e.pgcode, "42P01")
        cur.execute("SELECT pgml.version()")
        check("pgml.version() in autocommit", cur.fetchone()[0], expected_version)
        cur.execute(f"DROP TABLE {table}")
    finally:
        try:
            conn.autocommit = True
            conn.cursor().execute(f"DROP TABLE IF EXISTS {table}")
        except Exception:
            pass
        conn.close()
    print("psycopg2 session OK")


if __name__ == "__main__":
    main()
