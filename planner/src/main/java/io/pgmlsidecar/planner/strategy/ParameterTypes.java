package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.ArgumentExpression;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.values.PgTypes;
import java.util.Arrays;
import java.util.List;

/**
 * Types of {@code $n} parameters that the client left unspecified: a parameter passed straight
 * as an argument of an API call takes that parameter's declared type (text, jsonb, text[]), so
 * PostgreSQL never has to guess the type of a parameter it no longer sees after the rewrite.
 */
final class ParameterTypes {
    private ParameterTypes() {}

    static int[] forCalls(int[] declared, List<ResolvedCall> calls) {
        int max = declared.length;
        for (ResolvedCall c : calls) {
            for (ArgumentExpression a : c.arguments()) {
                max = Math.max(max, maxParameter(a));
            }
        }
        int[] oids = Arrays.copyOf(declared, max);
        for (ResolvedCall c : calls) {
            boolean batch = c.isBatchForm(null, declared);
            for (int i = 0; i < c.arguments().size(); i++) {
                int p = c.arguments().get(i).parameterNumber();
                if (p > 0 && oids[p - 1] == PgTypes.UNKNOWN) {
                    int type = c.function().parameters().get(i).typeOid();
                    oids[p - 1] = batch && i == 1 ? PgTypes.TEXT_ARRAY : type;
                }
            }
        }
        return oids;
    }

    /** Unknown types that remain become text: PostgreSQL cannot infer a parameter it does not see. */
    static int[] orText(int[] oids) {
        int[] out = oids.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] == PgTypes.UNKNOWN) {
                out[i] = PgTypes.TEXT;
            }
        }
        return out;
    }

    private static int maxParameter(ArgumentExpression a) {
        int max = 0;
        for (var t : a.tokens()) {
            if (t.kind() == io.pgmlsidecar.planner.scan.Token.Kind.PARAMETER) {
                max = Math.max(max, Integer.parseInt(t.text().substring(1)));
            }
        }
        return max;
    }
}
