package io.pgmlsidecar.planner;

import io.pgmlsidecar.planner.functions.ApiFunction;
import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.functions.EmbeddingModels;
import io.pgmlsidecar.planner.functions.FunctionRegistry;
import io.pgmlsidecar.planner.functions.NotServedYet;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.scan.CallFinder;
import io.pgmlsidecar.planner.scan.CallSite;
import io.pgmlsidecar.planner.scan.SelectList;
import io.pgmlsidecar.planner.scan.SqlLexer;
import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.planner.scan.TopLevel;
import io.pgmlsidecar.planner.served.AloneForms;
import io.pgmlsidecar.planner.served.ServedFunctions;
import io.pgmlsidecar.planner.served.SetCalls;
import io.pgmlsidecar.planner.strategy.TwoPassSetCalls;
import io.pgmlsidecar.planner.strategy.ConstantSplice;
import io.pgmlsidecar.planner.strategy.ConstantsFirst;
import io.pgmlsidecar.planner.strategy.ExplainStaged;
import io.pgmlsidecar.planner.strategy.SelectListCalls;
import io.pgmlsidecar.planner.strategy.StagedCalls;
import io.pgmlsidecar.planner.prepared.SqlPrepare;
import io.pgmlsidecar.planner.strategy.StrategyStatement;
import io.pgmlsidecar.planner.strategy.SubqueryCalls;
import io.pgmlsidecar.planner.strategy.TableRowsSpliced;
import io.pgmlsidecar.planner.strategy.UpdateWithCalls;
import io.pgmlsidecar.planner.strategy.WriteFromSelect;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.InterceptedStatement;
import io.pgmlsidecar.proxy.intercept.Interceptor;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The planner's entry point: finds the calls of the API a statement makes and picks the strategy
 * that serves them (see DESIGN.md, S0–S4). A statement with no call the sidecar serves goes
 * through unchanged; a shape no strategy serves yet is refused with SQLSTATE 0A000, never
 * answered wrongly.
 */
public final class PgmlInterceptor implements Interceptor {

    static final Set<String> SCHEMAS = Set.of("pgml", "azure_ml", "azure_ai");
    private static final Set<String> OBJECT_WORDS = Set.of("drop", "alter", "comment", "grant", "revoke", "security");
    private static final Set<String> QUERY_WORDS = Set.of("select", "with", "insert", "update", "delete", "values", "table");

    private final CallFunctions functions = new CallFunctions();
    private final AloneForms alone = new AloneForms();
    private final SetCalls sets = new SetCalls();

    /** Without a model runtime: the API answers, model calls fail with a clear error. */
    public PgmlInterceptor() {
        this(SidecarServices.builder().build());
    }

    public PgmlInterceptor(EmbeddingModels models) {
        this(SidecarServices.builder().embeddings(models).build());
    }

    public PgmlInterceptor(SidecarServices services) {
        ServedFunctions.register(services, alone, functions, sets);
        bulkRouter = new io.pgmlsidecar.planner.strategy.EngineBulkUpdate.Router(services.bulkEngines(), services.embeddings(),
                new io.pgmlsidecar.planner.transform.LocalTransforms(services.transforms()));
    }

    /** Where UPDATE … SET col = pgml.embed(…) / pgml.transform(…) may go besides the sidecar ("engine", or by the table's size). */
    private final io.pgmlsidecar.planner.strategy.EngineBulkUpdate.Router bulkRouter;

    @Override
    public List<String> triggers() {
        // also matches the quoted forms ("pgml".embed(...))
        return List.of("pgml", "azure_ml", "azure_ai");
    }

    @Override
    public InterceptedStatement plan(String sql, SessionContext session) {
        if (readsBackslashesInPlainStrings(session) && sql.indexOf('\\') >= 0) {
            List<Token> asPostgresReadsIt = SqlLexer.tokenizeNonConforming(sql);
            if (!asPostgresReadsIt.equals(SqlLexer.tokenize(sql))) {
                // the planner scans as standard_conforming_strings = on; here a backslash moves a string's end
                if (CallFinder.find(sql, asPostgresReadsIt, SCHEMAS).isEmpty()) {
                    return null; // what looked like a call is inside a string: relayed untouched
                }
                throw new PgException(PgError.error("0A000", "pgml-sidecar does not serve API calls in a statement with "
                        + "backslashes in '…' strings while standard_conforming_strings is off",
                        "SET standard_conforming_strings = on (the default), or write such strings as E'…'."));
            }
        }
        List<Token> tokens = SqlLexer.tokenize(sql);
        if (StatementShape.statementCount(tokens) > 1) {
            // planned whole before anything runs, as PostgreSQL parses the whole string first
            List<String> statements = StatementShape.split(sql, tokens);
            List<InterceptedStatement> plans = new ArrayList<>(statements.size());
            boolean any = false;
            Set<String> prepared = new HashSet<>();
            for (String statement : statements) {
                List<Token> statementTokens = SqlLexer.tokenize(statement);
                InterceptedStatement p = planStatement(statement, statementTokens, session, prepared);
                if (p == null && isCopyFromClient(statementTokens)) {
                    throw new PgException(PgError.error("0A000", "pgml-sidecar does not serve COPY … FROM STDIN in a query string "
                            + "with pgml calls yet", "Send the COPY on its own."));
                }
                plans.add(p);
                any |= p != null;
            }
            return any ? new MultiStatementQuery(statements, plans) : null;
        }
        return planStatement(sql, tokens, session, new HashSet<>());
    }

