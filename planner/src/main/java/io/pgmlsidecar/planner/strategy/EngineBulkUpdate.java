package io.pgmlsidecar.planner.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgmlsidecar.ml.transformers.ClassifierFiles;
import io.pgmlsidecar.planner.bulk.BulkEngine;
import io.pgmlsidecar.planner.bulk.BulkEngines;
import io.pgmlsidecar.planner.bulk.BulkJob;
import io.pgmlsidecar.planner.bulk.BulkRequest;
import io.pgmlsidecar.planner.bulk.EmbeddingModelFiles;
import io.pgmlsidecar.planner.functions.ArgumentEvaluator;
import io.pgmlsidecar.planner.functions.ArgumentExpression;
import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.functions.EmbedCalls;
import io.pgmlsidecar.planner.functions.EmbeddingModels;
import io.pgmlsidecar.planner.functions.FunctionRegistry;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.scan.SqlLexer;
import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.planner.transform.LocalTransforms;
import io.pgmlsidecar.planner.transform.TransformArguments;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.BackendClient.StatementInfo;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code UPDATE t SET e = pgml.embed(m, body[, kwargs]) [WHERE p]} and
 * {@code UPDATE t SET c = pgml.transform('text-classification', args, ARRAY[body])[->0->>'label'] [WHERE p]} run by
 * another engine (decisions 34a, 37t): with {@code "engine": "spark"} in kwargs / args, or automatically when the
 * table's estimate reaches the engine's threshold.
 * <ol>
 *   <li>the session checks, as the caller and in the client's transaction, that it may run the UPDATE at all
 *       ({@code EXPLAIN}: PostgreSQL's own privilege error before any work);</li>
 *   <li>the job reads the committed rows as the caller, runs the sidecar's model files on them and fills a staging
 *       table {@code (pgml_ctid, pgml_hash, pgml_vector | pgml_result)} that only the caller can see;</li>
 *   <li>the session locks the rows the statement updates ({@code FOR UPDATE}) and checks that they are exactly the staged
 *       ones, same ctid and same text hash (a row changed or added since the job read it: 40001, nothing written);</li>
 *   <li>one {@code UPDATE … FROM staging WHERE ctid = pgml_ctid}, the call replaced by the staged result (so PostgreSQL
 *       evaluates what the statement does with it), applies it; the tag is the client's {@code UPDATE n}.</li>
 * </ol>
 * A failed, killed or cancelled job drops its staging table and leaves the table as it was.
 */
public final class EngineBulkUpdate {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The UPDATE, its one row-dependent call (in SET) with what an engine runs of it, and its constant calls. */
    record Parts(String sql, ResolvedCall call, Target target, List<ResolvedCall> constantCalls, UpdateShape shape) {}

    /**
     * The call's pieces an engine runs: the model (embed) or task (transform), kwargs / args, the row's text (for
     * transform the one element of {@code inputs => ARRAY[text]}, null when inputs is another expression).
     */
    private record Target(boolean classify, ArgumentExpression model, ArgumentExpression kwargs, ArgumentExpression text,
                          List<ArgumentExpression> otherArguments) {

        static Target of(ResolvedCall c, String sql) {
            var args = c.arguments();
            if (c.function() == FunctionRegistry.EMBED && args.size() >= 2) {
                return new Target(false, args.get(0), args.size() > 2 ? args.get(2) : null, args.get(1), List.of());
            }
            if (c.function() == FunctionRegistry.TRANSFORM && args.size() >= 3) {
                return new Target(true, args.get(0), args.get(1), onlyElement(args.get(2), sql), args.subList(3, args.size()));
            }
            return null;
        }

        String function() {
            return classify ? "pgml.transform" : "pgml.embed";
        }

        boolean constantModel() {
            return model.isConstant() && (kwargs == null || kwargs.isConstant()) && otherArguments.stream().allMatch(ArgumentExpression::isConstant);
        }
    }

    /** {@code x} of {@code ARRAY[x]} ({@code sql}: the statement the tokens are in); null for any other array expression. */
    static ArgumentExpression onlyElement(ArgumentExpression array, String sql) {
        List<Token> t = array.tokens();
        if (t.size() < 4 || !t.get(0).isKeyword("array") || !t.get(1).isPunct('[') || !t.get(t.size() - 1).isPunct(']')) {
            return null;
        }
        int depth = 0;
        for (int i = 1; i < t.size(); i++) {
            Token k = t.get(i);
            if (k.isPunct('(') || k.isPunct('[')) {
                depth++;
            } else if (k.isPunct(')') || k.isPunct(']')) {
                if (--depth == 0 && i != t.size() - 1) {
                    return null; // ARRAY[…] followed by more (a cast, a subscript): not the plain form
                }
            } else if (depth == 1 && k.isPunct(',')) {
                return null;
            }
        }
        return new ArgumentExpression(sql.substring(t.get(2).start(), t.get(t.size() - 2).end()), t.subList(2, t.size() - 1));
    }

    /** The engines and the model runtimes an UPDATE may be routed with. */
    public record Router(BulkEngines engines, EmbeddingModels models, LocalTransforms transforms) {

        /**
         * {@code local}, or a strategy that first asks whether another engine runs the UPDATE and else runs {@code local}:
         * only for an UPDATE whose one row-dependent call, in SET, is pgml.embed or pgml.transform and may name an
         * engine (or some engine takes updates automatically).
         */
        public Strategy around(String sql, List<Token> tokens, List<ResolvedCall> calls, Strategy local) {
            if (tokens.isEmpty() || !tokens.get(0).isKeyword("update")) {
                return local;
            }
            List<ResolvedCall> rowCalls = calls.stream().filter(c -> !c.isConstant()).toList();
            Target target = rowCalls.size() == 1 ? Target.of(rowCalls.get(0), sql) : null;
            if (target == null) {
                return local;
            }
            String kwargsText = target.kwargs() == null ? "" : target.kwargs().sql().toLowerCase(java.util.Locale.ROOT);
            if (!engines.hasAutomatic() && !kwargsText.contains("engine") && !kwargsText.contains("$")) {
                return local; // no engine can be meant: no extra round trip for the local UPDATE
            }
            UpdateShape shape;
            try {
                shape = UpdateShape.of(sql, tokens, rowCalls.get(0).site());
            } catch (PgException notAnUpdateWeRoute) {
                return local;
            }
            if (rowCalls.get(0).site().end() > shape.setEnd()) {
                return local;
            }
            List<ResolvedCall> constant = calls.stream().filter(ResolvedCall::isConstant).toList();
            return new Routed(this, new Parts(sql, rowCalls.get(0), target, constant, shape), local);
        }

        /** The routed execution, or null when the statement stays in the sidecar. */
        EngineBulkUpdate route(SessionContext session, Parts parts, BoundParameters parameters) {
            Target target = parts.target();
            boolean constantModel = target.constantModel();
            String model = null;
            String kwargsJson = null;
            if (constantModel) {
                List<ArgumentExpression> args = target.kwargs() == null ? List.of(target.model()) : List.of(target.model(), target.kwargs());
                List<String> values = ArgumentEvaluator.evaluate(session, args, parameters);
                model = values.get(0);
                kwargsJson = values.size() > 1 && values.get(1) != null ? values.get(1) : "{}";
                if (model == null) {
                    return null; // the sidecar reports a NULL model or task as it always does
                }
            }
            Object named = null;
            Map<String, Object> kwargs = Map.of();
            JsonNode pipelineArgs = null;
            if (kwargsJson != null && target.classify()) {
                ObjectNode a = (ObjectNode) TransformArguments.args(kwargsJson).deepCopy();
                JsonNode engine = a.remove("engine");
                named = engine == null || engine.isNull() ? null : engine.asText();
                pipelineArgs = a;
            } else if (kwargsJson != null) {
                kwargs = new LinkedHashMap<>(EmbedCalls.kwargs(kwargsJson));
                named = kwargs.remove("engine");
            }
            if ("local".equals(named) || "sidecar".equals(named)) {
                return null;
            }
            boolean explicit = named != null;
            if (!explicit && !engines.hasAutomatic()) {
                return null;
            }
            String why = constantModel ? unsupported(parts, target) : "a model, task or arguments that depend on the row";
            if (why != null) {
                if (explicit) {
                    throw new PgException(new PgError("ERROR", "0A000", "the " + named + " engine of " + target.function() + " does not serve "
                            + why, null, "Write " + shapeHint(target, named.toString()) + ", or leave \"engine\" out to run it in the sidecar.",
                            parts.call().site().start() + 1));
                }
                return null;
            }
            List<String[]> rel = BackendSteps.query(session.backend(), "SELECT c.oid::regclass::text, c.relkind::text, quote_ident(n.nspname), "
                    + "c.reltuples::int8 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1::regclass",
                    parts.shape().relation());
            if (rel.isEmpty() || !"r".equals(rel.get(0)[1])) {
                if (explicit) {
                    throw new PgException("0A000", "the " + named + " engine of " + target.function() + " updates plain tables; "
                            + parts.shape().relation() + " is not one",
                            "It reads the table in ranges of its heap blocks (ctid); update partitioned tables per partition, or leave \"engine\" out.");
                }
                return null;
            }
            BulkEngine engine;
            if (explicit) {
                engine = engines.get(named.toString());
            } else {
                long rows = Long.parseLong(rel.get(0)[3]);
                engine = rows < 0 ? null : engines.automaticFor(rows).orElse(null);
                if (engine == null) {
                    return null;
                }
            }
            EmbeddingModelFiles embedding = null;
            ClassifierFiles classifier = null;
            if (target.classify()) {
                TransformArguments call = new TransformArguments(TransformArguments.task(model), pipelineArgs, List.of());
                classifier = transforms.classifierFiles(session, call).orElse(null);
                if (classifier == null) {
                    if (explicit) {
                        throw new PgException("0A000", "the " + named + " engine of pgml.transform runs text-classification (sentiment-analysis) "
                                + "and token-classification (ner) with models of the sidecar's models directory; task " + call.taskName()
                                + (call.model() == null ? "" : " with model \"" + call.model() + "\"") + " is not one",
                                "Classify with a model placed in the models directory (Hugging Face layout with model.onnx), or leave \"engine\" out.");
                    }
                    return null;
                }
            } else {
                embedding = models.files(model, kwargs).orElse(null);
                if (embedding == null) {
                    if (explicit) {
                        throw new PgException("0A000", "the " + named + " engine of pgml.embed runs models of the sidecar's models directory; \""
                                + model + "\" is not one", "Place the model in the models directory (Hugging Face layout), or leave \"engine\" out.");
                    }
                    return null;
                }
            }
            if (!explicit) {
                notice(session, (target.classify() ? "Classifying" : "Embedding") + " on " + engine.name() + ": " + rel.get(0)[0] + " has about "
                        + rel.get(0)[3] + " rows (the " + engine.name() + " engine takes updates from " + engine.automaticAboveRows() + " rows)");
            }
            return new EngineBulkUpdate(engine, parts, target, embedding, classifier, rel.get(0)[0], rel.get(0)[2]);
        }

        private static String shapeHint(Target target, String engine) {
            return target.classify()
                    ? "UPDATE t SET col = pgml.transform('text-classification', '{\"engine\": \"" + engine + "\"}', ARRAY[text_column])"
                            + " [WHERE plain predicate on t]"
                    : "UPDATE t SET col = pgml.embed('model', text_column, '{\"engine\": \"" + engine + "\"}') [WHERE plain predicate on t]";
        }

        /** Why the engine path cannot run this UPDATE, or null when it can. */
        private static String unsupported(Parts p, Target target) {
            if (p.shape().returningStart() >= 0) {
                return "UPDATE … RETURNING";
            }
            if (!p.constantCalls().isEmpty()) {
                return "an UPDATE with other pgml calls";
            }
            if (target.text() == null) {
                return "inputs other than ARRAY[one text expression]";
            }
            if (!plain(target.text().tokens())) {
                return "a text argument with a subquery or a parameter";
            }
            if (p.shape().whereStart() >= 0 && !plain(SqlLexer.tokenize(p.sql().substring(p.shape().whereStart())))) {
                return "a WHERE clause with a subquery or a parameter";
            }
            return null;
        }

        /** No subquery, no parameter (the job's connections have neither the statement's parameters nor its snapshot). */
        private static boolean plain(List<Token> tokens) {
            for (Token t : tokens) {
                if (t.isKeyword("select") || t.isKeyword("exists") || t.text().startsWith("$")) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The UPDATE's strategy when it may go to an engine: the engine's run, or else the sidecar's own strategy. */
    private static final class Routed implements Strategy {
        private final Router router;
        private final Parts parts;
        private final Strategy local;

        Routed(Router router, Parts parts, Strategy local) {
            this.router = router;
            this.parts = parts;
            this.local = local;
        }

        @Override
        public StatementInfo describe(SessionContext session, int[] declaredParameterOids) {
            return local.describe(session, declaredParameterOids);
        }

        @Override
        public Execution start(SessionContext session, BoundParameters parameters, short[] resultFormats) {
            return new Execution() {
                private Execution sidecar;

                @Override
                public String fetch(SessionContext s, int maxRows) {
                    if (sidecar == null) {
                        EngineBulkUpdate remote = router.route(s, parts, parameters);
                        if (remote != null) {
                            return remote.run(s);
                        }
                        sidecar = local.start(s, parameters, resultFormats);
                    }
                    return sidecar.fetch(s, maxRows);
                }

                @Override
                public void close(SessionContext s) {
                    if (sidecar != null) {
                        sidecar.close(s);
                    }
                }
            };
        }

        @Override
        public boolean usesBackendSteps() {
            return true; // the engine's run leaves its UPDATE's extended exchange open, as the UPDATE strategies do
        }
    }

    private final BulkEngine engine;
    private final Parts parts;
    private final Target target;
    private final EmbeddingModelFiles embedding;
    private final ClassifierFiles classifier;
    private final String relation;
    private final String schema;

    private EngineBulkUpdate(BulkEngine engine, Parts parts, Target target, EmbeddingModelFiles embedding, ClassifierFiles classifier,
                             String relation, String schema) {
        this.engine = engine;
        this.parts = parts;
        this.target = target;
        this.embedding = embedding;
        this.classifier = classifier;
        this.relation = relation;
        this.schema = schema;
    }

    String run(SessionContext session) {
        BackendClient backend = session.backend();
        UpdateShape shape = parts.shape();
        String setList = parts.sql().substring(0, shape.setEnd());
        String noValue = target.classify() ? "(NULL::jsonb)" : "NULL";
        // PostgreSQL's own privilege and policy errors, as the caller, before the job spends anything
        BackendSteps.query(backend, "EXPLAIN " + Splice.replaceCalls(setList, List.of(parts.call()), c -> noValue) + " WHERE false");
        List<String[]> who = BackendSteps.query(backend, "SELECT current_user::text, current_database()::text");
        String where = shape.whereStart() < 0 ? null
                : UpdateWithCalls.withoutSemicolon(parts.sql().substring(shape.whereStart() + "where".length())).strip();
        String text = target.text().sql();
        String staging = schema + (target.classify() ? ".pgml_transform_" : ".pgml_embed_") + HexFormat.of().formatHex(randomId());
        BulkRequest request = new BulkRequest(who.get(0)[1], who.get(0)[0], relation, shape.from(), shape.reference(), text, where,
                staging, embedding, classifier);
        BulkJob job = engine.start(request);
        long staged;
        try {
            staged = job.awaitStaged(m -> notice(session, m), session::cancelRequested);
        } catch (RuntimeException e) {
            job.close();
            throw e;
        }
        try {
            String ref = shape.reference();
            // the rows this statement updates, locked until the client's transaction ends, against the staged ones
            String current = "SELECT " + ref + ".ctid AS c, hashtext((" + text + ")::text) AS h FROM " + shape.from()
                    + (where == null ? "" : " WHERE " + where) + " FOR UPDATE OF " + ref;
            List<String[]> check = BackendSteps.query(backend, "SELECT count(*), count(s.pgml_ctid) FROM (" + current + ") x LEFT JOIN "
                    + staging + " s ON s.pgml_ctid = x.c AND s.pgml_hash IS NOT DISTINCT FROM x.h");
            long now = Long.parseLong(check.get(0)[0]);
            long matched = Long.parseLong(check.get(0)[1]);
            if (now != staged || matched != staged) {
                throw new PgException("40001", "the rows to update changed while the " + engine.name() + " job read them ("
                        + staged + (target.classify() ? " classified, " : " embedded, ") + now + " to update now, " + matched + " of them unchanged); nothing was updated",
                        "The job reads committed rows only: commit this transaction's changes to " + relation
                                + " first, keep other writers off the rows meanwhile, and run the UPDATE again.");
            }
            String update = Splice.replaceCalls(setList, List.of(parts.call()), c -> staging + "." + request.resultColumn())
                    + " FROM " + staging + " WHERE " + ref + ".ctid = " + staging + ".pgml_ctid";
            backend.prepare("", update, new int[0]);
            backend.bind("", "", new short[0], new byte[0][], new short[0]);
            return backend.execute("", 0, BackendSteps.toClient(session));
        } finally {
            job.releaseAfterTransaction();
        }
    }

    private static byte[] randomId() {
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        return id;
    }

    static void notice(SessionContext session, String message) {
        session.client().notice(new PgError("NOTICE", "00000", message, null, null, 0));
        session.client().flush();
    }
}
