package io.pgmlsidecar.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The SQL console: the text runs on the role's connection through the sidecar (so {@code pgml.*}
 * calls are served there) as psql would send it; the first rows of each result come back as text.
 */
final class SqlConsole {
    static final int MAX_ROWS = 500;

    private SqlConsole() {}

    static ObjectNode run(Connection c, String sql) throws SQLException {
        if (sql == null || sql.isBlank()) {
            throw ApiError.badRequest("no statement to run");
        }
        ArrayNode results = JsonNodeFactory.instance.arrayNode();
        try (Statement s = c.createStatement()) {
            s.setMaxRows(MAX_ROWS + 1);
            boolean rows = s.execute(sql);
            while (true) {
                if (rows) {
                    try (ResultSet r = s.getResultSet()) {
                        results.add(table(r));
                    }
                } else if (s.getUpdateCount() >= 0) {
                    results.add(JsonNodeFactory.instance.objectNode().put("update_count", s.getUpdateCount()));
                } else {
                    break;
                }
                rows = s.getMoreResults();
            }
        }
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.set("results", results);
        return answer;
    }

    private static ObjectNode table(ResultSet r) throws SQLException {
        ResultSetMetaData meta = r.getMetaData();
        ObjectNode t = JsonNodeFactory.instance.objectNode();
        ArrayNode columns = t.putArray("columns");
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            columns.addObject().put("name", meta.getColumnLabel(i)).put("type", meta.getColumnTypeName(i));
        }
        ArrayNode rows = t.putArray("rows");
        int n = 0;
        while (r.next()) {
            if (++n > MAX_ROWS) {
                t.put("truncated", true);
                break;
            }
            ArrayNode row = rows.addArray();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                row.add(r.getString(i));
            }
        }
        return t;
    }
}
