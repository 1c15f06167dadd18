package io.pgmlsidecar.planner.served;

import io.pgmlsidecar.planner.functions.FunctionRegistry;
import io.pgmlsidecar.planner.tune.TuneActions;
import io.pgmlsidecar.planner.values.PgTypes;
import java.util.List;

/** pgml.tune → TABLE(status, task, algorithm, deployed), the first column holding the project name as in PostgresML. */
final class TuneFunctions {
    private TuneFunctions() {}

    static void register(TuneActions tune, AloneForms alone) {
        alone.add(FunctionRegistry.TUNE, AloneForms.table(List.of(AloneForms.column("status", PgTypes.TEXT),
                AloneForms.column("task", PgTypes.TEXT), AloneForms.column("algorithm", PgTypes.TEXT),
                AloneForms.column("deployed", PgTypes.BOOL)), tune::tune));
    }
}
