package io.pgmlsidecar.planner.tabular;

import io.pgmlsidecar.ml.tabular.preprocess.ColumnStatistics;
import io.pgmlsidecar.ml.tabular.preprocess.PreprocessSpec;
import io.pgmlsidecar.ml.tabular.split.Split;
import io.pgmlsidecar.planner.strategy.BackendSteps;
import io.pgmlsidecar.planner.values.TextArrays;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.List;
import java.util.Map;

/**
 * pgml.snapshots rows: which relation (and labels, split settings) a model was trained on, the
 * per-column statistics of its training split, and, when materialized, a frozen copy of the rows in
 * {@code pgml."snapshot_<id>"} that later trainings of the project read instead of the live table.
 */
public final class TabularSnapshots {

    public record Snapshot(long id, String relationName, String table, List<String> labels, double testSize, String sampling,
                    boolean materialized) {
        /** The relation to read the rows from. */
        public String readFrom() {
            return materialized ? tableName(id) : table;
        }
    }

    private final SessionContext session;
    private final BackendClient backend;

    public TabularSnapshots(SessionContext session) {
        this.session = session;
        this.backend = session.backend();
    }

    public Snapshot create(String relationName, List<String> labels, double testSize, String sampling, boolean materialize) {
        // the relation's canonical name and the snapshot row in one round trip; no row: no such relation
        List<String[]> rows = BackendSteps.query(backend, "INSERT INTO pgml.snapshots (relation_name, y_column_name, test_size, "
                + "test_sampling, status, materialized) SELECT $1::text, $2::text[], $3::float4, $4::pgml.sampling, 'in_progress', $5::bool "
                + "WHERE to_regclass($1::text) IS NOT NULL RETURNING id, to_regclass($1::text)::text",
                relationName, labels == null ? null : TextArrays.toText(labels), testSize, sampling, materialize);
        if (rows.isEmpty()) {
            throw RelationReader.missing(relationName);
        }
        long id = Long.parseLong(rows.get(0)[0]);
        String table = rows.get(0)[1];
        TabularActions.notice(session, "Snapshotting table \"" + table + "\", this may take a little while...");
        if (materialize) {
            BackendSteps.run(backend, "CREATE TABLE " + tableName(id) + " AS SELECT * FROM " + table);
        }
        return new Snapshot(id, relationName, table, labels, testSize, sampling, materialize);
    }

    /** The project's most recent snapshot, or null. */
    Snapshot last(long projectId) {
        List<String[]> rows = BackendSteps.query(backend, "SELECT s.id, s.relation_name, s.y_column_name::text, s.test_size::text, "
                + "s.test_sampling::text, s.materialized FROM pgml.snapshots s JOIN pgml.models m ON m.snapshot_id = s.id "
                + "WHERE m.project_id = $1::bigint ORDER BY s.id DESC LIMIT 1", projectId);
        if (rows.isEmpty()) {
            return null;
        }
        String[] r = rows.get(0);
        boolean materialized = "t".equals(r[5]);
        String table = materialized ? null : RelationReader.resolve(backend, r[1]);
        return new Snapshot(Long.parseLong(r[0]), r[1], table, r[2] == null ? null : TextArrays.parse(r[2]),
                Double.parseDouble(r[3]), r[4], materialized);
    }

    /** Stores the columns' statistics over the training split and the sample count; the snapshot is then complete. */
    void describe(Snapshot snapshot, RelationReader.Relation data, Split split, PreprocessSpec preprocess) {
        List<Map<String, Object>> columns = ColumnStatistics.describe(data.dataset(), split.train(), preprocess);
        for (Map<String, Object> c : columns) {
            c.put("pg_type", data.pgTypes().get((String) c.get("name")));
        }
        BackendSteps.query(backend, "UPDATE pgml.snapshots SET columns = $2::jsonb, analysis = $3::jsonb, status = 'successful' "
                + "WHERE id = $1::bigint RETURNING id", snapshot.id(), TabularActions.json(columns),
                TabularActions.json(Map.of("samples", data.dataset().numRows(), "train_samples", split.numTrain(),
                        "test_samples", split.numTest())));
    }

    static String tableName(long id) {
        return "pgml.\"snapshot_" + id + "\"";
    }
}
