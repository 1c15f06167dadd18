package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.scan.CallSite;
import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.BackendClient.StatementInfo;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Comparator;

/**
 * S3 for {@code UPDATE t SET col = pgml.embed(m, body) [, …] [WHERE …] [RETURNING …]}, all in the
 * client's transaction: (1) read the target rows' ctids and the calls' arguments with
 * {@code FOR UPDATE}, in chunks from a suspended portal; (2) run the model per chunk; (3) stage
 * the results in a temporary table; (4) one UPDATE joined on ctid applies them. An error or a
 * disconnect anywhere leaves nothing written, as with any statement of the transaction.
 */
public final class UpdateWithCalls implements Strategy {

    private final String sql;
    /** Row-dependent calls, each the whole value of a SET item. */
    private final List<ResolvedCall> rowCalls;
    /** Calls with constant arguments: evaluated once and spliced. */
    private final List<ResolvedCall> constantCalls;
    private final String targetReference;
    /** Text of "UPDATE … SET items" (end offset), and where WHERE / RETURNING start (-1 if absent). */
    private final int setEnd;
    private final int whereStart;
    private final int returningStart;
    private final String tableClause;
    private final CallFunctions functions;
    private int[] parameterOids;

    private UpdateWithCalls(String sql, List<ResolvedCall> rowCalls, List<ResolvedCall> constantCalls, UpdateShape shape,
                            CallFunctions functions) {
        this.sql = sql;
        this.rowCalls = rowCalls;
        this.constantCalls = constantCalls;
        this.targetReference = shape.reference();
        this.tableClause = shape.from();
        this.setEnd = shape.setEnd();
        this.whereStart = shape.whereStart();
        this.returningStart = shape.returningStart();
        this.functions = functions;
    }

    public static UpdateWithCalls plan(String sql, List<Token> tokens, List<ResolvedCall> calls, CallFunctions functions) {
        UpdateShape shape = UpdateShape.of(sql, tokens, calls.get(0).site());
        int setEnd = shape.setEnd();
        List<ResolvedCall> rowCalls = new ArrayList<>();
        List<ResolvedCall> constant = new ArrayList<>();
        for (ResolvedCall c : calls) {
            if (c.isConstant()) {
                constant.add(c);
                continue;
            }
            CallSite site = c.site();
            if (!shape.isWholeValue(tokens, site) || site.end() > setEnd) {
                throw unsupported(site, "a row-dependent call of " + site.qualifiedName()
                                + " in UPDATE that is not the whole value of a SET item",
                        "Write SET col = " + site.qualifiedName() + "(...) and compute other expressions from col afterwards.");
            }
            if (c.isBatchForm(null, new int[0])) {
                throw unsupported(site, "the set-returning batch form of pgml.embed in UPDATE", "Embed one text per row.");
            }
            rowCalls.add(c);
        }
        return new UpdateWithCalls(sql, rowCalls, constant, shape, functions);
    }

    @Override
    public StatementInfo describe(SessionContext session, int[] declared) {
        List<ResolvedCall> all = new ArrayList<>(rowCalls);
        all.addAll(constantCalls);
        int[] oids = ParameterTypes.forCalls(declared, all);
        StatementInfo info = Splice.describeShape(session, sql, all, oids, functions);
        parameterOids = ParameterTypes.orText(info.parameterTypeOids());
        return info;
    }

    @Override
    public Execution start(SessionContext session, BoundParameters parameters, short[] resultFormats) {
        return (s, maxRows) -> run(s, parameters, resultFormats);
    }

    private String run(SessionContext session, BoundParameters parameters, short[] resultFormats) {
        BackendClient backend = session.backend();
        Map<ResolvedCall, String> constants = ConstantSplice.evaluateOnce(session, constantCalls, parameters, functions);
        VectorStaging staging = new VectorStaging(rowCalls, functions);
        staging.create(backend);

        StringBuilder read = new StringBuilder("SELECT ").append(targetReference).append(".ctid::text");
        for (ResolvedCall c : rowCalls) {
            read.append(", ").append(Splice.carrier(c));
        }
        read.append(" FROM ").append(tableClause);
        if (whereStart >= 0) {
            int whereEnd = returningStart >= 0 ? returningStart : sql.length();
            read.append(' ').append(spliceConstantsIn(withoutSemicolon(sql.substring(whereStart, whereEnd)), whereStart, constants));
        }
        read.append(" FOR UPDATE OF ").append(targetReference);
        staging.fillFrom(session, read.toString(), parameterOids, parameters);

        Map<ResolvedCall, String> replacement = new HashMap<>(constants);
        for (int k = 0; k < rowCalls.size(); k++) {
            replacement.put(rowCalls.get(k), staging.name() + ".v" + k);
        }
        List<ResolvedCall> inSet = replacement.keySet().stream().filter(c -> c.site().end() <= setEnd).toList();
        StringBuilder update = new StringBuilder(Splice.replaceCalls(sql.substring(0, setEnd), inSet, replacement::get));
        update.append(" FROM ").append(staging.name()).append(" WHERE ").append(targetReference).append(".ctid = ")
                .append(staging.name()).append(".row_ctid");
        if (returningStart >= 0) {
            update.append(' ').append(spliceConstantsIn(withoutSemicolon(sql.substring(returningStart)), returningStart, constants));
        }
        backend.prepare("", update.toString(), parameterOids);
        backend.bind("", "", parameters.formats(), parameters.values(), resultFormats);
        String tag = backend.execute("", 0, BackendSteps.toClient(session));
        staging.drop(backend);
        return tag;
    }

    static String withoutSemicolon(String part) {
        return part.replaceFirst(";\\s*$", "");
    }

    private String spliceConstantsIn(String part, int offset, Map<ResolvedCall, String> constants) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        for (ResolvedCall c : constantCalls.stream().sorted(Comparator.comparingInt(x -> x.site().start())).toList()) {
            int s = c.site().start() - offset;
            int e = c.site().end() - offset;
            if (s >= 0 && e <= part.length()) {
                out.append(part, at, s).append(constants.get(c));
                at = e;
            }
        }
        return out.append(part.substring(at)).toString();
    }

    private static PgException unsupported(CallSite site, String shape, String hint) {
        return UpdateShape.unsupported(site, shape, hint);
    }
}
