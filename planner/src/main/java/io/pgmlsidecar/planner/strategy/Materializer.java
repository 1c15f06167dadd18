package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.BackendClient.StatementInfo;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.List;

/**
 * Materialises a SELECT whose row-dependent calls are whole select-list items into a temporary
 * table with the calls' results: PostgreSQL computes the rows with argument carriers into a
 * source table, the model runs over it in chunks into a staging table, and their join (in the
 * source's order) becomes the result table. Temporary tables are dropped at commit.
 */
final class Materializer {

    private final SelectListCalls select;
    private final CallFunctions functions;
    private List<Column> columns;

    Materializer(SelectListCalls select, CallFunctions functions) {
        this.select = select;
        this.functions = functions;
    }

    /** The SELECT's columns (calls as real[]). */
    StatementInfo describe(SessionContext session, int[] parameterOids) {
        StatementInfo info = select.describe(session, parameterOids);
        columns = info.columns();
        return info;
    }

    /** Runs the SELECT with {@code parameters}; returns the name of the temporary result table. */
    String materialize(SessionContext session, int[] parameterOids, BoundParameters parameters) {
        BackendClient backend = session.backend();
        int[] carriers = select.columnIndexes();
        VectorStaging staging = new VectorStaging(select.carrierCalls(), functions);
        String source = staging.name() + "_source";
        String result = staging.name() + "_result";
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            names.append(i > 0 ? ", " : "").append('c').append(i);
        }
        BackendSteps.run(backend, "CREATE TEMPORARY TABLE " + source + " ON COMMIT DROP AS SELECT * FROM (" + select.carrierSql()
                + ") AS q(" + names + ")", new BoundParameters(parameterOids, parameters.formats(), parameters.values()));
        staging.create(backend);
        StringBuilder read = new StringBuilder("SELECT ctid::text");
        for (int c : carriers) {
            read.append(", c").append(c);
        }
        staging.fillFrom(session, read.append(" FROM ").append(source).toString(), new int[0], BoundParameters.NONE);

        StringBuilder output = new StringBuilder("CREATE TEMPORARY TABLE " + result + " ON COMMIT DROP AS SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            int call = indexOf(carriers, i);
            output.append(i > 0 ? ", " : "").append(call >= 0 ? staging.name() + ".v" + call : source + ".c" + i)
                    .append(" AS \"").append(columns.get(i).name().replace("\"", "\"\"")).append('"');
        }
        output.append(" FROM ").append(source).append(" JOIN ").append(staging.name()).append(" ON ").append(source)
                .append(".ctid = ").append(staging.name()).append(".row_ctid ORDER BY ").append(source).append(".ctid");
        BackendSteps.run(backend, output.toString());
        staging.drop(backend);
        BackendSteps.run(backend, "DROP TABLE " + source);
        return result;
    }

    private static int indexOf(int[] values, int v) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == v) {
                return i;
            }
        }
        return -1;
    }
}
