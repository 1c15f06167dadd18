package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.scan.CallSite;
import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of {@code UPDATE [ONLY] t [*] [[AS] a] SET items [WHERE …] [RETURNING …]} that the UPDATE strategies need,
 * read from the tokens once. {@code UPDATE … FROM} and {@code WHERE CURRENT OF} are refused (0A000): the staged
 * UPDATE adds a FROM item of its own and needs a ctid per target row.
 *
 * @param reference how the statement refers to the table (its alias, else its name), for {@code ctid}
 * @param from      the table as the statement wrote it ({@code ONLY docs d}), a FROM item
 * @param relation  the table as named (no ONLY, alias or *)
 * @param items     each SET item's first and last token index
 * @param setEnd    where the SET list ends (offset in the SQL)
 * @param whereStart   where WHERE starts, or -1
 * @param returningStart where RETURNING starts, or -1
 */
record UpdateShape(String reference, String from, String relation, List<int[]> items, int setEnd, int whereStart, int returningStart) {

    static UpdateShape of(String sql, List<Token> tokens, CallSite firstCall) {
        int i = 1;
        int tableStart = i;
        if (i < tokens.size() && tokens.get(i).isKeyword("only")) {
            i++;
        }
        int nameStart = i;
        while (i < tokens.size() && !tokens.get(i).isKeyword("set")) {
            i++;
        }
        if (i >= tokens.size() || i == nameStart) {
            throw unsupported(firstCall, "this UPDATE form", "Write UPDATE table SET col = pgml.embed(...) WHERE ...");
        }
        int setKeyword = i;
        // table [*] [[AS] alias]: the reference for ctid is the alias when there is one
        List<Token> head = tokens.subList(nameStart, setKeyword);
        Token last = head.get(head.size() - 1);
        boolean aliased = head.size() >= 2 && isName(last) && !head.get(head.size() - 2).isPunct('.');
        String target = aliased ? last.text() : (last.text().equals("*") ? head.get(head.size() - 2) : last).text();
        String from = sql.substring(tokens.get(tableStart).start(), tokens.get(setKeyword - 1).end());
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
                    throw unsupported(firstCall, "UPDATE … FROM with a row-dependent pgml call",
                            "Compute the values in a CTE and update from it, or drop the FROM list.");
                }
                if (t.isKeyword("where")) {
                    if (i + 1 < tokens.size() && tokens.get(i + 1).isKeyword("current")) {
                        throw unsupported(firstCall, "UPDATE … WHERE CURRENT OF with a pgml call", "Use a key in WHERE.");
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
        return new UpdateShape(target, from, relation, List.copyOf(items), setEnd, whereStart, returningStart);
    }

    /** True when {@code site} is the whole value of a SET item: {@code col = call}. */
    boolean isWholeValue(List<Token> tokens, CallSite site) {
        for (int[] item : items) {
            if (item[1] == site.lastToken() && site.firstToken() == item[0] + 2 && isName(tokens.get(item[0]))
                    && tokens.get(item[0] + 1).text().equals("=")) {
                return true;
            }
        }
        return false;
    }

    static boolean isName(Token t) {
        return t.kind() == Token.Kind.IDENTIFIER || t.kind() == Token.Kind.QUOTED_IDENTIFIER;
    }

    static PgException unsupported(CallSite site, String shape, String hint) {
        return new PgException(new PgError("ERROR", "0A000", "pgml-sidecar does not serve " + shape + " yet",
                null, hint, site.start() + 1));
    }
}
