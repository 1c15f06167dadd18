package io.pgmlsidecar.planner.functions;

import io.pgmlsidecar.planner.scan.CallSite;
import io.pgmlsidecar.planner.scan.SqlLexer;
import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.proxy.intercept.PgException;
import java.util.ArrayList;
import java.util.List;

/** A call site matched to its function: one argument expression per parameter, defaults filled in. */
public record ResolvedCall(CallSite site, ApiFunction function, List<ArgumentExpression> arguments) {

    public static ResolvedCall resolve(String sql, List<Token> tokens, CallSite site, ApiFunction function) {
        int n = function.parameters().size();
        ArgumentExpression[] args = new ArgumentExpression[n];
        int positional = 0;
        boolean sawNamed = false;
        for (CallSite.Argument a : site.arguments()) {
            int index;
            if (a.name() != null) {
                sawNamed = true;
                index = function.indexOf(a.name());
                if (index < 0) {
                    throw noSuchFunction(site, "it has no parameter named \"" + a.name() + "\"");
                }
            } else {
                if (sawNamed) {
                    throw new PgException("42601", "positional argument cannot follow named argument", null);
                }
                index = positional++;
            }
            if (index >= n) {
                throw noSuchFunction(site, "it takes at most " + n + " arguments");
            }
            args[index] = new ArgumentExpression(sql.substring(a.start(), a.end()), tokensIn(tokens, a.start(), a.end()));
        }
        for (int i = 0; i < n; i++) {
            if (args[i] == null) {
                String def = function.parameters().get(i).defaultSql();
                if (def == null) {
                    throw noSuchFunction(site, "argument \"" + function.parameters().get(i).name() + "\" is missing");
                }
                args[i] = new ArgumentExpression(def, SqlLexer.tokenize(def));
            }
        }
        return new ResolvedCall(site, function, List.of(args));
    }

    private static List<Token> tokensIn(List<Token> tokens, int start, int end) {
        List<Token> out = new ArrayList<>();
        for (Token t : tokens) {
            if (t.start() >= start && t.end() <= end) {
                out.add(t);
            }
        }
        return out;
    }

    private static PgException noSuchFunction(CallSite site, String why) {
        return new PgException(new io.pgmlsidecar.proxy.codec.PgError("ERROR", "42883",
                "function " + site.qualifiedName() + " does not match the call: " + why, null,
                "See the signatures of " + site.qualifiedName() + " in the sidecar's README (they follow PostgresML's).",
                site.start() + 1));
    }

    public boolean isConstant() {
        return arguments.stream().allMatch(ArgumentExpression::isConstant);
    }

    /** For pgml.embed: the batch overload (inputs text[]) rather than one text. */
    public boolean isBatchForm(BoundParameters params, int[] declaredOids) {
        if (function != FunctionRegistry.EMBED) {
            return false;
        }
        ArgumentExpression text = arguments.get(1);
        for (CallSite.Argument a : site.arguments()) {
            if ("inputs".equals(a.name())) {
                return true;
            }
        }
        int p = text.parameterNumber();
        if (p > 0) {
            int oid = p <= declaredOids.length ? declaredOids[p - 1] : 0;
            return io.pgmlsidecar.planner.values.PgTypes.isTextArray(oid);
        }
        return text.looksLikeArray();
    }
}
