package io.pgmlsidecar.planner.served;

import io.pgmlsidecar.planner.functions.ApiFunction;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.strategy.CallAlone;
import io.pgmlsidecar.planner.strategy.StrategyStatement;
import io.pgmlsidecar.planner.strategy.TableCall;
import io.pgmlsidecar.planner.values.ResultValues;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.intercept.InterceptedStatement;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How each function is answered when its call stands alone in the statement (S0:
 * {@code SELECT call [AS x]} or {@code SELECT * FROM call [x]}), with builders for the usual
 * result shapes: one scalar, a set of scalars, a table.
 */
public final class AloneForms {

    /** Plans the statement; {@code columnName} is the alias or the function's name. */
    @FunctionalInterface
    public interface Form {
        InterceptedStatement plan(ResolvedCall call, boolean inFrom, String columnName);
    }

    /** A scalar function of the argument text forms; returns a value for {@link ResultValues} (null = NULL). */
    @FunctionalInterface
    public interface Scalar {
        Object apply(SessionContext session, List<String> arguments);
    }

    /** The same scalar function over many argument rows, for the strategies that batch (S1–S3). */
    public static io.pgmlsidecar.planner.functions.CallFunctions.RowFunction rowWise(Scalar function) {
        return (session, rows) -> {
            Object[] out = new Object[rows.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = function.apply(session, java.util.Arrays.asList(rows.get(i)));
            }
            return out;
        };
    }

    /** A set-returning function of one column. */
    @FunctionalInterface
    public interface SetOf {
        List<?> apply(SessionContext session, List<String> arguments);
    }

    private final Map<ApiFunction, Form> forms = new HashMap<>();

    public AloneForms add(ApiFunction function, Form form) {
        forms.put(function, form);
        return this;
    }

    public Form find(ApiFunction function) {
        return forms.get(function);
    }

    /**
     * One row with one value. {@code usesBackendSteps}: the function runs extended-protocol steps on
     * the session (registry look-ups), which the strategy must then frame.
     */
    public static Form scalar(int typeOid, boolean usesBackendSteps, Scalar function) {
        return (call, inFrom, name) -> new StrategyStatement(new CallAlone(call, column(name, typeOid),
                (s, args, format) -> java.util.Collections.singletonList(ResultValues.encode(typeOid, function.apply(s, args), format)),
                usesBackendSteps));
    }

    /** Any number of rows of one value each (SETOF type, or TABLE with one column). */
    public static Form setOf(int typeOid, boolean usesBackendSteps, SetOf function) {
        return (call, inFrom, name) -> new StrategyStatement(new CallAlone(call, column(name, typeOid), (s, args, format) -> {
            List<byte[]> rows = new ArrayList<>();
            for (Object v : function.apply(s, args)) {
                rows.add(ResultValues.encode(typeOid, v, format));
            }
            return rows;
        }, usesBackendSteps));
    }

    /** Rows of several columns: separate columns in FROM, one composite value in the select list. */
    public static Form table(List<Column> columns, TableCall.Action action) {
        return new TableForm(columns, action);
    }

    /** A function returning a table: also served as a FROM item of a larger query ({@code TableRowsSpliced}). */
    public record TableForm(List<Column> columns, TableCall.Action action) implements Form {
        @Override
        public InterceptedStatement plan(ResolvedCall call, boolean inFrom, String columnName) {
            return new StrategyStatement(new TableCall(call, columns, !inFrom, columnName, action));
        }
    }

    public static Column column(String name, int typeOid) {
        return Column.computed(name, typeOid, ResultValues.typeSize(typeOid));
    }
}
