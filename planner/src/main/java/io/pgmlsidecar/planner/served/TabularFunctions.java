package io.pgmlsidecar.planner.served;

import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.functions.FunctionRegistry;
import io.pgmlsidecar.planner.tabular.Predictions;
import io.pgmlsidecar.planner.tabular.TabularActions;
import io.pgmlsidecar.planner.values.PgTypes;
import io.pgmlsidecar.proxy.codec.Column;
import java.util.List;

/** load_dataset, train, deploy and the predict family. */
final class TabularFunctions {
    private TabularFunctions() {}

    static void register(TabularActions tabular, Predictions predictions, AloneForms alone, CallFunctions rowWise) {
        alone.add(FunctionRegistry.LOAD_DATASET, AloneForms.table(
                List.of(text("table_name"), AloneForms.column("rows", PgTypes.INT8)), tabular::loadDataset));
        alone.add(FunctionRegistry.TRAIN, AloneForms.table(
                List.of(text("project"), text("task"), text("algorithm"), AloneForms.column("deployed", PgTypes.BOOL)), tabular::train));
        alone.add(FunctionRegistry.DEPLOY, AloneForms.table(
                List.of(text("project"), text("strategy"), text("algorithm")), tabular::deploy));

        rowWise.add(FunctionRegistry.PREDICT, PgTypes.FLOAT4, (s, rows) -> predictions.batch(s, rows, false));
        rowWise.add(FunctionRegistry.PREDICT_PROBA, PgTypes.FLOAT4_ARRAY, (s, rows) -> predictions.batch(s, rows, true));
        alone.add(FunctionRegistry.PREDICT, AloneForms.scalar(PgTypes.FLOAT4, true,
                (s, args) -> predictions.batch(s, List.<String[]>of(args.toArray(new String[0])), false)[0]));
        alone.add(FunctionRegistry.PREDICT_PROBA, AloneForms.scalar(PgTypes.FLOAT4_ARRAY, true,
                (s, args) -> predictions.batch(s, List.<String[]>of(args.toArray(new String[0])), true)[0]));
    }

    private static Column text(String name) {
        return AloneForms.column(name, PgTypes.TEXT);
    }
}