    /** The backend reads '…' strings the old way: a backslash escapes there as in E'…' (it reported so). */
    private static boolean readsBackslashesInPlainStrings(SessionContext session) {
        return session != null && "off".equalsIgnoreCase(session.serverParameter("standard_conforming_strings"));
    }

    /** {@code prepared}: names a SQL-level PREPARE earlier in the same query string gives the sidecar. */
    private InterceptedStatement planStatement(String sql, List<Token> tokens, SessionContext session, Set<String> prepared) {
        List<ResolvedCall> calls = resolveCalls(sql, tokens);
        if (calls.isEmpty()) {
            // a session that prepared statements of the sidecar's hands their EXECUTE here too
            return session == null ? null : SqlPrepare.planFollowUp(sql, tokens, session, this::planBody, prepared);
        }
        StatementModel statement = new StatementModel(sql, tokens, calls, session, prepared);
        InterceptedStatement plan = null;
        for (Choice choice : choices) {
            plan = choice.plan(statement);
            if (plan != null) {
                break;
            }
        }
        if (plan == null) {
            // the general strategy, last: it serves the statement or refuses it with 0A000 and a hint
            plan = new StrategyStatement(StagedCalls.plan(sql, tokens, calls, functions));
        }
        if (plan instanceof StrategyStatement s) { // an UPDATE that names an engine: the engine may run it (decision 37t)
            io.pgmlsidecar.planner.strategy.Strategy routed = bulkRouter.around(sql, tokens, calls, s.strategy());
            return routed == s.strategy() ? plan : new StrategyStatement(routed);
        }
        return plan;
    }

    /**
     * One way of serving a statement: a plan, or null when it does not serve this statement. It
     * throws only for a statement that no strategy may serve (a call the API refuses in that place).
     */
    @FunctionalInterface
    private interface Choice {
        InterceptedStatement plan(StatementModel statement);
    }

    /** The choices, most specific first; the general strategy comes after them all. */
    private final List<Choice> choices = List.of(
            this::explainChoice, this::sqlPrepareChoice, this::aloneChoice, this::setCallsChoice, this::tableRowsChoice,
            this::refuseWhatNoStrategyServes, this::constantSpliceChoice, this::streamingChoice);

    private InterceptedStatement explainChoice(StatementModel statement) {
        return statement.startsWith("explain") ? explain(statement.sql(), statement.tokens(), statement.calls()) : null;
    }

    /** PostgreSQL would evaluate the calls itself at EXECUTE: the sidecar keeps the statement (decision 19). */
    private InterceptedStatement sqlPrepareChoice(StatementModel statement) {
        return statement.startsWith("prepare")
                ? SqlPrepare.planPrepare(statement.sql(), statement.tokens(), this::planBody, statement.prepared()) : null;
    }

    /** S0: one call with constant arguments standing alone ({@code SELECT f(…)}, {@code SELECT * FROM f(…)}). */
    private InterceptedStatement aloneChoice(StatementModel statement) {
        return statement.allConstant() && statement.calls().size() == 1 ? callAlone(statement.tokens(), statement.calls().get(0)) : null;
    }

