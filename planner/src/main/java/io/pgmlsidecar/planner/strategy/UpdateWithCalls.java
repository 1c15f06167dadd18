package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.scan.CallSite;
import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.proxy.codec.PgError;
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
    /** The table as named (no ONLY, alias or *), for routing to another engine. */
    private final String relation;
    private final EngineEmbedUpdate.Router router;
    private int[] parameterOids;

    private UpdateWithCalls(String sql, List<ResolvedCall> rowCalls, List<ResolvedCall> constantCalls, String targetReference,
                            String tableClause, int setEnd, int whereStart, int returningStart, CallFunctions functions,
                            String relation, EngineEmbedUpdate.Router router) {
        this.sql = sql;
        this.rowCalls = rowCalls;
        this.constantCalls = constantCalls;
        this.targetReference = targetReference;
        this.tableClause = tableClause;
        this.setEnd = setEnd;
        this.whereStart = whereStart;
        this.returningStart = returningStart;
        this.functions = functions;
        this.relation = relation;
        this.router = router;
    }

    public static UpdateWithCalls plan(String sql, List<Token> tokens, List<ResolvedCall> calls, CallFunctions functions) {
        return plan(sql, tokens, calls, functions, null);
    }

    /** As {@link #plan(String, List, List, CallFunctions)}; {@code router} may send the update to another engine (null: never). */
    public static UpdateWithCalls plan(String sql, List<Token> tokens, List<ResolvedCall> calls, CallFunctions functions,
                                       EngineEmbedUpdate.Router router) {
        int i = 1;
        int tableStart = i;
        if (i < tokens.size() && tokens.get(i).isKeyword("only")) {
            i++;
        }
        int nameStart = i;
        while (i < tokens.size() && !tokens.get(i).isKeyword("set")) {
            i++;
        }
        if (i >= tokens.size()) {
            throw unsupported(calls.get(0).site(), "this UPDATE form", "Write UPDATE table SET col = pgml.embed(...) WHERE ...");
        }
        int setKeyword = i;
        // table [*] [[AS] alias]: the reference for ctid is the alias when there is one
        List<Token> head = tokens.subList(nameStart, setKeyword);
        Token last = head.get(head.size() - 1);
        boolean aliased = head.size() >= 2 && isName(last) && !head.get(head.size() - 2).isPunct('.');
        String target = aliased ? last.text() : (last.text().equals("*") ? head.get(head.size() - 2) : last).text();
        String tableClause = sql.substring(tokens.get(tableStart).start(), tokens.get(setKeyword - 1).end());
        int nameEnd = head.size() - 1;
        if (aliased) {
            nameEnd -= head.size() >= 3 && head.get(head.size() - 2).isKeyword("as") ? 2 : 1;
        }
        if (head.get(nameEnd).text().equals("*")) {
            nameEnd--;
        }
        String relation = sql.substring(head.get(0).start(), head.get(Math.max(nameEnd, 0)).end());
        int depth = 0;
        int setEnd = -1;
        int whereStart = -1;
        int returningStart = -1;
        List<int[]> items = new ArrayList<>();
        int itemStart = setKeyword + 1;
        for (i = setKeyword + 1; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isPunct('(') || t.isPunct('[')) {
                depth++;
            } else if (t.isPunct(')') || t.isPunct(']')) {
                depth--;
            } else if (depth == 0 && t.isPunct(',') && setEnd < 0) {
                items.add(new int[] {itemStart, i - 1});
                itemStart = i + 1;
            } else if (depth == 0 && (t.isKeyword("from") || t.isKeyword("where") || t.isKeyword("returning") || t.isPunct(';'))) {
                if (setEnd < 0) {
                    items.add(new int[] {itemStart, i - 1});
                    setEnd = tokens.get(i - 1).end();
                }
                if (t.isKeyword("from")) {
                    throw unsupported(calls.get(0).site(), "UPDATE … FROM with a row-dependent pgml call",
                            "Compute the values in a CTE and update from it, or drop the FROM list.");
                }
                if (t.isKeyword("where")) {
                    if (i + 1 < tokens.size() && tokens.get(i + 1).isKeyword("current")) {
                        throw unsupported(calls.get(0).site(), "UPDATE … WHERE CURRENT OF with a pgml call", "Use a key in WHERE.");
                    }
                    whereStart = t.start();
                } else if (t.isKeyword("returning")) {
                    returningStart = t.start();
                }
            }
        }
        if (setEnd < 0) {
            items.add(new int[] {itemStart, tokens.size() - 1});
            setEnd = tokens.get(tokens.size() - 1).end();
        }
        List<ResolvedCall> rowCalls = new ArrayList<>();
        List<ResolvedCall> constant = new ArrayList<>();
        for (ResolvedCall c : calls) {
            if (c.isConstant()) {
                constant.add(c);
                continue;
            }
            CallSite site = c.site();
            boolean whole = false;
            for (int[] item : items) {
                // col = call, the call being the whole value
                whole |= item[1] == site.lastToken() && site.firstToken() == item[0] + 2
                        && isName(tokens.get(item[0])) && tokens.get(item[0] + 1).text().equals("=");
            }
            if (!whole || site.end() > setEnd) {
                throw unsupported(site, "a row-dependent call of " + site.qualifiedName()
                                + " in UPDATE that is not the whole value of a SET item",
                        "Write SET col = " + site.qualifiedName() + "(...) and compute other expressions from col afterwards.");
            }
            if (c.isBatchForm(null, new int[0])) {
                throw unsupported(site, "the set-returning batch form of pgml.embed in UPDATE", "Embed one text per row.");
            }
            rowCalls.add(c);
        }
        return new UpdateWithCalls(sql, rowCalls, constant, target, tableClause, setEnd, whereStart, returningStart, functions,
                relation, router);
    }

    private static boolean isName(Token t) {
        return t.kind() == Token.Kind.IDENTIFIER || t.kind() == Token.Kind.QUOTED_IDENTIFIER;
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
        if (router != null && rowCalls.size() == 1) {
            EngineEmbedUpdate remote = router.route(session, new EngineEmbedUpdate.Parts(sql, rowCalls.get(0), constantCalls, relation,
                    tableClause, targetReference, setEnd, whereStart, returningStart), parameters);
            if (remote != null) {
                return remote.run(session, parameters);
            }
        }
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
        return new PgException(new PgError("ERROR", "0A000", "pgml-sidecar does not serve " + shape + " yet",
                null, hint, site.start() + 1));
    }
}
