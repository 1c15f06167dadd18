package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.scan.Token;
import java.util.List;
import java.util.Set;

/**
 * Whether one pass that collects argument tuples (every call answering NULL) can miss tuples that
 * the real pass evaluates. It can when a call's result decides which rows reach another call —
 * a call in WHERE, ON or HAVING, in a CASE or COALESCE, in a subquery — or, for a lone call,
 * when a NULL that passes a filter ({@code IS NULL}, COALESCE, CASE) ends a LIMIT early. Then
 * the strategy collects again until a pass finds nothing new.
 */
final class CallDependence {
    private CallDependence() {}

    private static final Set<String> CONDITIONAL_FUNCTIONS = Set.of("coalesce", "nullif", "greatest", "least");
    private static final Set<String> ENDS_EARLY = Set.of("limit", "fetch", "exists", "any", "some", "all", "in");
    private static final Set<String> NULL_PASSES = Set.of("is", "coalesce", "case", "nullif", "greatest", "least", "distinct", "or");

    enum Clause { SELECT_LIST, ORDER_OR_GROUP, FILTER, OTHER }

    /** Where a call stands: its clause, inside a subquery, or under a condition. */
    record Placement(Clause clause, boolean inSubquery, boolean conditional) {}

    static boolean needsVerification(List<Token> tokens, List<ResolvedCall> calls) {
        if (calls.size() == 1) {
            return containsAny(tokens, ENDS_EARLY) && containsAny(tokens, NULL_PASSES);
        }
        for (ResolvedCall c : calls) {
            Placement p = placement(tokens, c.site().firstToken());
            if (p.inSubquery() || p.conditional() || (p.clause() != Clause.SELECT_LIST && p.clause() != Clause.ORDER_OR_GROUP)) {
                return true;
            }
        }
        return false;
    }

    private static boolean containsAny(List<Token> tokens, Set<String> words) {
        for (Token t : tokens) {
            if (t.kind() == Token.Kind.IDENTIFIER && words.contains(t.text().toLowerCase())) {
                return true;
            }
        }
        return false;
    }

    /** The placement of the expression starting at token {@code index}, found by walking back to its clause keyword. */
    static Placement placement(List<Token> tokens, int index) {
        int depth = 0;
        int caseDepth = 0;
        boolean inSubquery = false;
        boolean conditional = false;
        Clause clause = null;
        for (int i = index - 1; i >= 0; i--) {
            Token t = tokens.get(i);
            if (t.isPunct(')') || t.isPunct(']')) {
                depth++;
            } else if (t.isPunct('(') || t.isPunct('[')) {
                if (depth > 0) {
                    depth--;
                    continue;
                }
                // leaving an enclosing parenthesis
                Token next = tokens.get(i + 1);
                if (next.isKeyword("select") || next.isKeyword("with") || next.isKeyword("values")) {
                    inSubquery = true;
                }
                if (i > 0 && tokens.get(i - 1).kind() == Token.Kind.IDENTIFIER
                        && CONDITIONAL_FUNCTIONS.contains(tokens.get(i - 1).text().toLowerCase())) {
                    conditional = true;
                }
                if (i > 0 && tokens.get(i - 1).isKeyword("filter")) {
                    conditional = true;
                }
            } else if (depth == 0 && t.kind() == Token.Kind.IDENTIFIER) {
                String w = t.text().toLowerCase();
                if (w.equals("end")) {
                    caseDepth++;
                } else if (w.equals("case")) {
                    if (caseDepth == 0) {
                        conditional = true;
                    } else {
                        caseDepth--;
                    }
                } else if (clause == null) {
                    clause = switch (w) {
                        case "select" -> Clause.SELECT_LIST;
                        case "order", "group" -> Clause.ORDER_OR_GROUP;
                        case "where", "having", "on", "limit", "offset", "fetch", "when" -> Clause.FILTER;
                        case "from", "join", "using", "returning", "set", "values", "window", "over" -> Clause.OTHER;
                        default -> null;
                    };
                }
            }
        }
        return new Placement(clause == null ? Clause.OTHER : clause, inSubquery, conditional);
    }

    /** 1 for a call with no API call in its arguments, else one more than the deepest call inside. */
    static int depth(ResolvedCall call, List<ResolvedCall> calls) {
        int inner = 0;
        for (ResolvedCall c : calls) {
            if (Splice.contains(call, c)) {
                inner = Math.max(inner, depth(c, calls));
            }
        }
        return inner + 1;
    }
}