    /** Set-returning calls (chunk, rank, transform_stream) in a larger query, in rounds with the other calls (decision 28). */
    private InterceptedStatement setCallsChoice(StatementModel statement) {
        List<ResolvedCall> calls = statement.calls();
        ResolvedCall setCall = calls.stream().filter(c -> sets.find(c.function()) != null).findFirst().orElse(null);
        if (setCall == null) {
            return null;
        }
        SetCalls.Served set = sets.find(setCall.function());
        List<ResolvedCall> others = calls.stream().filter(c -> c.function() != setCall.function()).toList();
        boolean nested = statement.nested();
        List<ResolvedCall> constants = others.stream().filter(c -> c.isConstant() && !statement.usesParameters(c)).toList();
        if (!constants.isEmpty() && !nested) {
            // e.g. PostgresML's RAG query: the question embedded once, then the ranking over rows
            return new StrategyStatement(new ConstantsFirst(statement.sql(), constants, functions, rest -> {
                InterceptedStatement plan = planStatement(rest, SqlLexer.tokenize(rest), null, new HashSet<>());
                if (plan instanceof StrategyStatement strategy) {
                    return strategy.strategy();
                }
                throw unsupported(setCall.site(), "this form of " + setCall.site().qualifiedName()
                        + "() next to calls with constant arguments", "Compute the constant calls in a separate statement first.");
            }));
        }
        SelectList topList = topSelectList(statement.tokens());
        if (!others.isEmpty() && !nested && topList != null && others.stream().allMatch(c -> functions.isRowWise(c)
                && sets.find(c.function()) == null && topList.itemAt(c.site().firstToken()) >= 0)) {
            List<ResolvedCall> setCalls = calls.stream().filter(c -> c.function() == setCall.function()).toList();
            return new StrategyStatement(TwoPassSetCalls.plan(statement.sql(), statement.tokens(), setCalls, set.tables(), set.rows(),
                    new TwoPassSetCalls.RowCalls(others, functions::sqlType, this::planSecondPass)));
        }
        for (ResolvedCall c : others) {
            throw unsupported(c.site(), "other pgml calls in a statement with " + setCall.site().qualifiedName()
                    + "() in a larger query", "Compute them in separate statements or CTEs.");
        }
        refuseNested(calls);
        return new StrategyStatement(TwoPassSetCalls.plan(statement.sql(), statement.tokens(), calls, set.tables(), set.rows()));
    }

    private InterceptedStatement tableRowsChoice(StatementModel statement) {
        return tableCallsInFrom(statement.sql(), statement.tokens(), statement.calls(), statement.nested());
    }

    /** Calls that no strategy serves where they stand: refused with 0A000 and a hint, before any strategy runs. */
    private InterceptedStatement refuseWhatNoStrategyServes(StatementModel statement) {
        boolean batchAllowed = statement.allConstant() && !statement.nested();
        for (ResolvedCall c : statement.calls()) {
            if (!functions.isRowWise(c)) {
                throw unsupported(c.site(), c.site().qualifiedName() + "() inside a larger statement or with row-dependent arguments",
                        "Call it on its own: SELECT " + c.site().qualifiedName() + "(...) or SELECT * FROM " + c.site().qualifiedName()
                                + "(...); for many rows, compute the inputs in a CTE first.");
            }
            if (c.isBatchForm(null, new int[0]) && !batchAllowed) {
                throw unsupported(c.site(), "the set-returning batch form of pgml.embed per row or inside another call",
                        "Embed one text per row: pgml.embed(model, column).");
            }
        }
        return null;
    }

    /** S1: every call's arguments constant, none nested: each evaluated once and spliced in. */
    private InterceptedStatement constantSpliceChoice(StatementModel statement) {
        if (!statement.allConstant() || statement.nested()) {
            return null;
        }
        for (ResolvedCall c : statement.calls()) {
            if (c.isBatchForm(null, new int[0])) {
                throw unsupported(c.site(), "the set-returning batch form of pgml.embed inside a larger statement",
                        "Use SELECT * FROM pgml.embed(model, ARRAY[...]) on its own, or embed one text per call.");
            }
        }
        return new StrategyStatement(new ConstantSplice(statement.sql(), statement.calls(), functions));
    }

    /** S2, S3 and materialised subqueries; a shape they do not serve (0A000) goes on to the general strategy. */
    private InterceptedStatement streamingChoice(StatementModel statement) {
        if (statement.nested()) {
            return null;
        }
        try {
            return specificStrategy(statement.sql(), statement.tokens(), statement.calls());
        } catch (PgException declined) {
            if (!"0A000".equals(declined.error().sqlState())) {
                throw declined;
            }
            return null;
        }
    }

