package io.pgmlsidecar.planner;

import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.planner.scan.TopLevel;
import java.util.List;
import java.util.Set;

/**
 * Statements that store an expression for PostgreSQL to evaluate later — a view, a generated
 * column or DEFAULT, a function or procedure body, a trigger, an index expression, a policy. Their
 * calls are not run now, so the sidecar relays them unchanged; PostgreSQL evaluates the calls
 * through the API's stub functions, which call the sidecar back (catalog migration V7, decision 26).
 */
final class Definitions {
    private Definitions() {}

    /** Words between CREATE and the kind of object, e.g. CREATE OR REPLACE TEMP VIEW. */
    private static final Set<String> MODIFIERS = Set.of("or", "replace", "temp", "temporary", "unlogged", "global", "local",
            "recursive", "constraint", "unique", "trusted", "procedural", "materialized");
    /** Kinds whose expressions PostgreSQL keeps and evaluates later. */
    private static final Set<String> KEPT = Set.of("view", "function", "procedure", "trigger", "rule", "policy", "domain",
            "index", "aggregate", "event", "table");

    /** True for CREATE … of an object that keeps expressions, but not CREATE TABLE … AS, which runs its query now. */
    static boolean storesExpressions(List<Token> tokens) {
        if (tokens.isEmpty() || !tokens.get(0).isKeyword("create")) {
            return false;
        }
        int i = 1;
        while (i < tokens.size() && MODIFIERS.contains(tokens.get(i).text().toLowerCase(java.util.Locale.ROOT))
                && tokens.get(i).kind() == Token.Kind.IDENTIFIER) {
            i++;
        }
        if (i >= tokens.size() || tokens.get(i).kind() != Token.Kind.IDENTIFIER) {
            return false;
        }
        String kind = tokens.get(i).text().toLowerCase(java.util.Locale.ROOT);
        if (!KEPT.contains(kind)) {
            return false;
        }
        return !kind.equals("table") || !hasTopLevelAs(tokens, i + 1);
    }

    /** CREATE TABLE t [(columns)] AS query: AS outside every parenthesis. */
    private static boolean hasTopLevelAs(List<Token> tokens, int from) {
        return TopLevel.find(tokens, from, t -> t.isKeyword("as")) >= 0;
    }
}
