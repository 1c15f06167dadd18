package io.pgmlsidecar.planner.functions;

import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.planner.values.PgTypes;
import io.pgmlsidecar.planner.values.SqlLiterals;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Computes the text values of constant argument expressions. Plain literals, NULL and {@code $n}
 * are read locally; anything else is asked of PostgreSQL in one {@code SELECT (e)::text, …} on
 * the session, with the statement's parameters, so every PostgreSQL expression works as written.
 */
public final class ArgumentEvaluator {
    private ArgumentEvaluator() {}

    private static final Set<String> TRANSPARENT_CASTS = Set.of("text", "jsonb", "json", "varchar");

    public static List<String> evaluate(SessionContext session, List<ArgumentExpression> expressions, BoundParameters params) {
        String[] values = new String[expressions.size()];
        boolean[] local = new boolean[expressions.size()];
        List<Integer> remote = new ArrayList<>();
        for (int i = 0; i < expressions.size(); i++) {
            BoundParameters.LocalValue v = localValue(expressions.get(i), params);
            if (v != null) {
                values[i] = v.text();
                local[i] = true;
            } else {
                remote.add(i);
            }
        }
        if (!remote.isEmpty()) {
            StringBuilder sql = new StringBuilder("SELECT ");
            for (int k = 0; k < remote.size(); k++) {
                sql.append(k > 0 ? ", " : "").append("(").append(expressions.get(remote.get(k)).sql()).append(")::text");
            }
            int[] oids = Arrays.copyOf(params.typeOids(), params.count());
            for (int k = 0; k < oids.length; k++) {
                if (oids[k] == PgTypes.UNKNOWN) {
                    oids[k] = PgTypes.TEXT; // unused parameters still need a type
                }
            }
            List<byte[][]> rows = new ArrayList<>();
            session.backend().stream(sql.toString(), oids, params.formats(), params.values(), new short[0],
                    new BackendClient.RowSink() {
                        @Override
                        public void columns(List<io.pgmlsidecar.proxy.codec.Column> columns) {}

                        @Override
                        public void row(byte[][] v) {
                            rows.add(v);
                        }
                    });
            byte[][] row = rows.get(0);
            for (int k = 0; k < remote.size(); k++) {
                byte[] v = row[k];
                values[remote.get(k)] = v == null ? null : new String(v, StandardCharsets.UTF_8);
            }
        }
        return Arrays.asList(values);
    }

    /**
     * {@code ARRAY[1.5, -2, 3e-4]} with an optional cast to a numeric array type, as the text of the
     * array ({@code {1.5,-2,3e-4}}); null for anything else.
     */
    static String numberArray(List<Token> t) {
        if (t.size() < 3 || !t.get(0).isKeyword("array") || !t.get(1).isPunct('[')) {
            return null;
        }
        StringBuilder out = new StringBuilder("{");
        int i = 2;
        boolean expectValue = true;
        for (; i < t.size() && !t.get(i).isPunct(']'); i++) {
            Token k = t.get(i);
            if (expectValue) {
                String sign = "";
                if (k.kind() == Token.Kind.OPERATOR && (k.text().equals("-") || k.text().equals("+")) && i + 1 < t.size()) {
                    sign = k.text().equals("-") ? "-" : "";
                    k = t.get(++i);
                }
                if (k.kind() != Token.Kind.NUMBER) {
                    return null;
                }
                out.append(out.length() > 1 ? "," : "").append(sign).append(k.text());
                expectValue = false;
            } else if (k.isPunct(',')) {
                expectValue = true;
            } else {
                return null;
            }
        }
        if (i >= t.size() || expectValue && out.length() > 1) {
            return null;
        }
        i++;
        if (i < t.size()) {
            // only a cast to a numeric array type may follow
            if (!(t.get(i).kind() == Token.Kind.OPERATOR && t.get(i).text().equals("::"))) {
                return null;
            }
            StringBuilder type = new StringBuilder();
            for (int j = i + 1; j < t.size(); j++) {
                type.append(t.get(j).text().toLowerCase()).append(t.get(j).kind() == Token.Kind.IDENTIFIER ? " " : "");
            }
            String ty = type.toString().replace(" [", "[").trim();
            if (!NUMERIC_ARRAY_TYPES.contains(ty)) {
                return null;
            }
        }
        return out.append('}').toString();
    }

    private static final Set<String> NUMERIC_ARRAY_TYPES = Set.of("real[]", "float4[]", "float8[]", "double precision[]",
            "numeric[]", "int[]", "integer[]", "int4[]", "int8[]", "bigint[]", "smallint[]", "int2[]");

    /** The value when it can be known without PostgreSQL, else null. */
    static BoundParameters.LocalValue localValue(ArgumentExpression e, BoundParameters params) {
        String numbers = numberArray(e.tokens());
        if (numbers != null) {
            return new BoundParameters.LocalValue(numbers);
        }
        List<Token> t = e.tokens();
        int end = t.size();
        // strip casts that do not change the text: 'x'::text, $1::jsonb
        while (end >= 3 && t.get(end - 2).kind() == Token.Kind.OPERATOR && t.get(end - 2).text().equals("::")
                && TRANSPARENT_CASTS.contains(t.get(end - 1).text().toLowerCase())) {
            end -= 2;
        }
        if (end != 1) {
            return null;
        }
        Token only = t.get(0);
        if (only.isKeyword("null")) {
            return new BoundParameters.LocalValue(null);
        }
        if (only.kind() == Token.Kind.PARAMETER) {
            return params.localText(Integer.parseInt(only.text().substring(1)));
        }
        String s = SqlLiterals.stringValue(only);
        return s == null ? null : new BoundParameters.LocalValue(s);
    }
}
