package io.pgmlsidecar.planner.served;

import io.pgmlsidecar.ml.text.chunk.ChunkingException;
import io.pgmlsidecar.ml.text.chunk.TextChunker;
import io.pgmlsidecar.planner.functions.EmbedCalls;
import io.pgmlsidecar.planner.functions.FunctionRegistry;
import io.pgmlsidecar.planner.strategy.SetFunctionTables;
import io.pgmlsidecar.planner.values.PgTypes;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import java.util.ArrayList;
import java.util.List;

/**
 * pgml.chunk(splitter, text, kwargs) → TABLE(chunk_index bigint, chunk text), 1-based, with
 * LangChain's splitters: alone (S0) and with row-dependent arguments anywhere in a query (two passes).
 */
final class ChunkFunctions {
    private ChunkFunctions() {}

    static void register(AloneForms alone, SetCalls sets) {
        alone.add(FunctionRegistry.CHUNK, AloneForms.table(
                List.of(AloneForms.column("chunk_index", PgTypes.INT8), AloneForms.column("chunk", PgTypes.TEXT)), (s, a) -> {
                    if (a.get(1) == null) {
                        throw new PgException(PgError.error("22004", "pgml.chunk: the text to split is NULL",
                                "Over a table, rows with a NULL text give no chunks: SELECT … FROM docs, LATERAL pgml.chunk('recursive_character', body) c."));
                    }
                    return chunks(a);
                }));
        sets.add(FunctionRegistry.CHUNK, new SetFunctionTables.Shape("chunk", List.of("chunk_index", "chunk"), List.of("bigint", "text")),
                (s, a) -> chunks(a));
    }

    /** STRICT: any NULL argument gives no rows. */
    private static List<String[]> chunks(List<String> a) {
        if (a.get(0) == null || a.get(1) == null || a.get(2) == null) {
            return List.of();
        }
        List<String> pieces;
        try {
            pieces = TextChunker.chunk(a.get(0), a.get(1), EmbedCalls.kwargs(a.get(2)));
        } catch (ChunkingException e) {
            throw new PgException(PgError.error("22023", "pgml.chunk: " + e.getMessage(), e.hint()));
        }
        List<String[]> rows = new ArrayList<>(pieces.size());
        for (int i = 0; i < pieces.size(); i++) {
            rows.add(new String[] {Integer.toString(i + 1), pieces.get(i)});
        }
        return rows;
    }
}
