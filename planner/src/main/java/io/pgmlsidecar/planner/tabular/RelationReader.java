package io.pgmlsidecar.planner.tabular;

import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.data.DatasetBuilder;
import io.pgmlsidecar.ml.tabular.data.FeatureColumn;
import io.pgmlsidecar.planner.strategy.BackendSteps;
import io.pgmlsidecar.planner.values.PgTypes;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads a training relation through the client's session, in chunks from a suspended portal, into
 * a {@link Dataset}: every column but the label is a feature, typed as PostgresML types them.
 */
public final class RelationReader {
    private RelationReader() {}

    static final int CHUNK_ROWS = 2000;

    /** The relation's canonical name, or an error like PostgreSQL's when it does not exist. */
    public static String resolve(BackendClient backend, String relation) {
        List<String[]> rows = BackendSteps.query(backend, "SELECT to_regclass($1)::text", relation);
        if (rows.isEmpty() || rows.get(0)[0] == null) {
            throw missing(relation);
        }
        return rows.get(0)[0];
    }

    /** PostgreSQL's error for a relation that does not exist. */
    static PgException missing(String relation) {
        return new PgException("42P01", "relation \"" + relation + "\" does not exist",
                "Pass relation_name as 'schema.table' or a table in a schema on your search_path.");
    }

    /** The rows read, and the PostgreSQL type name of each column (for the snapshot's description). */
    record Relation(Dataset dataset, Map<String, String> pgTypes) {}

    /** Reads every column; {@code labels}: none (unsupervised), one, or several for joint regression. */
    static Relation read(SessionContext session, String relation, List<String> labels) {
        return read(session, relation, labels, "");
    }

    /** As {@link #read(SessionContext, String, List)}, rows in the order {@code orderBy} (" ORDER BY ctid") gives. */
    static Relation read(SessionContext session, String relation, List<String> labels, String orderBy) {
        BackendClient backend = session.backend();
        // the unnamed statement and portal: nothing else runs on the session until the last row, and the
        // next statement replaces them (no Close round trip)
        String portal = "";
        BackendClient.StatementInfo info = backend.prepare(portal, "SELECT * FROM " + relation + orderBy, new int[0]);
        List<Column> columns = info.columns();
        Map<Integer, String> typeNames = typeNames(backend, columns);
        List<String> wanted = labels == null ? List.of() : labels;
        List<FeatureColumn> features = new ArrayList<>();
        List<Integer> featureIndexes = new ArrayList<>();
        int[] labelIndexes = new int[wanted.size()];
        java.util.Arrays.fill(labelIndexes, -1);
        Map<String, String> pgTypes = new java.util.LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            String name = columns.get(i).name();
            pgTypes.put(name, typeNames.get(columns.get(i).typeOid()));
            int l = wanted.indexOf(name);
            if (l >= 0) {
                labelIndexes[l] = i;
            } else {
                features.add(FeatureColumn.ofPgType(name, typeNames.get(columns.get(i).typeOid())));
                featureIndexes.add(i);
            }
        }
        for (int l = 0; l < labelIndexes.length; l++) {
            if (labelIndexes[l] < 0) {
                throw new PgException("42703", "column \"" + wanted.get(l) + "\" does not exist in " + relation,
                        "y_column_name must name a column of the relation.");
            }
        }
        boolean joint = wanted.size() > 1;
        DatasetBuilder builder = joint ? Dataset.jointBuilder(features, wanted) : Dataset.builder(features, wanted.isEmpty() ? null : wanted.get(0));
        List<Function<byte[], Object>> featureReaders = new ArrayList<>();
        for (int c : featureIndexes) {
            featureReaders.add(ColumnReaders.reader(typeNames.get(columns.get(c).typeOid())));
        }
        List<Function<byte[], Object>> labelReaders = new ArrayList<>();
        for (int c : labelIndexes) {
            labelReaders.add(ColumnReaders.reader(typeNames.get(columns.get(c).typeOid())));
        }
        short[] formats = new short[columns.size()];
        for (int c = 0; c < formats.length; c++) {
            formats[c] = ColumnReaders.format(typeNames.get(columns.get(c).typeOid()));
        }
        // rows are parsed as they arrive, while PostgreSQL is still sending the rest of the chunk
        RowsIntoDataset sink = new RowsIntoDataset(builder, featureIndexes, featureReaders, labelIndexes, labelReaders, joint);
        boolean bound = false;
        while (true) {
            String tag = bound ? backend.execute(portal, CHUNK_ROWS, sink)
                    : backend.bindAndExecute(portal, portal, new short[0], new byte[0][], formats, CHUNK_ROWS, sink);
            bound = true;
            sink.rethrow();
            if (session.cancelRequested()) {
                throw new PgException("57014", "canceling statement due to user request", null);
            }
            if (tag != null) {
                break;
            }
        }
        return new Relation(builder.build(), pgTypes);
    }

    /**
     * Adds each DataRow to the dataset. A value that fails to read is kept and rethrown after the
     * chunk, so the exchange with PostgreSQL always runs to its end.
     */
    private static final class RowsIntoDataset implements BackendClient.RowSink {
        private final DatasetBuilder builder;
        private final List<Integer> featureIndexes;
        private final List<Function<byte[], Object>> featureReaders;
        private final int[] labelIndexes;
        private final List<Function<byte[], Object>> labelReaders;
        private final boolean joint;
        private RuntimeException failure;

        RowsIntoDataset(DatasetBuilder builder, List<Integer> featureIndexes, List<Function<byte[], Object>> featureReaders,
                        int[] labelIndexes, List<Function<byte[], Object>> labelReaders, boolean joint) {
            this.builder = builder;
            this.featureIndexes = featureIndexes;
            this.featureReaders = featureReaders;
            this.labelIndexes = labelIndexes;
            this.labelReaders = labelReaders;
            this.joint = joint;
        }

        @Override
        public void columns(List<Column> columns) {}

        @Override
        public void row(byte[][] row) {
            if (failure != null) {
                return;
            }
            try {
                Object[] values = new Object[featureIndexes.size()];
                for (int f = 0; f < values.length; f++) {
                    values[f] = featureReaders.get(f).apply(row[featureIndexes.get(f)]);
                }
                Object[] y = new Object[labelIndexes.length];
                for (int l = 0; l < y.length; l++) {
                    y[l] = labelReaders.get(l).apply(row[labelIndexes[l]]);
                }
                builder.addRow(values, joint ? y : y.length == 0 ? null : y[0]);
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        void rethrow() {
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** Type names by OID: built-in types from {@link PgTypes}, others (enums, domains…) looked up in pg_type. */
    private static Map<Integer, String> typeNames(BackendClient backend, List<Column> columns) {
        Map<Integer, String> names = new HashMap<>();
        StringBuilder others = new StringBuilder();
        for (Column c : columns) {
            String builtin = PgTypes.builtinName(c.typeOid());
            if (builtin != null) {
                names.put(c.typeOid(), builtin);
            } else {
                others.append(others.isEmpty() ? "" : ",").append(c.typeOid());
            }
        }
        if (!others.isEmpty()) {
            for (String[] r : BackendSteps.query(backend, "SELECT oid::int, typname::text FROM pg_type WHERE oid = ANY($1::oid[])",
                    "{" + others + "}")) {
                names.put(Integer.parseInt(r[0]), r[1]);
            }
        }
        return names;
    }

}