    /**
     * {@code SELECT project FROM pgml.train(…)}: table functions with constant arguments as FROM
     * items, and no other calls; null for any other statement.
     */
    private InterceptedStatement tableCallsInFrom(String sql, List<Token> tokens, List<ResolvedCall> calls, boolean nested) {
        java.util.Map<ResolvedCall, TableRowsSpliced.Table> tables = new java.util.LinkedHashMap<>();
        for (ResolvedCall c : calls) {
            if (!(alone.find(c.function()) instanceof AloneForms.TableForm form) || functions.isRowWise(c)) {
                return null;
            }
            if (!c.isConstant() || nested || !TableRowsSpliced.standsInFrom(tokens, c)) {
                return null;
            }
            tables.put(c, new TableRowsSpliced.Table(form.columns(), form.action()));
        }
        return new StrategyStatement(new TableRowsSpliced(sql, tables));
    }

    /** A statement's pass after its set-returning calls were staged: planned as a statement of its own. */
    private io.pgmlsidecar.planner.strategy.Strategy planSecondPass(String sql) {
        InterceptedStatement plan = planStatement(sql, SqlLexer.tokenize(sql), null, new HashSet<>());
        if (plan instanceof StrategyStatement strategy) {
            return strategy.strategy();
        }
        throw new PgException(PgError.error("0A000", "pgml-sidecar does not serve this statement's pgml calls next to a "
                + "set-returning call yet", "Compute the set-returning call in a CTE or separate statement first."));
    }

    /** The select list of the statement's query: SELECT, WITH … SELECT, INSERT INTO t [(…)] [WITH …] SELECT. */
    private static SelectList topSelectList(List<Token> tokens) {
        if (tokens.isEmpty() || !tokens.get(0).isKeyword("insert")) {
            return SelectList.of(tokens);
        }
        int query = TopLevel.find(tokens, 1, t -> t.isKeyword("select") || t.isKeyword("with"));
        SelectList list = query < 0 ? null : SelectList.of(tokens.subList(query, tokens.size()));
        return list == null ? null : list.shifted(query);
    }

    /** The body of a SQL-level PREPARE, planned as a statement of its own. */
    private InterceptedStatement planBody(String body) {
        List<Token> bodyTokens = SqlLexer.tokenize(body);
        if (StatementShape.statementCount(bodyTokens) > 1) {
            throw new PgException(PgError.error("42601", "cannot insert multiple commands into a prepared statement", null));
        }
        InterceptedStatement plan = planStatement(body, bodyTokens, null, new HashSet<>());
        if (plan == null) {
            throw new PgException(PgError.error("0A000", "pgml-sidecar found no pgml call to serve in this prepared statement", null));
        }
        return plan;
    }

    /**
     * EXPLAIN of a statement with row-dependent calls: planned with the general strategy, whose
     * plan it shows above PostgreSQL's. Calls with constant arguments only are spliced, and
     * PostgreSQL explains the result.
     */
    private InterceptedStatement explain(String sql, List<Token> tokens, List<ResolvedCall> calls) {
        int inner = 1;
        if (inner < tokens.size() && tokens.get(inner).isPunct('(')) {
            inner = CallFinder.matchingParen(tokens, inner) + 1;
        }
        while (inner < tokens.size() && (tokens.get(inner).isKeyword("analyze") || tokens.get(inner).isKeyword("analyse")
                || tokens.get(inner).isKeyword("verbose"))) {
            inner++;
        }
        if (inner <= 0 || inner >= tokens.size()) {
            return null; // let PostgreSQL report the syntax error
        }
        String options = sql.substring(tokens.get(1).start(), tokens.get(inner).start()).strip();
        String statement = sql.substring(tokens.get(inner).start());
        List<Token> statementTokens = SqlLexer.tokenize(statement);
        List<ResolvedCall> statementCalls = resolveCalls(statement, statementTokens);
        if (statementCalls.stream().allMatch(ResolvedCall::isConstant)) {
            boolean rowWise = statementCalls.stream().allMatch(functions::isRowWise);
            if (rowWise) {
                return new StrategyStatement(new ConstantSplice(sql, calls, functions));
            }
        }
        for (ResolvedCall c : statementCalls) {
            if (!functions.isRowWise(c)) {
                throw unsupported(c.site(), "EXPLAIN of a statement that calls " + c.site().qualifiedName() + "()",
                        "EXPLAIN the statement's query without the call.");
            }
        }
        String lower = options.toLowerCase(java.util.Locale.ROOT);
        boolean analyze = lower.matches("(?s).*\\banaly[sz]e\\b(?!\\s+(false|off|0)\\b).*");
        boolean text = !lower.matches("(?s).*\\bformat\\s+(json|xml|yaml)\\b.*");
        return new StrategyStatement(new ExplainStaged(StagedCalls.plan(statement, statementTokens, statementCalls, functions),
                options, analyze, text));
    }

