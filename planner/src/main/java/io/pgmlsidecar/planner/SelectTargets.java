package io.pgmlsidecar.planner;

import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.scan.SelectList;
import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.planner.strategy.SelectListCalls;
import java.util.ArrayList;
import java.util.List;

/** Which select-list columns row-dependent calls produce; refuses shapes S2 cannot serve. */
public final class SelectTargets {
    private SelectTargets() {}

    public static List<SelectListCalls.Target> of(List<Token> tokens, SelectList select, List<ResolvedCall> calls) {
        if (select.distinct()) {
            throw PgmlInterceptor.unsupported(calls.get(0).site(), "row-dependent pgml calls with SELECT DISTINCT",
                    "Select the embeddings in a subquery and apply DISTINCT outside it.");
        }
        for (int i = select.end(); i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isKeyword("union") || t.isKeyword("intersect") || t.isKeyword("except")) {
                throw PgmlInterceptor.unsupported(calls.get(0).site(), "row-dependent pgml calls in a set operation (UNION/INTERSECT/EXCEPT)",
                        "Embed in a subquery or CTE per branch.");
            }
        }
        List<SelectListCalls.Target> targets = new ArrayList<>();
        List<SelectList.Item> items = select.items();
        for (ResolvedCall c : calls) {
            int item = select.itemAt(c.site().firstToken());
            String name = item < 0 ? null : StatementShape.itemIsCall(tokens, items.get(item), c.site());
            if (name == null) {
                throw PgmlInterceptor.unsupported(c.site(), "a row-dependent call of " + c.site().qualifiedName()
                                + " that is not a whole item of the SELECT list (it is inside an expression, or in WHERE/ORDER BY/JOIN)",
                        "Select the call as its own column, e.g. in a CTE, and use that column in the rest of the query.");
            }
            if (c.isBatchForm(null, new int[0])) {
                throw PgmlInterceptor.unsupported(c.site(), "the set-returning batch form of pgml.embed per row",
                        "Embed one text per row: pgml.embed(model, column).");
            }
            checkNotReferencedAfterList(tokens, select, name, item, c);
            boolean starBefore = items.subList(0, item).stream().anyMatch(SelectList.Item::star);
            boolean starAfter = items.subList(item + 1, items.size()).stream().anyMatch(SelectList.Item::star);
            if (starBefore && starAfter) {
                throw PgmlInterceptor.unsupported(c.site(), "a row-dependent call between two * items of the SELECT list",
                        "List the columns explicitly on one side of the call.");
            }
            targets.add(starBefore ? new SelectListCalls.Target(c, name, -1, items.size() - 1 - item)
                    : new SelectListCalls.Target(c, name, item, -1));
        }
        return targets;
    }

    /** ORDER BY / GROUP BY on the embedding column would act on its carrier in PostgreSQL: refuse. */
    private static void checkNotReferencedAfterList(List<Token> tokens, SelectList select, String name, int item, ResolvedCall c) {
        boolean inOrderOrGroup = false;
        for (int i = select.end(); i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isKeyword("order") || t.isKeyword("group")) {
                inOrderOrGroup = true;
            } else if (t.isKeyword("limit") || t.isKeyword("offset") || t.isKeyword("for") || t.isKeyword("fetch")) {
                inOrderOrGroup = false;
            } else if (inOrderOrGroup && ((t.kind() == Token.Kind.IDENTIFIER || t.kind() == Token.Kind.QUOTED_IDENTIFIER)
                    && t.identifierValue().equals(name) || (t.kind() == Token.Kind.NUMBER && t.text().equals(Integer.toString(item + 1))))) {
                throw PgmlInterceptor.unsupported(c.site(), "ORDER BY or GROUP BY on the result of a row-dependent pgml call",
                        "Compute the embeddings in a subquery or CTE and order the outer query.");
            }
        }
    }
}
