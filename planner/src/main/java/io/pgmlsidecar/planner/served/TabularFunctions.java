package io.pgmlsidecar.planner.served;

import io.pgmlsidecar.planner.functions.ApiFunction;
import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.functions.FunctionRegistry;
import io.pgmlsidecar.planner.tabular.Predictions;
import io.pgmlsidecar.planner.tabular.RegistryDump;
import io.pgmlsidecar.planner.values.ResultValues;
import io.pgmlsidecar.planner.tabular.TabularActions;
import io.pgmlsidecar.planner.values.PgTypes;
import io.pgmlsidecar.proxy.codec.Column;
import java.util.List;

/** load_dataset, train, deploy, snapshots, the predict family, and dump_all / load_all. */
final class TabularFunctions {
    private TabularFunctions() {}

    static void register(TabularActions tabular, RegistryDump dump, Predictions predictions, AloneForms alone, CallFunctions rowWise) {
        alone.add(FunctionRegistry.LOAD_DATASET, AloneForms.table(
                List.of(text("table_name"), AloneForms.column("rows", PgTypes.INT8)), tabular::loadDataset));
        alone.add(FunctionRegistry.TRAIN, AloneForms.table(
                List.of(text("project"), text("task"), text("algorithm"), AloneForms.column("deployed", PgTypes.BOOL)), tabular::train));
        alone.add(FunctionRegistry.DEPLOY, AloneForms.table(
                List.of(text("project"), text("strategy"), text("algorithm")), tabular::deploy));

        alone.add(FunctionRegistry.TRAIN_JOINT, AloneForms.table(
                List.of(text("project"), text("task"), text("algorithm"), AloneForms.column("deployed", PgTypes.BOOL)), tabular::trainJoint));
        alone.add(FunctionRegistry.DUMP_ALL, AloneForms.scalar(ResultValues.VOID, true, (s, a) -> {
            dump.dump(s, a.get(0));
            return "";
        }));
        alone.add(FunctionRegistry.LOAD_ALL, AloneForms.scalar(ResultValues.VOID, true, (s, a) -> {
            dump.load(s, a.get(0));
            return "";
        }));
        alone.add(FunctionRegistry.SNAPSHOT, AloneForms.table(List.of(text("relation"), text("y_column_name")), tabular::snapshot));

        predictions(predictions, alone, rowWise, FunctionRegistry.PREDICT, PgTypes.FLOAT4, Predictions.Kind.PREDICT);
        predictions(predictions, alone, rowWise, FunctionRegistry.PREDICT_PROBA, PgTypes.FLOAT4_ARRAY, Predictions.Kind.PROBA);
        predictions(predictions, alone, rowWise, FunctionRegistry.PREDICT_JOINT, PgTypes.FLOAT4_ARRAY, Predictions.Kind.JOINT);
        predictions(predictions, alone, rowWise, FunctionRegistry.DECOMPOSE, PgTypes.FLOAT4_ARRAY, Predictions.Kind.DECOMPOSE);

        // PostgresML's asymmetry: by project name a set of real, by model id one real[]
        AloneForms.Form byProject = AloneForms.setOf(PgTypes.FLOAT4, true, (s, a) -> {
            float[] y = predictions.predictConcatenated(s, a.get(0), a.get(1));
            List<Object> out = new java.util.ArrayList<>();
            if (y != null) {
                for (float v : y) {
                    out.add(v);
                }
            }
            return out;
        });
        AloneForms.Form byModelId = AloneForms.scalar(PgTypes.FLOAT4_ARRAY, true, (s, a) -> predictions.predictConcatenated(s, a.get(0), a.get(1)));
        alone.add(FunctionRegistry.PREDICT_BATCH, (call, inFrom, name) -> call.arguments().get(0).sql().trim().matches("\\d+")
                ? byModelId.plan(call, inFrom, name) : byProject.plan(call, inFrom, name));
    }

    /** predict_batch by project over rows, e.g. {@code SELECT pgml.predict_batch('p', array_agg(image)) FROM digits}: two passes. */
    static void registerBatchOverRows(Predictions predictions, SetCalls sets) {
        sets.add(FunctionRegistry.PREDICT_BATCH, new io.pgmlsidecar.planner.strategy.SetFunctionTables.Shape("predict_batch",
                List.of("predict_batch"), List.of("real")), (s, a) -> {
                    if (a.get(0) != null && a.get(0).trim().matches("\\d+")) {
                        throw new io.pgmlsidecar.proxy.intercept.PgException("0A000", "pgml-sidecar does not serve pgml.predict_batch "
                                + "by model id inside a larger statement yet", "Name the project: pgml.predict_batch('project', features).");
                    }
                    float[] y = predictions.predictConcatenated(s, a.get(0), a.get(1));
                    List<String[]> rows = new java.util.ArrayList<>();
                    if (y != null) {
                        for (float v : y) {
                            rows.add(new String[] {io.pgmlsidecar.planner.values.PgFloats.toText(v)});
                        }
                    }
                    return rows;
                });
    }

    private static void predictions(Predictions predictions, AloneForms alone, CallFunctions rowWise, ApiFunction f, int typeOid,
                                    Predictions.Kind kind) {
        rowWise.add(f, typeOid, (s, rows) -> predictions.batch(s, rows, kind));
        alone.add(f, AloneForms.scalar(typeOid, true, (s, args) -> predictions.batch(s, List.<String[]>of(args.toArray(new String[0])), kind)[0]));
    }

    private static Column text(String name) {
        return AloneForms.column(name, PgTypes.TEXT);
    }
}
