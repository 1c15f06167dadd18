package io.pgmlsidecar.planner.functions;

import io.pgmlsidecar.planner.values.ResultValues;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The row-wise API functions the strategies can batch (embed, predict, the metric helpers, …):
 * each runs over many argument rows at once and has one result type, whose text and wire forms
 * come from {@link ResultValues}.
 */
public final class CallFunctions {

    /** A function applied to many argument rows (argument text forms, null = NULL) at once. */
    public interface RowFunction {
        /** One result per row (Float, float[], String json, …); null = SQL NULL. */
        Object[] apply(SessionContext session, List<String[]> argumentRows);
    }

    private record Entry(int typeOid, RowFunction function) {}

    private final Map<ApiFunction, Entry> functions = new HashMap<>();

    public CallFunctions add(ApiFunction function, int resultTypeOid, RowFunction rows) {
        functions.put(function, new Entry(resultTypeOid, rows));
        return this;
    }

    /** True when {@code call} can run row by row in S1–S3. */
    public boolean isRowWise(ResolvedCall call) {
        return functions.containsKey(call.function());
    }

    public Object[] apply(SessionContext session, ResolvedCall call, List<String[]> argumentRows) {
        RowFunction function = entry(call).function();
        if (argumentRows.isEmpty()) {
            return function.apply(session, argumentRows); // a strategy's last, empty chunk: no call to count
        }
        return io.pgmlsidecar.planner.metrics.CallMetrics.measureRows(session, call.function(), argumentRows,
                () -> function.apply(session, argumentRows));
    }

    public int typeOid(ResolvedCall call) {
        return entry(call).typeOid();
    }

    public String sqlType(ResolvedCall call) {
        return ResultValues.sqlName(typeOid(call));
    }

    /** The value's text form (null stays null). */
    public String text(Object value) {
        return ResultValues.text(value);
    }

    /** A typed SQL literal for splicing. */
    public String literal(ResolvedCall call, Object value) {
        return ResultValues.literal(typeOid(call), value);
    }

    /** The value in DataRow form, text (0) or binary (1). */
    public byte[] encode(ResolvedCall call, Object value, short format) {
        return ResultValues.encode(typeOid(call), value, format);
    }

    private Entry entry(ResolvedCall call) {
        Entry e = functions.get(call.function());
        if (e == null) {
            throw new IllegalStateException(call.function().qualifiedName() + " is not a row-wise function");
        }
        return e;
    }
}