    /**
     * The strategies that stream row-dependent calls without staging (S2, S3, materialised
     * subqueries); null or 0A000 when none of them serves the statement.
     */
    private InterceptedStatement specificStrategy(String sql, List<Token> tokens, List<ResolvedCall> calls) {
        SelectList select = SelectList.of(tokens);
        if (select != null && calls.stream().filter(c -> !c.isConstant())
                .allMatch(c -> select.itemAt(c.site().firstToken()) >= 0)) {
            return new StrategyStatement(new SelectListCalls(sql, SelectTargets.of(tokens, select, calls), functions));
        }
        if (!tokens.isEmpty() && tokens.get(0).isKeyword("update")) {
            return new StrategyStatement(UpdateWithCalls.plan(sql, tokens, calls, functions));
        }
        java.util.function.Function<String, SelectListCalls> selectPlanner = selectSql -> {
            List<Token> selectTokens = SqlLexer.tokenize(selectSql);
            SelectList list = SelectList.of(selectTokens);
            if (list == null) {
                throw unsupported(firstRowDependent(calls).site(), "this subquery form around a row-dependent call",
                        "Use a plain SELECT … FROM … in the subquery or CTE.");
            }
            return new SelectListCalls(selectSql, SelectTargets.of(selectTokens, list, resolveCalls(selectSql, selectTokens)), functions);
        };
        SubqueryCalls subquery = SubqueryCalls.plan(sql, tokens, calls, selectPlanner, functions);
        if (subquery != null) {
            return new StrategyStatement(subquery);
        }
        WriteFromSelect write = WriteFromSelect.plan(sql, tokens, calls, selectPlanner, functions);
        return write == null ? null : new StrategyStatement(write);
    }

    private static void refuseNested(List<ResolvedCall> calls) {
        for (ResolvedCall outer : calls) {
            for (ResolvedCall inner : calls) {
                if (inner != outer && inner.site().start() > outer.site().start() && inner.site().end() <= outer.site().end()) {
                    throw unsupported(inner.site(), "a call of " + inner.site().qualifiedName() + " inside the arguments of "
                            + outer.site().qualifiedName(), "Compute the inner call in a subquery or CTE first.");
                }
            }
        }
    }

    private static boolean isCopyFromClient(List<Token> tokens) {
        if (tokens.isEmpty() || !tokens.get(0).isKeyword("copy")) {
            return false;
        }
        for (int i = 0; i + 1 < tokens.size(); i++) {
            if (tokens.get(i).isKeyword("from") && tokens.get(i + 1).isKeyword("stdin")) {
                return true;
            }
        }
        return false;
    }

    /** The calls of served functions in a statement, matched to their signatures. */
    List<ResolvedCall> resolveCalls(String sql, List<Token> tokens) {
        List<ResolvedCall> calls = new ArrayList<>();
        if (!tokens.isEmpty() && OBJECT_WORDS.contains(tokens.get(0).text().toLowerCase())) {
            return calls; // DROP FUNCTION pgml.predict(text, real[]), GRANT EXECUTE ON FUNCTION …: names, not calls
        }
        if (Definitions.storesExpressions(tokens)) {
            return calls; // a view, generated column, function body…: PostgreSQL evaluates it later (decision 26)
        }
        for (CallSite site : CallFinder.find(sql, tokens, SCHEMAS)) {
            ApiFunction f = FunctionRegistry.find(site.qualifiedName());
            if (f != null) {
                calls.add(ResolvedCall.resolve(sql, tokens, site, f));
            } else if (!tokens.isEmpty() && QUERY_WORDS.contains(tokens.get(0).text().toLowerCase())) {
                NotServedYet.refuse(site); // not in DDL such as DROP FUNCTION pgml.transform(text)
            }
        }
        return calls;
    }

    private InterceptedStatement callAlone(List<Token> tokens, ResolvedCall call) {
        CallSite site = call.site();
        String name = StatementShape.aloneInSelect(tokens, site);
        boolean inFrom = false;
        if (name == null) {
            name = StatementShape.aloneInFrom(tokens, site);
            inFrom = name != null;
        }
        AloneForms.Form form = alone.find(call.function());
        return name == null || form == null ? null : form.plan(call, inFrom, name);
    }

    private static ResolvedCall firstRowDependent(List<ResolvedCall> calls) {
        return calls.stream().filter(c -> !c.isConstant()).findFirst().orElse(calls.get(0));
    }

    static PgException unsupported(CallSite site, String shape, String hint) {
        return new PgException(new PgError("ERROR", "0A000", "pgml-sidecar does not serve " + shape + " yet",
                null, hint, site.start() + 1));
    }
}
