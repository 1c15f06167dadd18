package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.bulk.BulkEmbedJob;
import io.pgmlsidecar.planner.bulk.BulkEmbedRequest;
import io.pgmlsidecar.planner.bulk.EmbeddingEngine;
import io.pgmlsidecar.planner.bulk.EmbeddingEngines;
import io.pgmlsidecar.planner.bulk.EmbeddingModelFiles;
import io.pgmlsidecar.planner.functions.ArgumentEvaluator;
import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.functions.EmbedCalls;
import io.pgmlsidecar.planner.functions.EmbeddingModels;
import io.pgmlsidecar.planner.functions.FunctionRegistry;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.scan.SqlLexer;
import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code UPDATE t SET e = pgml.embed(m, body[, kwargs]) [WHERE p]} embedded by another engine (decision 34a): with
 * {@code "engine": "spark"} in kwargs, or automatically when the table's estimate reaches the engine's threshold.
 * <ol>
 *   <li>the session checks, as the caller and in the client's transaction, that it may run the UPDATE at all
 *       ({@code EXPLAIN}: PostgreSQL's own privilege error before any work);</li>
 *   <li>the job reads the committed rows as the caller, embeds them with the sidecar's model files and fills a staging
 *       table {@code (pgml_ctid, pgml_hash, pgml_vector)} that only the caller can see;</li>
 *   <li>the session locks the rows the statement updates ({@code FOR UPDATE}) and checks that they are exactly the staged
 *       ones, same ctid and same text hash (a row changed or added since the job read it: 40001, nothing written);</li>
 *   <li>one {@code UPDATE … FROM staging WHERE ctid = pgml_ctid} applies it; the tag is the client's {@code UPDATE n}.</li>
 * </ol>
 * A failed, killed or cancelled job drops its staging table and leaves the table as it was.
 */
public final class EngineEmbedUpdate {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** What the planner knows of the UPDATE (see {@link UpdateWithCalls}). */
    record Parts(String sql, ResolvedCall call, List<ResolvedCall> constantCalls, String relation, String from, String reference,
                 int setEnd, int whereStart, int returningStart) {}

    /** The engines and the model runtime an UPDATE may be routed with. */
    public record Router(EmbeddingEngines engines, EmbeddingModels models) {

        /** The routed execution, or null when the statement stays in the sidecar. */
        EngineEmbedUpdate route(SessionContext session, Parts parts, BoundParameters parameters) {
            if (parts.call() == null || parts.call().function() != FunctionRegistry.EMBED || parts.call().arguments().size() < 2) {
                return null;
            }
            var args = parts.call().arguments();
            String kwargsText = args.size() < 3 ? "" : args.get(2).sql().toLowerCase(java.util.Locale.ROOT);
            if (!engines.hasAutomatic() && !kwargsText.contains("engine") && !kwargsText.contains("$")) {
                return null; // no engine can be meant: no extra round trip for the local UPDATE
            }
            boolean constantModel = args.get(0).isConstant() && (args.size() < 3 || args.get(2).isConstant());
            String kwargsJson = null;
            String model = null;
            if (constantModel) {
                List<String> values = ArgumentEvaluator.evaluate(session, args.size() < 3 ? List.of(args.get(0)) : List.of(args.get(0), args.get(2)),
                        parameters);
                model = values.get(0);
                kwargsJson = values.size() > 1 ? values.get(1) : "{}";
            }
            Map<String, Object> kwargs = kwargsJson == null ? Map.of() : new LinkedHashMap<>(EmbedCalls.kwargs(kwargsJson));
            Object named = kwargs.remove("engine");
            if ("local".equals(named) || "sidecar".equals(named)) {
                return null;
            }
            boolean explicit = named != null;
            if (!explicit && !engines.hasAutomatic()) {
                return null;
            }
            String why = constantModel ? unsupported(parts) : "a model name or kwargs that depend on the row";
            if (why != null) {
                if (explicit) {
                    throw new PgException(new PgError("ERROR", "0A000", "the " + named + " engine of pgml.embed does not serve " + why,
                            null, "Write UPDATE t SET col = pgml.embed('model', text_column, '{\"engine\": \"" + named
                                    + "\"}') [WHERE plain predicate on t], or leave \"engine\" out to embed in the sidecar.",
                            parts.call().site().start() + 1));
                }
                return null;
            }
            List<String[]> rel = BackendSteps.query(session.backend(), "SELECT c.oid::regclass::text, c.relkind::text, quote_ident(n.nspname), "
                    + "c.reltuples::int8 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1::regclass", parts.relation());
            if (rel.isEmpty() || !"r".equals(rel.get(0)[1])) {
                if (explicit) {
                    throw new PgException("0A000", "the " + named + " engine of pgml.embed updates plain tables; " + parts.relation() + " is not one",
                            "It reads the table in ranges of its heap blocks (ctid); embed partitioned tables per partition, or leave \"engine\" out.");
                }
                return null;
            }
            EmbeddingEngine engine;
            if (explicit) {
                engine = engines.get(named.toString());
            } else {
                long rows = Long.parseLong(rel.get(0)[3]);
                engine = rows < 0 ? null : engines.automaticFor(rows).orElse(null);
                if (engine == null) {
                    return null;
                }
            }
            EmbeddingModelFiles files = models.files(model, kwargs).orElse(null);
            if (files == null) {
                if (explicit) {
                    throw new PgException("0A000", "the " + named + " engine of pgml.embed runs models of the sidecar's models directory; \""
                            + model + "\" is not one", "Place the model in the models directory (Hugging Face layout), or leave \"engine\" out.");
                }
                return null;
            }
            if (!explicit) {
                notice(session, "Embedding on " + engine.name() + ": " + rel.get(0)[0] + " has about " + rel.get(0)[3] + " rows (the "
                        + engine.name() + " engine takes updates from " + engine.automaticAboveRows() + " rows)");
            }
            return new EngineEmbedUpdate(engine, parts, files, rel.get(0)[0], rel.get(0)[2]);
        }

        /** Why the Spark path cannot run this UPDATE, or null when it can. */
        private static String unsupported(Parts p) {
            if (p.returningStart() >= 0) {
                return "UPDATE … RETURNING";
            }
            if (!p.constantCalls().isEmpty()) {
                return "an UPDATE with other pgml calls";
            }
            if (!plain(p.call().arguments().get(1).tokens())) {
                return "a text argument with a subquery or a parameter";
            }
            if (p.whereStart() >= 0 && !plain(SqlLexer.tokenize(p.sql().substring(p.whereStart())))) {
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

    private final EmbeddingEngine engine;
    private final Parts parts;
    private final EmbeddingModelFiles files;
    private final String relation;
    private final String schema;

    private EngineEmbedUpdate(EmbeddingEngine engine, Parts parts, EmbeddingModelFiles files, String relation, String schema) {
        this.engine = engine;
        this.parts = parts;
        this.files = files;
        this.relation = relation;
        this.schema = schema;
    }

    String run(SessionContext session, BoundParameters parameters) {
        BackendClient backend = session.backend();
        String setClause = Splice.replaceCalls(parts.sql().substring(0, parts.setEnd()), List.of(parts.call()), c -> "NULL");
        // PostgreSQL's own privilege and policy errors, as the caller, before the job spends anything
        BackendSteps.query(backend, "EXPLAIN " + setClause + " WHERE false");
        List<String[]> who = BackendSteps.query(backend, "SELECT current_user::text, current_database()::text");
        String where = parts.whereStart() < 0 ? null
                : UpdateWithCalls.withoutSemicolon(parts.sql().substring(parts.whereStart() + "where".length())).strip();
        String text = parts.call().arguments().get(1).sql();
        String staging = schema + ".pgml_embed_" + HexFormat.of().formatHex(randomId());
        BulkEmbedRequest request = new BulkEmbedRequest(who.get(0)[1], who.get(0)[0], relation, parts.from(), parts.reference(), text, where,
                staging, files);
        BulkEmbedJob job = engine.start(request);
        long staged;
        try {
            staged = job.awaitStaged(m -> notice(session, m), session::cancelRequested);
        } catch (RuntimeException e) {
            job.close();
            throw e;
        }
        try {
            String ref = parts.reference();
            // the rows this statement updates, locked until the client's transaction ends, against the staged ones
            String current = "SELECT " + ref + ".ctid AS c, hashtext((" + text + ")::text) AS h FROM " + parts.from()
                    + (where == null ? "" : " WHERE " + where) + " FOR UPDATE OF " + ref;
            List<String[]> check = BackendSteps.query(backend, "SELECT count(*), count(s.pgml_ctid) FROM (" + current + ") x LEFT JOIN "
                    + staging + " s ON s.pgml_ctid = x.c AND s.pgml_hash IS NOT DISTINCT FROM x.h");
            long now = Long.parseLong(check.get(0)[0]);
            long matched = Long.parseLong(check.get(0)[1]);
            if (now != staged || matched != staged) {
                throw new PgException("40001", "the rows to update changed while the " + engine.name() + " job embedded them ("
                        + staged + " embedded, " + now + " to update now, " + matched + " of them unchanged); nothing was updated",
                        "The job reads committed rows only: commit this transaction's changes to " + relation
                                + " first, keep other writers off the rows meanwhile, and run the UPDATE again.");
            }
            String update = Splice.replaceCalls(parts.sql().substring(0, parts.setEnd()), List.of(parts.call()), c -> staging + ".pgml_vector")
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
