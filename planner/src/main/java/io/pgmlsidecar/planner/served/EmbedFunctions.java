package io.pgmlsidecar.planner.served;

import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.functions.EmbedCalls;
import io.pgmlsidecar.planner.functions.FunctionRegistry;
import io.pgmlsidecar.planner.values.PgTypes;
import io.pgmlsidecar.planner.values.TextArrays;
import java.util.Arrays;
import java.util.List;

/** pgml.embed: one text (scalar, row-wise) or the batch form {@code inputs text[]} (SETOF real[]). */
final class EmbedFunctions {
    private EmbedFunctions() {}

    static void register(EmbedCalls embed, AloneForms alone, CallFunctions rowWise) {
        rowWise.add(FunctionRegistry.EMBED, PgTypes.FLOAT4_ARRAY, (s, rows) -> embed.embedRows(s, rows));
        AloneForms.Form one = AloneForms.scalar(PgTypes.FLOAT4_ARRAY, false,
                (s, args) -> embed.embedRows(s, List.<String[]>of(args.toArray(new String[0])))[0]);
        AloneForms.Form many = AloneForms.setOf(PgTypes.FLOAT4_ARRAY, false, (s, args) -> {
            if (args.get(0) == null || args.get(1) == null || args.get(2) == null) {
                return List.of();
            }
            List<String> inputs = TextArrays.parse(args.get(1));
            return inputs == null ? List.of() : Arrays.asList(embed.embedAll(s, args.get(0), inputs, args.get(2)));
        });
        alone.add(FunctionRegistry.EMBED, (call, inFrom, name) -> {
            if (call.isBatchForm(null, new int[0])) {
                return many.plan(call, inFrom, name);
            }
            return one.plan(call, inFrom, name);
        });
    }
}
