package io.pgmlsidecar.spark.job;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;

/**
 * Reads the relation in {@code partitions} ranges of its heap blocks, one JDBC read per Spark task
 * ({@code WHERE ctid >= '(a,0)' AND ctid < '(b,0)' ORDER BY ctid}: a TID range scan, PostgreSQL 14+). Rows come out
 * numbered within their range in ctid order, so range p's row i is row {@code offset[p] + i} of the relation in ctid
 * order — the order in which the sidecar reads it through the client's session to decide the split.
 */
final class PartitionedRead {

    /** One row as read: where it is, its label, its features (every other column, arrays flattened). */
    record ReadRow(int partition, int index, double label, float[] features) implements java.io.Serializable {}

    private PartitionedRead() {}

    /** Block ranges [from, to) of the relation's heap; the last is open-ended (rows in blocks added since). */
    static long[][] plan(ReadSpec spec) throws SQLException {
        try (Connection c = spec.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT c.relkind::text, pg_relation_size(c.oid) / current_setting('block_size')::int8 "
                        + "FROM pg_class c WHERE c.oid = ?::regclass")) {
            ps.setString(1, spec.relation());
            long blocks;
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!"r".equals(rs.getString(1)) && !"m".equals(rs.getString(1))) {
                    throw new JobFailure("0A000", "the spark engine reads tables and materialized views; " + spec.relation() + " is neither",
                            "Train on a table (CREATE TABLE … AS SELECT …), or in the sidecar with hyperparams \"engine\": \"local\".");
                }
                blocks = rs.getLong(2);
            }
            // PostgreSQL's own permission check, as the calling role, before any task starts
            try (Statement s = c.createStatement()) {
                s.executeQuery("SELECT * FROM " + spec.relation() + " LIMIT 0").close();
            }
            int k = spec.partitions();
            long[][] ranges = new long[k][];
            for (int p = 0; p < k; p++) {
                ranges[p] = new long[] {blocks * p / k, p == k - 1 ? -1 : blocks * (p + 1) / k};
            }
            return ranges;
        }
    }

    static JavaRDD<ReadRow> read(JavaSparkContext sc, ReadSpec spec, long[][] ranges) {
        List<Integer> parts = new ArrayList<>();
        for (int p = 0; p < ranges.length; p++) {
            parts.add(p);
        }
        return sc.parallelize(parts, ranges.length).mapPartitionsWithIndex(new RangeReader(spec, ranges), true);
    }

    /** Runs on an executor: one JDBC connection, one range. */
    private static final class RangeReader implements Function2<Integer, Iterator<Integer>, Iterator<ReadRow>> {
        private static final long serialVersionUID = 1L;
        private final ReadSpec spec;
        private final long[][] ranges;

        RangeReader(ReadSpec spec, long[][] ranges) {
            this.spec = spec;
            this.ranges = ranges;
        }

        @Override
        public Iterator<ReadRow> call(Integer partition, Iterator<Integer> ignored) {
            long[] r = ranges[partition];
            String sql = "SELECT * FROM " + spec.relation() + " WHERE ctid >= '(" + r[0] + ",0)'::tid"
                    + (r[1] < 0 ? "" : " AND ctid < '(" + r[1] + ",0)'::tid") + " ORDER BY ctid";
            List<ReadRow> rows = new ArrayList<>();
            try (Connection c = spec.connect()) {
                c.setAutoCommit(false); // a cursor: rows arrive in fetches, not all at once
                try (Statement s = c.createStatement()) {
                    s.setFetchSize(10_000);
                    try (ResultSet rs = s.executeQuery(sql)) {
                        ResultSetMetaData md = rs.getMetaData();
                        int labelColumn = -1;
                        for (int i = 1; i <= md.getColumnCount(); i++) {
                            if (md.getColumnName(i).equals(spec.label())) {
                                labelColumn = i;
                            }
                        }
                        if (labelColumn < 0) {
                            throw new JobFailure("42703", "column \"" + spec.label() + "\" does not exist in " + spec.relation(),
                                    "y_column_name must name a column of the relation.");
                        }
                        Features features = new Features();
                        while (rs.next()) {
                            features.n = 0;
                            for (int i = 1; i <= md.getColumnCount(); i++) {
                                if (i != labelColumn) {
                                    appendFeature(rs, md, i, features);
                                }
                            }
                            rows.add(new ReadRow(partition, rows.size(), label(rs, labelColumn, md), features.copy()));
                        }
                    }
                }
                c.rollback();
            } catch (SQLException e) {
                throw JobFailure.of(e);
            }
            return rows.iterator();
        }

        /** One row's features, reused from row to row. */
        private static final class Features {
            float[] values = new float[64];
            int n;

            void add(float v) {
                if (n == values.length) {
                    values = java.util.Arrays.copyOf(values, n * 2);
                }
                values[n++] = v;
            }

            float[] copy() {
                return java.util.Arrays.copyOf(values, n);
            }
        }

        private double label(ResultSet rs, int col, ResultSetMetaData md) throws SQLException {
            double v = md.getColumnType(col) == Types.BOOLEAN || md.getColumnType(col) == Types.BIT
                    ? (rs.getBoolean(col) ? 1 : 0) : number(rs, col, md, spec.label());
            if (rs.wasNull()) {
                throw new JobFailure("22004", "the label column \"" + spec.label() + "\" has NULL values",
                        "Filter them out (WHERE " + spec.label() + " IS NOT NULL) in a table to train on.");
            }
            return v;
        }

        private static double number(ResultSet rs, int col, ResultSetMetaData md, String name) throws SQLException {
            switch (md.getColumnType(col)) {
                case Types.SMALLINT, Types.INTEGER, Types.BIGINT, Types.REAL, Types.FLOAT, Types.DOUBLE, Types.NUMERIC, Types.DECIMAL,
                     Types.TINYINT -> {
                    return rs.getDouble(col);
                }
                default -> throw notNumeric(name, md.getColumnTypeName(col));
            }
        }

        private static JobFailure notNumeric(String name, String type) {
            return new JobFailure("0A000", "the spark engine trains on numeric columns and numeric arrays; column \"" + name + "\" is " + type,
                    "Train it in the sidecar with hyperparams \"engine\": \"local\", which encodes other types.");
        }

        /** Appends column {@code i} to the features: a number (NULL: NaN, XGBoost's missing value) or a flattened array. */
        private static void appendFeature(ResultSet rs, ResultSetMetaData md, int i, Features out) throws SQLException {
            int type = md.getColumnType(i);
            if (type == Types.ARRAY) {
                Array a = rs.getArray(i);
                if (a == null) {
                    throw new JobFailure("22004", "array column \"" + md.getColumnName(i) + "\" has a NULL value",
                            "The spark engine needs arrays of one length in every row.");
                }
                flatten(a.getArray(), md.getColumnName(i), out);
                return;
            }
            if (type == Types.BOOLEAN || type == Types.BIT) {
                boolean b = rs.getBoolean(i);
                out.add(rs.wasNull() ? Float.NaN : b ? 1f : 0f);
                return;
            }
            double v = number(rs, md, i);
            out.add(rs.wasNull() ? Float.NaN : (float) v);
        }

        private static double number(ResultSet rs, ResultSetMetaData md, int i) throws SQLException {
            return number(rs, i, md, md.getColumnName(i));
        }

        /** Row-major, as the sidecar flattens an array column into features. */
        private static void flatten(Object array, String name, Features out) {
            if (array instanceof Object[] items) {
                for (Object item : items) {
                    if (item instanceof Object[]) {
                        flatten(item, name, out);
                    } else if (item == null) {
                        out.add(Float.NaN);
                    } else if (item instanceof Number num) {
                        out.add(num.floatValue());
                    } else {
                        throw notNumeric(name, item.getClass().getSimpleName() + "[]");
                    }
                }
                return;
            }
            throw notNumeric(name, array.getClass().getSimpleName());
        }
    }
}
